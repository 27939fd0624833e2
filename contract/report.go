package contract

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ExchangeResult is what checking one exchange found, as Report.OnExchange
// receives it.
type ExchangeResult struct {
	// Name is the exchange's name as violations print it.
	Name string
	// Operation is the operation id, empty when skipped.
	Operation string
	// Skipped: not an operation of the contract.
	Skipped bool
	// Violations are the exchange's violations, in the order found.
	Violations Violations
	// Notices are findings that do not fail a check; empty for now.
	Notices Violations
}

// Report is what checking recorded traffic found.
type Report struct {
	// Exchanges counts the link-token exchanges checked; Conform those
	// without a violation.
	Exchanges int `json:"exchanges"`
	Conform   int `json:"conform"`
	// Skipped counts exchanges that are not link-token operations: counted,
	// not flagged.
	Skipped int `json:"skipped"`
	// Count is the number of violations found.
	Count int `json:"count"`
	// Violations lists every violation, in order, unless Emit is set.
	Violations Violations `json:"violations"`
	// Emit, when set, receives each violation as it is found instead of
	// Violations keeping it, so that a check of any amount of traffic runs
	// in bounded memory.
	Emit func(*Violation) `json:"-"`
	// OnExchange, when set, is called once per exchange read, checked or
	// skipped, in order, after its violations were counted (and emitted).
	OnExchange func(ExchangeResult) `json:"-"`
}

// Summary is the report's last line: "N exchanges, N conform, N violations",
// and ", N skipped" when any were.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%d exchanges, %d conform, %d violations", r.Exchanges, r.Conform, r.Count)
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped (not link-token operations)", r.Skipped)
	}
	return s
}

// OK reports whether everything checked conforms.
func (r *Report) OK() bool { return r.Count == 0 }

// Add checks one exchange into the report.
func (v *Validator) Add(r *Report, ex *Exchange) {
	var vs Violations
	var err error
	var name, op string
	if ex.Request == nil && ex.Response != nil {
		vs, name, op = v.checkResponseAlone(ex)
	} else {
		// A request alone (no response recorded) is checked as a request.
		vs, err = v.Check(ex)
		if r.OnExchange != nil && err == nil {
			name, op = ex.Name(), v.operationID(ex.Request)
		}
	}
	if err != nil {
		r.Skipped++
		if r.OnExchange != nil {
			r.OnExchange(ExchangeResult{Name: ex.Name(), Skipped: true})
		}
		return
	}
	r.Exchanges++
	if len(vs) == 0 {
		r.Conform++
	}
	r.Count += len(vs)
	if r.Emit != nil {
		for _, x := range vs {
			r.Emit(x)
		}
	} else {
		r.Violations = append(r.Violations, vs...)
	}
	if r.OnExchange != nil {
		r.OnExchange(ExchangeResult{Name: name, Operation: op, Violations: vs})
	}
}

// operationID is the id of the operation req routes to; empty for a method
// the path does not declare.
func (v *Validator) operationID(req *Request) string {
	if req == nil || req.URL == nil {
		return ""
	}
	if _, rt, _, ok := v.match(req.URL.EscapedPath()); ok && rt != nil {
		if op := rt.ops[req.Method]; op != nil {
			return op.id
		}
	}
	return ""
}

// CheckFile checks a HAR archive or a raw HTTP exchange file into r. A file
// is taken for a HAR archive when it ends in .har or starts with '{'. Input
// it cannot use comes back as an *InputError; r then holds what was checked
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
		return ReadHAR(br, path, func(ex *Exchange) error {
			v.Add(r, ex)
			return nil
		})
	}
	if _, err := br.Peek(1); err != nil && err != io.EOF {
		return &InputError{Source: path, Err: unwrapPathError(err)}
	}
	exs, err := ReadHTTPFile(path)
	if err != nil {
		return err
	}
	for _, ex := range exs {
		v.Add(r, ex)
	}
	return nil
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
// recording of responses only) against every operation, on every API
// version, plain and enveloped, and returns no violation if any of them
// accepts it; otherwise the violations of the closest candidate, with
// that candidate named in each violation's exchange.
func (v *Validator) CheckResponseAlone(ex *Exchange) Violations {
	vs, _, _ := v.checkResponseAlone(ex)
	return vs
}

// checkResponseAlone is CheckResponseAlone, also returning the name and the
// operation id of the candidate that accepted the response, or else of the
// closest one.
func (v *Validator) checkResponseAlone(ex *Exchange) (best Violations, name, op string) {
	for i := range v.servers {
		srv := &v.servers[i]
		for j := range v.routes {
			rt := &v.routes[j]
			for _, method := range strings.Split(rt.methods, ", ") {
				o := rt.ops[method]
				for _, envelope := range []bool{false, true} {
					n := ex.Source
					if n != "" {
						n += " "
					}
					n += fmt.Sprintf("response alone, as %s on %s", o.id, srv.base)
					if envelope {
						n += " with envelope=true"
					}
					c := checker{v: v, ex: ex, name: n + " → " + fmt.Sprint(ex.Response.StatusCode)}
					v.checkResponse(&c, matched{srv: srv, op: o, envelope: envelope}, ex.Response)
					if len(c.vs) == 0 {
						return nil, c.name, o.id
					}
					if best == nil || len(c.vs) < len(best) {
						best, name, op = c.vs, c.name, o.id
					}
				}
			}
		}
	}
	return best, name, op
}
