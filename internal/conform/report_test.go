package conform_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
)

// TestReportSummaryCounts: the summary counts as people write counts,
// "1 request" and "2 requests".
func TestReportSummaryCounts(t *testing.T) {
	for _, tc := range []struct {
		rep  conform.Report
		want string
	}{
		{conform.Report{Requests: 1, Unanswered: 1, Checks: 1, Failed: 1, Observations: 1, LeftBehind: 1},
			"1 request, 1 without an answer, 1 check, 1 failed, 1 observation\n" +
				"LEFT BEHIND: 1 thing the run created, or may have, could not be removed\n" +
				"FAILED: 1 of 1 check failed\n" +
				"NOT JUDGED: 1 request had no answer"},
		{conform.Report{Requests: 2, Checks: 2, Failed: 2, Observations: 2},
			"2 requests, 0 without an answer, 2 checks, 2 failed, 2 observations\nFAILED: 2 of 2 checks failed"},
	} {
		if got := tc.rep.Summary(); got != tc.want {
			t.Errorf("Summary() = %q, want %q", got, tc.want)
		}
	}
}

// TestFailureDetailEscapesThePointer: a member name the server sent, with
// an ANSI escape, a line separator and a line break in it, is escaped in
// a failure's detail (\x1b, \u2028, \n), as Violation.Error prints it:
// in the JSON report too, whose reader may print the detail as it is.
func TestFailureDetailEscapesThePointer(t *testing.T) {
	const name = "a\x1b[31m\u2028\nb"
	hostile := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			capture(h, w, r, func(rec *httptest.ResponseRecorder) {
				var body map[string]any
				if rec.Code == http.StatusCreated && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
					body[name] = 1
					b, _ := json.Marshal(body)
					rec.Body.Reset()
					rec.Body.Write(b)
				}
			})
		})
	}
	srv, svc := serve(t, hostile)
	o := options(t, srv, svc)
	o.MaxRequests = 10
	v, err := contract.New(contract.Strict()) // the property is a violation, not a notice
	if err != nil {
		t.Fatal(err)
	}
	o.Validator = v
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	const want = `response body /a\x1b[31m\u2028\nb: additionalProperties: expected `
	var detail string
	for _, out := range rep.Outcomes {
		for _, f := range out.Failures {
			if f.Check == conform.CheckConformance && strings.HasPrefix(f.Detail, want) {
				detail = f.Detail
			}
		}
	}
	if detail == "" {
		t.Fatalf("no %s failure starting %q: %s", conform.CheckConformance, want, rep.Summary())
	}
	if strings.ContainsAny(detail, "\x1b\u2028\n") {
		t.Errorf("the detail carries the name raw: %q", detail)
	}
	data, _ := json.Marshal(rep)
	if !strings.Contains(string(data), strings.ReplaceAll(want, `\`, `\\`)) {
		t.Errorf("the JSON report lacks the escaped place:\n%.2000s", data)
	}
}
