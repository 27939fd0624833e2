package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateRefusesWhatTheChecksRefuse: the contract as committed passes;
// a copy with servers on an operation fails, saying what to write instead.
func TestGenerateRefusesWhatTheChecksRefuse(t *testing.T) {
	var out strings.Builder
	if rc := run("../../../openapi/linktoken.yaml", &out); rc != 0 {
		t.Fatalf("the committed contract: exit %d: %s", rc, out.String())
	}
	raw, err := os.ReadFile("../../../openapi/linktoken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "      operationId: deleteLinkToken\n"
	if !strings.Contains(string(raw), anchor) {
		t.Fatalf("the contract no longer has %q: anchor this test on another operation", anchor)
	}
	broken := strings.Replace(string(raw), anchor, anchor+"      servers:\n        - url: https://cloud.mongodb.com/api/atlas/v2\n", 1)
	path := filepath.Join(t.TempDir(), "linktoken.yaml")
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if rc := run(path, &out); rc != 1 || !strings.Contains(out.String(), "servers on an operation") ||
		!strings.Contains(out.String(), "write servers on the path item") {
		t.Fatalf("servers on an operation: exit %d: %s", rc, out.String())
	}
}
