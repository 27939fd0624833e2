package contract

import (
	"context"
	"errors"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// listEveryBytes is the largest body whose every violation and notice is
// listed. kin-openapi's MultiErrors builds one SchemaError per failing value
// before the list is cut at MaxListedPerExchange: some 390 bytes allocated
// per byte of a body of bad entries (a million of them in 2 MB held 459 MB),
// memory a hostile peer controls. A larger body is judged without
// MultiErrors, to its first failing value, and decoding it is then the
// largest cost (at most some 60 bytes per byte). Real link-token bodies are
// under 1 KiB; a 64 KiB one of bad entries allocates some 25 MB while every
// finding is listed, as much as decoding the largest body the proxy admits
// (1 MiB) does, so listing never raises what one exchange can cost.
const listEveryBytes = 64 << 10

// stoppedExpected is what an entry closing the findings of a body judged to
// its first failing value expects (stoppedAtFirst): a refusal lists it, as
// the one thing that says the findings may not be all.
const stoppedExpected = "every finding listed, for a body of at most 64 KiB"

// firstOnly reports whether a body of size bytes is judged only to its
// first failing value.
func firstOnly(size int) bool { return size > listEveryBytes }

// validateRequest runs ValidateRequest on c.reqInput. A request body over
// listEveryBytes is left out of that run, which keeps every parameter's
// violation, and judged on its own to its first failing value.
func (c *checker) validateRequest() error {
	input, opts := c.reqInput, c.reqInput.Options
	body := c.m.route.Operation.RequestBody
	if opts.ExcludeRequestBody || body == nil || body.Value == nil || !firstOnly(len(c.req.data)) {
		return openapi3filter.ValidateRequest(context.Background(), input)
	}
	o := *opts
	o.ExcludeRequestBody = true
	input.Options = &o
	err := openapi3filter.ValidateRequest(context.Background(), input)
	o.ExcludeRequestBody, o.MultiError = false, false
	bodyErr := openapi3filter.ValidateRequestBody(context.Background(), input, body.Value)
	input.Options = opts
	c.noteFirstOnly(bodyErr)
	switch {
	case bodyErr == nil:
		return err
	case err == nil:
		return bodyErr
	}
	if me, ok := err.(openapi3.MultiError); ok {
		return append(me, bodyErr) // where ValidateRequest lists the body's
	}
	return openapi3.MultiError{err, bodyErr}
}

// visitResponse runs kin-openapi's schema validator on a response value
// already decoded, as ValidateResponse runs it with this package's options:
// to the first failing value when the response's body is over
// listEveryBytes.
func (c *checker) visitResponse(s *openapi3.Schema, value any) error {
	if firstOnly(len(c.resp.data)) {
		err := s.VisitJSON(value, openapi3.VisitAsResponse())
		c.noteFirstOnly(err)
		return err
	}
	return s.VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsResponse())
}

// noteFirstOnly notes that a body judged to its first failing value failed
// its schema, when err says so: the findings it gave are then not all there
// may be (stoppedAtFirst says so).
func (c *checker) noteFirstOnly(err error) {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		c.stopped = true
	}
}

// stoppedAtFirst closes each list that a body judged to its first failing
// value added findings to since the list's lengths were violations and
// notices, with an entry saying that listing stopped there: a count of
// the rest is not known, as they were not looked for.
func (c *checker) stoppedAtFirst(side Side, size, violations, notices int) {
	if !c.stopped {
		return
	}
	c.stopped = false
	mark := func(list Violations) Violations {
		for _, x := range list {
			if x.Side == side && x.Part == PartBody {
				return Violations{c.violation(side, PartBody, "", RuleOmitted, stoppedExpected,
					fmt.Sprintf("listing stopped at the first: the body is %d bytes, judged only to its first failing value; others may follow", size))}
			}
		}
		return nil
	}
	c.res.Violations = append(c.res.Violations, mark(c.res.Violations[violations:])...)
	c.res.Notices = append(c.res.Notices, mark(c.res.Notices[notices:])...)
}
