package conform

import (
	"fmt"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// Kind says what a request was sent to learn.
type Kind string

// The kinds of request.
const (
	Positive Kind = "positive" // the contract accepts it
	Negative Kind = "negative" // it breaks one rule of the contract
	Security Kind = "security" // it carries no valid credentials
	Probe    Kind = "probe"    // it tests an assumption of the contract
)

// Outcome is what one request found.
type Outcome struct {
	Kind Kind   `json:"kind"`
	Case string `json:"case"`
	// Request is the request, method and URL, with nothing secret in it.
	Request string `json:"request"`
	// Replay is a curl command line that sends it again, credentials
	// referred to by environment variable.
	Replay   string    `json:"replay"`
	Status   int       `json:"status"`
	Failures []Failure `json:"failures,omitempty"`
	// Observation is what a probe saw.
	Observation string `json:"observation,omitempty"`
	Err         string `json:"error,omitempty"`
	// Unanswered: the request was sent, or tried, and no answer came
	// (refused, reset, timed out); Err says which.
	Unanswered bool `json:"unanswered,omitempty"`
	// Throttled: the last answer was a 429 (after the run's attempts, or
	// with a Retry-After longer than it waits). The 429 is judged as an
	// answer; what the request was sent to learn is not. Err says which.
	Throttled bool `json:"throttled,omitempty"`
	// BodyNotJudged: the answer's body was larger than the validator
	// reads (contract.MaxBodyBytes); its status and headers were judged,
	// its body was not (a probe's, nothing of it). Err says so.
	BodyNotJudged bool `json:"bodyNotJudged,omitempty"`
}

// Failure is one check an answer failed.
type Failure struct {
	Check  string `json:"check"`
	Detail string `json:"detail"`
}

// Verdict is what a run amounts to. A run that could not judge never
// passes: no answer, no check, or something left behind each has its own
// verdict, so CI can tell them from a contract failure.
type Verdict string

// The verdicts, in the order they win when several apply.
const (
	// VerdictLeftBehind: the run could not remove what it created, or may
	// have created; it needs a person.
	VerdictLeftBehind Verdict = "left-behind"
	// VerdictFailed: a check failed: the server broke the contract.
	VerdictFailed Verdict = "failed"
	// VerdictNoAnswer: a request had no answer (refused, reset, timed
	// out), or only a 429 (Throttled): it was not judged.
	VerdictNoAnswer Verdict = "no-answer"
	// VerdictNotJudged: no check failed and every request was answered,
	// but some answer's body was larger than the check reads
	// (BodyNotJudged).
	VerdictNotJudged Verdict = "not-judged"
	// VerdictNothingChecked: no check ran at all.
	VerdictNothingChecked Verdict = "nothing-checked"
	// VerdictPass: every check ran on an answer and passed, and what the
	// run created is gone.
	VerdictPass Verdict = "pass"
)

// Report is the whole run.
type Report struct {
	Verdict    Verdict `json:"verdict"`
	Requests   int     `json:"requests"`
	Unanswered int     `json:"unanswered"`
	// Throttled counts the requests whose last answer was a 429.
	Throttled int `json:"throttled"`
	// NotJudged counts the answers whose body was not judged
	// (Outcome.BodyNotJudged).
	NotJudged    int `json:"notJudged"`
	Checks       int `json:"checks"`
	Failed       int `json:"failed"`
	Observations int `json:"observations"`
	// Outcomes are the requests in the order sent; the removals at the
	// end are in Cleanup.
	Outcomes []Outcome `json:"outcomes"`
	// Truncated: the request budget ran out before every case was sent.
	Truncated bool `json:"truncated,omitempty"`
	// Stopped says why the run ended before its plan did, if it did.
	Stopped string `json:"stopped,omitempty"`
	// Notes say what was not exercised or not probed, and why.
	Notes []string `json:"notes,omitempty"`
	// Cleanup is one line on the removals; Removals each removal sent.
	Cleanup  string    `json:"cleanup,omitempty"`
	Removals []Removal `json:"removals,omitempty"`
	// LeftBehind counts what the run created, or may have, and could not
	// remove.
	LeftBehind int `json:"leftBehind"`
}

// Removal is one thing the run created, or may have, and what became of
// it at the end.
type Removal struct {
	// Created is the request that created it (no secret).
	Created string `json:"created"`
	// Request is the removing request (no secret); empty when the contract
	// gave no way to build it.
	Request string `json:"request,omitempty"`
	Status  int    `json:"status,omitempty"`
	Removed bool   `json:"removed"`
	// Allowed: not removed, because the contract gives no way to, and the
	// user let the operation run knowing that (or the server is on
	// loopback); not counted as left behind.
	Allowed bool   `json:"allowed,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

func (r *Report) verdict() Verdict {
	switch {
	case r.LeftBehind > 0:
		return VerdictLeftBehind
	case r.Failed > 0:
		return VerdictFailed
	case r.Unanswered > 0 || r.Throttled > 0:
		return VerdictNoAnswer
	case r.NotJudged > 0:
		return VerdictNotJudged
	case r.Checks == 0:
		return VerdictNothingChecked
	}
	return VerdictPass
}

// Summary is the report's last lines: the counts, then what the run
// amounts to when it did not pass.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%s, %d without an answer, %s, %d failed, %s",
		plural.Count(r.Requests, "request"), r.Unanswered, plural.Count(r.Checks, "check"), r.Failed, plural.Count(r.Observations, "observation"))
	if r.Truncated {
		s += " (request budget reached)"
	}
	var why []string
	if r.Stopped != "" {
		why = append(why, "stopped early: "+r.Stopped)
	}
	// Every reason the run did not pass, the one that decides its verdict
	// first.
	if r.LeftBehind > 0 {
		why = append(why, fmt.Sprintf("LEFT BEHIND: %s the run created, or may have, could not be removed", plural.Count(r.LeftBehind, "thing")))
	}
	if r.Failed > 0 {
		why = append(why, fmt.Sprintf("FAILED: %d of %s failed", r.Failed, plural.Count(r.Checks, "check")))
	}
	if r.Unanswered > 0 {
		why = append(why, fmt.Sprintf("NOT JUDGED: %s had no answer", plural.Count(r.Unanswered, "request")))
	}
	if r.Throttled > 0 {
		why = append(why, fmt.Sprintf("NOT JUDGED: %s answered only 429 (rate-limited)", plural.Count(r.Throttled, "request")))
	}
	if r.NotJudged > 0 {
		why = append(why, fmt.Sprintf("NOT JUDGED: %s had a body larger than the check reads", plural.Count(r.NotJudged, "answer")))
	}
	if r.Checks == 0 {
		why = append(why, "NOT JUDGED: no check ran")
	}
	if len(why) > 0 {
		s += "\n" + strings.Join(why, "\n")
	}
	return s
}
