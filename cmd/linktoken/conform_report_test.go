package main

import (
	"bufio"
	"errors"
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

// TestConformExitFollowsTheVerdict: each verdict has its exit code, and
// only a pass is 0; a body too large to judge is "not judged", as check
// and the proxy say it.
func TestConformExitFollowsTheVerdict(t *testing.T) {
	for verdict, want := range map[conform.Verdict]int{
		conform.VerdictPass: exitOK, conform.VerdictFailed: exitAPI, conform.VerdictNoAnswer: exitNoAnswer,
		conform.VerdictNotJudged: exitNoAnswer, conform.VerdictNothingChecked: exitNothingChecked,
		conform.VerdictLeftBehind: exitLeftBehind, "a verdict of a later build": exitAPI,
	} {
		code := exitOK
		var ee *exitError
		if err := conformExit(&conform.Report{Verdict: verdict}, nil); errors.As(err, &ee) {
			code = ee.code
		} else if err != nil {
			t.Fatalf("verdict %s: %v carries no exit code", verdict, err)
		}
		if code != want {
			t.Errorf("verdict %s: exit %d, want %d", verdict, code, want)
		}
	}
}
