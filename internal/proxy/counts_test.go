package proxy

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// TestBodyCapIsSaidInTheSingular: with --max-body-bytes 1 the violation
// and the archive's comments say "1 byte", never "1 bytes".
func TestBodyCapIsSaidInTheSingular(t *testing.T) {
	har, path := newTestHAR(t)
	p, addr := serving(t, createdUpstream(t).URL, Config{MaxBody: 1, HAR: har})
	resp := postCreate(t, addr)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// Counted is not yet recorded: the entry is added after the verdict,
	// before the request leaves the proxy (InFlight back to 0).
	if !waitFor(func() bool { s := p.Stats(); return s.Checked == 1 && s.InFlight == 0 }) {
		t.Fatal("the exchange was not counted and recorded")
	}
	if err := har.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"request body over 1 byte: not recorded", `"body over 1 byte: not recorded`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the archive lacks %q:\n%s", want, data)
		}
	}
	if got := p.tooLarge("x", "request").Expected; got != "at most 1 byte (--max-body-bytes)" {
		t.Errorf("expected %q", got)
	}
	if strings.Contains(string(data), "1 bytes") {
		t.Errorf("the archive says \"1 bytes\":\n%s", data)
	}
}
