package main

import (
	"bufio"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/internal/conform"
)

// TestConformTextEscapesWhatTheServerSaid: a server's answer quoted in a
// failure, an error, an observation, a note or a removal that failed
// reaches the terminal escaped, one line each.
func TestConformTextEscapesWhatTheServerSaid(t *testing.T) {
	const hostile = "x\x1b]0;pwned\x07\u2028y\r\nz"
	var b strings.Builder
	out := bufio.NewWriter(&b)
	writeOutcome(out, conform.Outcome{Case: "c", Request: "POST /x", Replay: "curl",
		Failures: []conform.Failure{{Check: "status", Detail: hostile}}, Err: hostile, Observation: hostile})
	writeConformSummary(out, &conform.Report{Notes: []string{hostile},
		Removals: []conform.Removal{{Created: "POST " + hostile, Detail: hostile}}})
	out.Flush()
	for _, raw := range []string{"\x1b", "\x07", "\u2028", "\r"} {
		if strings.Contains(b.String(), raw) {
			t.Errorf("the text report carries %q raw:\n%s", raw, b.String())
		}
	}
	if n := strings.Count(b.String(), `x\x1b]0;pwned\a\u2028y\r\nz`); n != 6 {
		t.Errorf("want the hostile text escaped on each of its 6 lines, found %d:\n%s", n, b.String())
	}
}
