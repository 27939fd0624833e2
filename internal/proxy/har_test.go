package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestHARWriterIsAnArchiveAfterEveryEntry: a proxy killed outright leaves
// valid JSON; a file that cannot seek gets its end on Close.
func TestHARWriterIsAnArchiveAfterEveryEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.har")
	w, err := CreateHAR(path, "test")
	if err != nil {
		t.Fatal(err)
	}
	entry := func() *harEntry {
		return &harEntry{Request: harRequest{Method: "GET", URL: "http://127.0.0.1/x"}, Response: harResponse{Status: 200}}
	}
	for i := 0; i < 3; i++ {
		w.flush()
		data, _ := os.ReadFile(path)
		var doc struct {
			Log struct{ Entries []json.RawMessage }
		}
		if err := json.Unmarshal(data, &doc); err != nil || len(doc.Log.Entries) != i {
			t.Fatalf("after %d entries: %v, %d entries", i, err, len(doc.Log.Entries))
		}
		w.add(entry)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.add(entry) // after Close: ignored
	if data, _ := os.ReadFile(path); !json.Valid(data) || bytes.Count(data, []byte(`"method"`)) != 3 {
		t.Errorf("closed archive:\n%s", data)
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan []byte)
	go func() { b, _ := io.ReadAll(pr); read <- b }()
	pipe, err := newHARWriter(pw, "pipe", "test")
	if err != nil {
		t.Fatal(err)
	}
	pipe.add(entry)
	pipe.add(entry)
	if err := pipe.Close(); err != nil {
		t.Fatal(err)
	}
	if b := <-read; !json.Valid(b) {
		t.Errorf("piped archive:\n%s", b)
	}
}
