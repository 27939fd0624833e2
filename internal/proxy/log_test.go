package proxy

import (
	"bytes"
	"strings"
	"testing"
)

// TestLogLinesCannotBeForged: what a client sent (a member name in a
// violation's pointer, say) reaches the log escaped: no line break, no
// terminal sequence, no line or paragraph separator, no invalid UTF-8.
func TestLogLinesCannotBeForged(t *testing.T) {
	var buf bytes.Buffer
	l := newLogger(&buf)
	l.lines([]string{"POST /x 201", "  violation: request body /a\u2028b\nforged\x1b[2J\u0085\xff: additional-property"})
	out := buf.String()
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("%d lines, want 2:\n%q", n, out)
	}
	for _, bad := range []string{"\u2028", "\x1b", "\u0085", "\xff"} {
		if strings.Contains(out, bad) {
			t.Errorf("the log holds %q raw:\n%q", bad, out)
		}
	}
}

// TestErrorLogIsOneProxyLine: what net/http's server and the ReverseProxy
// log goes to the proxy's log as one stamped line, marked as the proxy's.
func TestErrorLogIsOneProxyLine(t *testing.T) {
	var buf bytes.Buffer
	p := &Proxy{log: newLogger(&buf)}
	p.errorLog().Printf("http: TLS handshake error")
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, " proxy: http: TLS handshake error\n") {
		t.Errorf("the log holds %q; want one line ending in proxy: and the message", out)
	}
}
