package contract

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// Result is the verdict on one exchange.
type Result struct {
	// Operation is the operationId the request is for ("" for a method the
	// path does not declare).
	Operation string `json:"operation"`
	// Violations break the contract.
	Violations Violations `json:"violations"`
	// Notices are what a strict check would refuse but the service may
	// well do: a response property the contract does not declare (MongoDB
	// adds properties within a resource version) or an undeclared query
	// parameter. They never make a check fail unless it is Strict, which
	// reports them as violations instead.
	Notices Violations `json:"notices"`
	// MoreViolations and MoreNotices count what was found past the first
	// MaxListedPerExchange of each, which are not listed: the list then
	// ends with a RuleOmitted entry that says how many ("… and N more"),
	// so every output that prints the list shows the count.
	MoreViolations int `json:"moreViolations,omitempty"`
	MoreNotices    int `json:"moreNotices,omitempty"`
}

// ViolationCount is how many violations were found, listed or not.
func (r *Result) ViolationCount() int { return found(r.Violations, r.MoreViolations) }

// NoticeCount is how many notices were found, listed or not.
func (r *Result) NoticeCount() int { return found(r.Notices, r.MoreNotices) }

// OK reports whether the exchange conforms (notices aside).
func (r *Result) OK() bool { return len(r.Violations) == 0 }

// Check checks a request and, if present, its response, returning every
// violation and notice. A response without its request (a recording of
// responses only) is checked against every operation, on every server,
// plain and enveloped: no violation if any of them accepts it, otherwise
// the violations of the closest, named in each violation's exchange. err
// is non-nil only for an exchange whose request is not one of the
// contract's operations (errors.Is(err, ErrNotInContract)) or that has
// neither request nor response.
func (v *Validator) Check(ex *Exchange) (*Result, error) {
	if ex != nil && ex.Request == nil && ex.Response != nil {
		return v.checkResponseAlone(ex), nil
	}
	if ex == nil || ex.Request == nil || ex.Request.URL == nil {
		return nil, errNoRequest
	}
	var m Match
	if !v.match(ex.Request.Method, ex.Request.URL, &m) {
		return nil, fmt.Errorf("%s %s: %w", ex.Request.Method, ex.Request.URL.Path, ErrNotInContract)
	}
	return v.checkMatch(&m, ex), nil
}

// checkMatch is Check for a caller that has already matched the request
// (a server or transport that needs the match for itself, and
// serverside.CheckMatch): it routes nothing again.
func (v *Validator) checkMatch(m *Match, ex *Exchange) *Result {
	return v.checkRequest(m, ex).finish()
}

// checkRequest judges ex's request, and only it, as a server must before
// it answers; finish then judges the response ex has by then and the rules
// that read both halves, on what this found, without judging the request
// again (Middleware).
func (v *Validator) checkRequest(m *Match, ex *Exchange) *checker {
	c := &checker{v: v, ex: ex, m: m, res: &Result{Operation: m.Operation}}
	c.runRequest()
	return c
}

// requestVerdict is the verdict on the request as checkRequest left it,
// its lists capped; the checker goes on to finish.
func (c *checker) requestVerdict() *Result {
	r := *c.res
	r.capLists()
	return &r
}

// answer finishes the check of the request checkRequest judged alone
// (Middleware) with its response: the request's findings, named before it
// came, are renamed for the whole exchange.
func (c *checker) answer(resp *Response) *Result {
	c.ex.Response = resp
	if c.name != "" {
		c.name = c.ex.Name()
		for _, list := range []Violations{c.res.Violations, c.res.Notices} {
			for _, x := range list {
				x.Exchange = c.name
			}
		}
	}
	return c.finish()
}

// finish judges the response, if any, and the rules that read both halves,
// and returns the verdict on the whole exchange.
func (c *checker) finish() *Result {
	c.runResponse()
	c.res.capLists()
	return c.res
}

// checker holds one exchange while it is checked.
type checker struct {
	v    *Validator
	ex   *Exchange
	m    *Match
	res  *Result
	name string

	req, resp messageBody
	// security is the problem of credentials that meet no requirement of
	// the operation (nil when one is met, or none were sent).
	security *credentialError
	// enveloped: the response is an envelope; inner is the response it
	// wraps (nil when that is not known), for status innerStatus.
	enveloped   bool
	inner       *response
	innerStatus int
	// plainForEnvelope: a plain body answered envelope=true (reported);
	// its schema is not checked as an envelope's.
	plainForEnvelope bool
	// anonymous: the request carries no credentials where the operation
	// wants some; it conforms only as the digest handshake's first half
	// (see handshakeRule).
	anonymous bool
	// bodyDeferred: the request came anonymous and without a body, which
	// the handshake's first half need not carry: whether it had to is
	// judged once the answer says it was not that (handshakeRule).
	bodyDeferred bool
	// reqInput is the request as kin-openapi judged it, for the response.
	reqInput *openapi3filter.RequestValidationInput
	// stopped: a body judged to its first failing value failed (see
	// stoppedAtFirst).
	stopped bool
}

// runRequest checks the request: the project's own rules, then
// kin-openapi.
func (c *checker) runRequest() {
	if c.m.op == nil {
		c.add(SideRequest, PartMethod, "", RuleMethod, strings.Join(c.m.Allow, ", "), `"`+c.ex.Request.Method+`"`)
		return
	}
	c.req = c.readBody(SideRequest, c.ex.Request.Header, c.ex.Request.Body)
	c.requestRules()
	c.kinRequest()
}

// runResponse checks the response, if any, and the rules that read both
// halves: the project's own, then kin-openapi.
func (c *checker) runResponse() {
	if c.m.op == nil {
		return
	}
	if c.ex.Response != nil {
		c.resp = c.readBody(SideResponse, c.ex.Response.Header, c.ex.Response.Body)
		c.responseRules()
	}
	c.handshakeRule()
	if c.ex.Response != nil {
		c.kinResponse()
	}
}

// runResponseOnly checks only the response, as the answer to the request
// c.ex holds, which is not judged: a response whose request is unknown
// (see Check). The request's rules not having run, no rule that reads
// both halves has anything to say.
func (c *checker) runResponseOnly() {
	c.reqInput = &openapi3filter.RequestValidationInput{
		Request:    &http.Request{Method: c.ex.Request.Method, URL: c.ex.Request.URL, Header: c.ex.Request.Header},
		PathParams: c.m.params, Route: c.m.route, Options: c.v.options,
	}
	c.runResponse()
}

// add records a violation.
func (c *checker) add(side Side, part Part, ptr, rule, expected, found string) {
	c.res.Violations = append(c.res.Violations, c.violation(side, part, ptr, rule, expected, found))
}

// notice records a notice, or a violation when the check is strict.
func (c *checker) notice(side Side, part Part, ptr, rule, expected, found string) {
	if c.v.strict {
		c.add(side, part, ptr, rule, expected, found)
		return
	}
	c.res.Notices = append(c.res.Notices, c.violation(side, part, ptr, rule, expected, found))
}

func (c *checker) violation(side Side, part Part, ptr, rule, expected, found string) *Violation {
	if c.name == "" {
		c.name = c.ex.Name()
	}
	return &Violation{Exchange: c.name, Side: side, Part: part, Pointer: ptr, Rule: rule, Expected: expected, Found: found}
}
