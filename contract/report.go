package contract

import (
	"fmt"
	"net/http"
	"net/url"
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
	// Count is the number of violations found, NoticeCount of notices.
	Count       int `json:"count"`
	NoticeCount int `json:"noticeCount"`
	// Violations and Notices list every one, in order, unless Emit (or
	// EmitNotice) is set.
	Violations Violations `json:"violations"`
	Notices    Violations `json:"notices"`
	// Emit, when set, receives each violation as it is found instead of
	// Violations keeping it, and EmitNotice each notice, so that a check of
	// any amount of traffic runs in bounded memory.
	Emit       func(*Violation) `json:"-"`
	EmitNotice func(*Violation) `json:"-"`
	// OnExchange, when set, is called once per exchange read (checked or
	// skipped), in order.
	OnExchange func(ExchangeResult) `json:"-"`
}

// ExchangeResult is the verdict on one exchange of a Report.
type ExchangeResult struct {
	// Name is the exchange's name as violations print it.
	Name string
	// Operation is the operation id; empty when skipped.
	Operation string
	// Skipped: not an operation of the contract.
	Skipped bool
	// Unanswered: no response was recorded; only the request was judged.
	Unanswered bool
	// Violations break the contract; Notices are findings that do not fail
	// a check (see Result.Notices).
	Violations Violations
	Notices    Violations
	// MoreViolations and MoreNotices count what the lists leave out (see
	// Result.MoreViolations).
	MoreViolations, MoreNotices int
}

// Summary is the report's last line: "N exchanges, N conform, N violations",
// then ", N notices" and ", N skipped" when there were any.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%d exchanges, %d conform, %d violations", r.Exchanges, r.Conform, r.Count)
	if r.NoticeCount > 0 {
		s += fmt.Sprintf(", %d notices", r.NoticeCount)
	}
	if r.Unanswered > 0 {
		s += fmt.Sprintf(", %d without a response (only their requests judged)", r.Unanswered)
	}
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped (not operations of the contract)", r.Skipped)
	}
	return s
}

// OK reports whether everything checked conforms.
func (r *Report) OK() bool { return r.Count == 0 }

// Add checks one exchange into the report.
func (v *Validator) Add(r *Report, ex *Exchange) { r.Record(v.Judge(ex)) }

// Judge is the verdict on one exchange as a Report counts it: a response
// alone is checked as CheckResponseAlone checks it, a request alone (no
// response recorded) as a request, and an exchange that is not an
// operation of the contract is Skipped. Like every check, it is safe for
// concurrent use: a reader may judge exchanges in parallel and Record the
// verdicts in order.
func (v *Validator) Judge(ex *Exchange) ExchangeResult {
	var res *Result
	var err error
	if ex.Request == nil && ex.Response != nil {
		res = v.checkResponseAlone(ex)
	} else {
		res, err = v.Check(ex)
	}
	if err != nil {
		return ExchangeResult{Name: ex.Name(), Skipped: true}
	}
	return ExchangeResult{Name: ex.Name(), Operation: res.Operation, Violations: res.Violations, Notices: res.Notices,
		MoreViolations: res.MoreViolations, MoreNotices: res.MoreNotices, Unanswered: ex.Response == nil}
}

// Record counts a verdict (Judge's) into the report, and hands it and its
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
	}
	r.Count += found(res.Violations, res.MoreViolations)
	r.NoticeCount += found(res.Notices, res.MoreNotices)
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

// CheckResponseAlone checks a response whose request is unknown (a
// recording of responses only) against every operation, on every server,
// plain and enveloped, and returns no violation if any of them accepts it;
// otherwise the violations of the closest candidate, with that candidate
// named in each violation's exchange.
func (v *Validator) CheckResponseAlone(ex *Exchange) Violations {
	return v.checkResponseAlone(ex).Violations
}

func (v *Validator) checkResponseAlone(ex *Exchange) *Result {
	var best *Result
	for _, srv := range v.servers {
		for _, rt := range v.routes {
			for _, method := range rt.allow {
				op := rt.ops[method]
				for _, envelope := range []bool{false, true} {
					name := ex.Source
					if name != "" {
						name += " "
					}
					name += fmt.Sprintf("response alone, as %s on %s", op.id, srv.base)
					if envelope {
						name += " with envelope=true"
					}
					name += " → " + fmt.Sprint(ex.Response.StatusCode)
					// A request that could have caused it: the operation's
					// own, with credentials, and an Accept of any version.
					req := &Request{Method: method, URL: &url.URL{Path: srv.base + rt.path}, Header: http.Header{}}
					m := &Match{Operation: op.id, Method: method, Path: rt.path, Server: srv.base, Allow: rt.allow, Envelope: envelope, v: v, srv: srv, op: op, route: v.routeOf(srv, rt, method)}
					c := checker{v: v, ex: &Exchange{Request: req, Response: ex.Response}, m: m, res: &Result{}, name: name}
					c.runResponseOnly()
					c.res.capLists()
					if len(c.res.Violations) == 0 {
						return &Result{}
					}
					if best == nil || len(c.res.Violations)+c.res.MoreViolations < len(best.Violations)+best.MoreViolations {
						best = &Result{Violations: c.res.Violations, MoreViolations: c.res.MoreViolations}
					}
				}
			}
		}
	}
	if best == nil {
		return &Result{}
	}
	return best
}
