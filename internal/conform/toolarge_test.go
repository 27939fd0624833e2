package conform_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
)

// TestAnAnswerLargerThanTheCheckReadsIsNotJudged: a body past the
// validator's limit is not the server's fault and not a pass: its status
// and headers are judged, its body is not, and the run says so (verdict
// not-judged) instead of failing conformance for the run's own limit.
func TestAnAnswerLargerThanTheCheckReadsIsNotJudged(t *testing.T) {
	const limit = 1 << 10
	srv, svc := serve(t, padCreated(2*limit))
	o := options(t, srv, svc)
	v, err := contract.New(contract.MaxBodyBytes(limit))
	if err != nil {
		t.Fatal(err)
	}
	o.Validator = v
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != conform.VerdictNotJudged || rep.NotJudged == 0 || rep.Failed != 0 {
		t.Fatalf("verdict %s, %d not judged, %d failed: %s", rep.Verdict, rep.NotJudged, rep.Failed, rep.Summary())
	}
	if !strings.Contains(rep.Summary(), "NOT JUDGED: ") || !strings.Contains(rep.Summary(), "larger than the check reads") {
		t.Errorf("the summary does not say why: %s", rep.Summary())
	}
	notJudged := 0
	for _, out := range rep.Outcomes {
		if out.BodyNotJudged {
			notJudged++
			if out.Status != http.StatusCreated || !strings.Contains(out.Err, "1024 bytes") {
				t.Errorf("%s %s: status %d, error %q; want a 201 said not judged", out.Kind, out.Case, out.Status, out.Err)
			}
		}
	}
	if notJudged != rep.NotJudged || rep.Checks <= notJudged {
		t.Errorf("%d outcomes not judged, the report counts %d; %d checks", notJudged, rep.NotJudged, rep.Checks)
	}
}

// padCreated pads every 201's JSON body with trailing spaces to n bytes:
// still conforming, larger than a check that reads fewer.
func padCreated(n int) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			capture(h, w, r, func(rec *httptest.ResponseRecorder) {
				if rec.Code == http.StatusCreated && rec.Body.Len() < n {
					rec.Body.WriteString(strings.Repeat(" ", n-rec.Body.Len()))
				}
			})
		})
	}
}
