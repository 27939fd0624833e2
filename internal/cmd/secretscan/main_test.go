package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScan(t *testing.T) {
	const key = "8d3c1a5e-5b0f-4c1e-9f0a-0123456789ab"
	const token = "eyJvcmdJZCI6IjQ4ODg0NDJhMzM1NDgxN2E3MzIwZWI2MSJ9"
	secrets := writeFile(t, "secrets", key+"\n"+token+"\nshort\n")
	tests := []struct {
		name     string
		output   string
		wantCode int
		wantLine string
	}{
		{name: "clean", output: "=== RUN TestX\n--- PASS: TestX\nok pkg 0.1s\n", wantCode: 0},
		{name: "private key in a log line", output: "line one\nlevel=INFO msg=x key=" + key + "\n", wantCode: 1, wantLine: ":2: a recorded secret (36 characters)"},
		{name: "token at the end of a line without newline", output: "created " + token, wantCode: 1, wantLine: ":1: a recorded secret (48 characters)"},
		{name: "digest response", output: `Authorization: Digest username="a", response="0123456789abcdef0123456789abcdef"` + "\n", wantCode: 1, wantLine: "a digest response value"},
		{name: "bearer", output: "Authorization: Bearer abcdefghijklmnopqrstuvwxyz\n", wantCode: 1, wantLine: "a bearer credential"},
		{name: "redacted forms are fine", output: "token=[REDACTED link-token] response=[REDACTED]\n", wantCode: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := writeFile(t, "out", tt.output)
			var stdout, stderr bytes.Buffer
			code := run(secrets, []string{out}, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if tt.wantLine != "" && !strings.Contains(stdout.String(), tt.wantLine) {
				t.Fatalf("stdout %q lacks %q", stdout.String(), tt.wantLine)
			}
			if strings.Contains(stdout.String(), key) || strings.Contains(stdout.String(), token) {
				t.Fatal("the scan printed the secret it found")
			}
		})
	}
}

func TestEmptySecretsFileIsUnusable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(writeFile(t, "secrets", ""), []string{writeFile(t, "out", "x\n")}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "no secrets recorded") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestSummarySaysOneInTheSingular: the closing line counts in English.
func TestSummarySaysOneInTheSingular(t *testing.T) {
	const key = "8d3c1a5e-5b0f-4c1e-9f0a-0123456789ab"
	var stdout, stderr bytes.Buffer
	run(writeFile(t, "secrets", key+"\n"), []string{writeFile(t, "out", "x "+key+"\n")}, &stdout, &stderr)
	if want := "secretscan: 1 secret checked against 39 bytes of output in 1 file: 1 finding\n"; !strings.HasSuffix(stdout.String(), want) {
		t.Fatalf("stdout %q, want it to end %q", stdout.String(), want)
	}
}
