package recorded

import (
	"fmt"
	"slices"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// Report is what checking recorded traffic found.
type Report struct {
	// Exchanges counts the exchanges of the contract checked; Conform those
	// without a violation.
	Exchanges int `json:"exchanges"`
	Conform   int `json:"conform"`
	// Skipped counts exchanges that are not operations of the contract:
	// counted, not flagged.
	Skipped int `json:"skipped"`
	// Unanswered counts the exchanges checked whose response was not
	// recorded (a client that gave up, an upstream that never answered):
	// only their requests were judged.
	Unanswered int `json:"unanswered"`
	// NotJudged counts the exchanges checked whose every violation is one
	// the check could not judge (see couldNotJudge): a body too large to
	// read, or held by the archive in part or not at all, credentials its
	// writer removed. They do not conform, and nothing says they broke
	// the contract either.
	NotJudged int `json:"notJudged"`
	// Count is the number of violations found, NoticeCount of notices.
	Count       int `json:"count"`
	NoticeCount int `json:"noticeCount"`
	// Violations and Notices list every one, in order, unless Emit (or
	// EmitNotice) is set.
	Violations contract.Violations `json:"violations"`
	Notices    contract.Violations `json:"notices"`
	// Emit, when set, receives each violation as it is found instead of
	// Violations keeping it, and EmitNotice each notice, so that a check of
	// any amount of traffic runs in bounded memory.
	Emit       func(*contract.Violation) `json:"-"`
	EmitNotice func(*contract.Violation) `json:"-"`
	// OnExchange, when set, is called once per exchange read (checked or
	// skipped), in order.
	OnExchange func(ExchangeResult) `json:"-"`
}

// ExchangeResult is the verdict on one exchange of a Report: the check's
// Result (empty when skipped), and what the report counts beside it.
type ExchangeResult struct {
	// Name is the exchange's name as violations print it.
	Name string
	// Skipped: not an operation of the contract.
	Skipped bool
	// Unanswered: no response was recorded; only the request was judged.
	Unanswered bool
	contract.Result
}

// Summary is the report's last line: "N exchanges, N conform, N violations",
// then ", N notices" and ", N skipped" when there were any; a count of one
// takes the singular ("1 exchange").
func (r *Report) Summary() string {
	s := fmt.Sprintf("%s, %d conform, %s", plural.Count(r.Exchanges, "exchange"), r.Conform, plural.Count(r.Count, "violation"))
	if r.NoticeCount > 0 {
		s += ", " + plural.Count(r.NoticeCount, "notice")
	}
	if r.NotJudged > 0 {
		s += fmt.Sprintf(", %d not judged whole (a body too large, or not all recorded)", r.NotJudged)
	}
	if r.Unanswered > 0 {
		s += fmt.Sprintf(", %d without a response (only their requests judged)", r.Unanswered)
	}
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped (not operations of the contract)", r.Skipped)
	}
	return s
}

// Broke counts the exchanges checked that broke the contract: those with a
// violation the check could judge.
func (r *Report) Broke() int { return r.Exchanges - r.Conform - r.NotJudged }

// couldNotJudge reports whether a violation says the check could not judge
// what it is about rather than that it breaks the contract: a body larger
// than the check reads, or one the recording holds in part or not at all
// (contract.RuleBodyTooLarge), or credentials the archive's writer removed.
func couldNotJudge(v *contract.Violation) bool {
	return v.NotJudged() || v.Rule == contract.RuleSecurity && v.Found == credentialsRemoved
}

func judged(v *contract.Violation) bool { return !couldNotJudge(v) }

// OK reports whether everything checked conforms.
func (r *Report) OK() bool { return r.Count == 0 }

// Record counts a verdict into the report, and hands it and its
// findings to OnExchange, Emit and EmitNotice when they are set.
func (r *Report) Record(res ExchangeResult) {
	if res.Skipped {
		r.Skipped++
		if r.OnExchange != nil {
			r.OnExchange(res)
		}
		return
	}
	r.Exchanges++
	if res.Unanswered {
		r.Unanswered++
	}
	if len(res.Violations) == 0 {
		r.Conform++
	} else if !slices.ContainsFunc(res.Violations, judged) {
		r.NotJudged++
	}
	// Counted as the check counts them: listed or not.
	r.Count += res.ViolationCount()
	r.NoticeCount += res.NoticeCount()
	if r.OnExchange != nil {
		r.OnExchange(res)
	}
	if r.Emit != nil {
		for _, x := range res.Violations {
			r.Emit(x)
		}
	} else {
		r.Violations = append(r.Violations, res.Violations...)
	}
	if r.EmitNotice != nil {
		for _, x := range res.Notices {
			r.EmitNotice(x)
		}
	} else {
		r.Notices = append(r.Notices, res.Notices...)
	}
}
