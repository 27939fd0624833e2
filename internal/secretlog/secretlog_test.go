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
	rec := FromEnv()
	for _, s := range []string{"short", "a-private-key-0123456789", "a-private-key-0123456789", "line\nbreak-0123456789", "link-token-abcdefghijkl"} {
		rec(s)
	}
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

func TestFromEnvIsNilWithoutTheVariable(t *testing.T) {
	t.Setenv(EnvVar, "")
	if FromEnv() != nil {
		t.Fatal("a recorder without a file to record to")
	}
}
