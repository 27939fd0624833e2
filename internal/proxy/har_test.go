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
		data, _ := os.ReadFile(path)
		var doc struct {
			Log struct{ Entries []json.RawMessage }
		}
		if err := json.Unmarshal(data, &doc); err != nil || len(doc.Log.Entries) != i {
			t.Fatalf("after %d entries: %v, %d entries", i, err, len(doc.Log.Entries))
		}
		w.add(entry())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.add(entry()) // after Close: ignored
	if data, _ := os.ReadFile(path); !json.Valid(data) || bytes.Count(data, []byte(`"method"`)) != 3 {
		t.Errorf("closed archive:\n%s", data)
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan []byte)
	go func() { b, _ := io.ReadAll(pr); read <- b }()
	pipe, err := startHAR(pw, "pipe", "test")
	if err != nil {
		t.Fatal(err)
	}
	pipe.add(entry())
	pipe.add(entry())
	if err := pipe.Close(); err != nil {
		t.Fatal(err)
	}
	if b := <-read; !json.Valid(b) {
		t.Errorf("piped archive:\n%s", b)
	}
}

// TestCreateHARRefusesSymlinksAndReplacesAtomically: --record never
// writes through a symbolic link (which could truncate any file the user
// may write), and replaces a file that is there only once the new archive
// has its head.
func TestCreateHARRefusesSymlinksAndReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "traffic.har")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if w, err := CreateHAR(link, "test"); err == nil {
		w.Close()
		t.Error("CreateHAR wrote through a symbolic link")
	}
	if data, _ := os.ReadFile(target); string(data) != "keep me" {
		t.Errorf("the link's target now holds %q", data)
	}

	old := filepath.Join(dir, "old.har")
	if err := os.WriteFile(old, []byte("an earlier archive"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := CreateHAR(old, "test")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(old); !json.Valid(data) {
		t.Errorf("right after CreateHAR the file is not an archive: %q", data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left beside the archive: %v", entries)
	}
}
