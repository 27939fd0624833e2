package conform_test

import (
	"testing"

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
