package recorded_test

import (
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// TestReportSummaryCounts: the summary line says "1 exchange" and
// "2 exchanges", as people write them.
func TestReportSummaryCounts(t *testing.T) {
	for _, tc := range []struct {
		rep  recorded.Report
		want string
	}{
		{recorded.Report{}, "0 exchanges, 0 conform, 0 violations"},
		{recorded.Report{Exchanges: 1, Count: 1, NoticeCount: 1}, "1 exchange, 0 conform, 1 violation, 1 notice"},
		{recorded.Report{Exchanges: 2, Conform: 1, Count: 2, NoticeCount: 2, Unanswered: 1, Skipped: 1},
			"2 exchanges, 1 conform, 2 violations, 2 notices, 1 without a response (only their requests judged), 1 skipped (not operations of the contract)"},
	} {
		if got := tc.rep.Summary(); got != tc.want {
			t.Errorf("Summary() = %q, want %q", got, tc.want)
		}
	}
}
