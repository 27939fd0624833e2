package main

import (
	"strings"
	"testing"
)

// A recording whose request path decodes to an ANSI escape and a line
// separator (U+2028), and a recording whose Authorization line does not
// parse: no output format passes the former raw, nor quotes the latter.
const (
	hostilePath = "POST /api/atlas/v2/orgs/%1B%5B31m%E2%80%A8%E2%80%A9x/liveMigrations/linkTokens HTTP/1.1\r\n" +
		"Host: cloud.mongodb.com\r\nContent-Type: application/json\r\nContent-Length: 32\r\n" +
		`Authorization: Bearer abc` + "\r\n\r\n" +
		`{"accessListIps":["192.0.2.10"]}` +
		"HTTP/1.1 201 Created\r\nContent-Type: application/vnd.atlas.2023-01-01+json\r\nContent-Length: 17\r\n\r\n" +
		`{"linkToken":"t"}`
	secretDigest   = "0123456789abcdef0123456789abcdef"
	malformedCreds = "POST /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens HTTP/1.1\r\n" +
		"Host: cloud.mongodb.com\r\n" +
		`Authorization: Digest username="pub", response="` + secretDigest + "\"\x01\r\n\r\n"
)

func TestCheckOutputEscapesAndKeepsSecrets(t *testing.T) {
	dir := t.TempDir()
	hostile := writeFile(t, dir, "hostile.http", hostilePath)
	malformed := writeFile(t, dir, "malformed.http", malformedCreds)
	for _, format := range []string{"text", "json", "junit"} {
		r := runCLI(t, cliOpts{}, "check", "-o", format, hostile)
		if r.code != exitAPI {
			t.Fatalf("%s: got %+v", format, r)
		}
		for _, raw := range []string{"\x1b", "\u2028", "\u2029"} {
			if strings.Contains(r.stdout, raw) || strings.Contains(r.stderr, raw) {
				t.Errorf("%s: output passes %q raw:\n%s", format, raw, r.stdout)
			}
		}
		r = runCLI(t, cliOpts{}, "check", "-o", format, malformed)
		if r.code != exitUsage {
			t.Fatalf("%s: got %+v", format, r)
		}
		if out := r.stdout + r.stderr; strings.Contains(out, secretDigest) || !strings.Contains(out, "Authorization") {
			t.Errorf("%s: the input error quotes the credential, or does not name its header:\n%s", format, out)
		}
	}
}
