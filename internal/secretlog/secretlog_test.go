package secretlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecordAppendsEachSecretOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets")
	t.Setenv(EnvVar, path)
	Record("short", "a-private-key-0123456789", "a-private-key-0123456789", "line\nbreak-0123456789", "link-token-abcdefghijkl")
	mu.Lock()
	file.Sync()
	mu.Unlock()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "a-private-key-0123456789\nlink-token-abcdefghijkl\n"
	if string(got) != want {
		t.Fatalf("file holds %q, want %q", got, want)
	}
	if strings.Contains(string(got), "short") {
		t.Fatal("recorded a value shorter than MinLength")
	}
}
