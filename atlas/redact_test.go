package atlas

import (
	"strings"
	"testing"
)

func TestRedactText(t *testing.T) {
	token := "eyJvcmdJZCI6IjQ4ODg0NDJhMzM1NDgxN2E3MzIwZWI2MSIsInByaXZhdGVBcGlLZXkiOiJ4In0="
	tests := []struct {
		name, in   string
		keep, drop []string
	}{
		{"rate-limit detail keeps its path",
			"Resource /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens is limited to 100 requests every 60 seconds.",
			[]string{"/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", "100 requests"}, nil},
		{"bare token", "token " + token + " leaked", []string{"[REDACTED]", "leaked"}, []string{token[:20]}},
		{"token field", `{"linkToken":"short-but-secret"}`, []string{`"linkToken":"[REDACTED]"`}, []string{"short-but-secret"}},
		{"private key field", `{"privateApiKey":"abc"}`, []string{"[REDACTED]"}, []string{`"abc"`}},
		{"digest response", `Digest username="a", response="0123456789abcdef", cnonce="ff"`, []string{"response=[REDACTED]"}, []string{"0123456789abcdef", `"ff"`}},
		{"control characters", "line1\nline2\x1b[31m", []string{"line1 line2"}, []string{"\n", "\x1b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redactText(tt.in, 500)
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("%q lost %q", got, k)
				}
			}
			for _, d := range tt.drop {
				if strings.Contains(got, d) {
					t.Errorf("%q keeps %q", got, d)
				}
			}
		})
	}
	if got := redactText(strings.Repeat("é", 100), 11); len(got) > 11+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("cut %q", got)
	}
}
