package contract

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
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
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped (not operations of the contract)", r.Skipped)
	}
	return s
}

// OK reports whether everything checked conforms.
func (r *Report) OK() bool { return r.Count == 0 }

// Add checks one exchange into the report.
func (v *Validator) Add(r *Report, ex *Exchange) {
	res, err := v.judge(ex)
	r.record(ex, cutBodies{}, res, err)
}

// judge checks one exchange of recorded traffic; err says it is not the
// contract's.
func (v *Validator) judge(ex *Exchange) (*Result, error) {
	if ex.Request == nil && ex.Response != nil {
		return v.checkResponseAlone(ex), nil
	}
	// A request alone (no response recorded) is checked as a request.
	return v.Check(ex)
}

// record adds the verdict on an exchange from a reader, which may have cut
// its bodies, to the report.
func (r *Report) record(ex *Exchange, cut cutBodies, res *Result, err error) {
	if err != nil {
		r.Skipped++
		if r.OnExchange != nil {
			r.OnExchange(ExchangeResult{Name: ex.Name(), Skipped: true})
		}
		return
	}
	cut.explain(res.Violations)
	r.Exchanges++
	if len(res.Violations) == 0 {
		r.Conform++
	}
	r.Count += found(res.Violations, res.MoreViolations)
	r.NoticeCount += found(res.Notices, res.MoreNotices)
	if r.OnExchange != nil {
		r.OnExchange(ExchangeResult{Name: ex.Name(), Operation: res.Operation, Violations: res.Violations, Notices: res.Notices,
			MoreViolations: res.MoreViolations, MoreNotices: res.MoreNotices})
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

// CheckFile checks a HAR archive or a raw HTTP exchange file into r. A file
// is taken for a HAR archive when it ends in .har or starts with '{'. Both
// are read as streams, in bounded memory whatever their size (see
// CheckHAR); a body larger than the validator reads (MaxBodyBytes) is a
// violation (RuleBodyTooLarge) naming its size, and is not read. Input it
// cannot use comes back as an *InputError; r then holds what was checked
// before the problem.
func (v *Validator) CheckFile(r *Report, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &InputError{Source: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if base, ok := strings.CutSuffix(path, RequestFileSuffix); ok {
		if _, err := os.Stat(base + ".http"); err == nil {
			return nil // read with its response, X.http
		}
	}
	if strings.HasSuffix(strings.ToLower(path), ".har") || startsWithBrace(br) {
		return v.CheckHAR(r, br, path)
	}
	if _, err := br.Peek(1); err != nil && err != io.EOF {
		return &InputError{Source: path, Err: unwrapPathError(err)}
	}
	j := v.startJudges(r)
	defer j.stop()
	return readHTTPFile(br, path, v.maxBody, j.add)
}

// CheckHAR checks a HAR 1.2 archive read from har into r, as ReadHAR reads
// it, entry by entry; source names it in violations and errors. Of an
// exchange that is not an operation of the contract it keeps no body, so
// such an exchange is skipped (counted in r.Skipped) whatever its size; a
// body of an operation larger than the validator reads (MaxBodyBytes) is a
// violation (RuleBodyTooLarge) naming its size as recorded, and is not kept.
// Exchanges are judged on every CPU (GOMAXPROCS) while the archive is read
// on, and recorded in r in the order read; memory stays bounded by the few
// entries in flight (judgeWindow per CPU) within those limits, however large
// the archive. Input it cannot use comes back as an *InputError; r then
// holds what was checked before the problem.
func (v *Validator) CheckHAR(r *Report, har io.Reader, source string) error {
	j := v.startJudges(r)
	defer j.stop()
	return readHAR(har, source, harOptions{limit: v.maxBody, need: j.readsBodies}, j.add)
}

func startsWithBrace(br *bufio.Reader) bool {
	for n := 1; n <= 512; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			return false
		}
		c := b[n-1]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF {
			if err != nil {
				return false
			}
			continue
		}
		return c == '{'
	}
	return false
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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
			if !rt.on(srv) {
				continue
			}
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
