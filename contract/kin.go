package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// The judge: kin-openapi's own engine (the router, ValidateRequest,
// ValidateResponse, the schema validator), run on what the project's rules
// have already read, its errors turned into this package's violations.

// kinRequest checks the request with kin-openapi and records what it
// finds, on the route kin-openapi's router found when the request was
// matched; c.reqInput is then the request as judged, for the response.
func (c *checker) kinRequest() {
	// Path parameters are judged as the server reads them: the router's
	// are still escaped (gorilla/mux matches the escaped path), and
	// kin-openapi does not unescape them. Most carry no escape: those are
	// handed over as found, without a copy.
	params := c.m.params
	for _, p := range params {
		if strings.Contains(p, "%") {
			params = c.m.unescapedPathParams()
			break
		}
	}
	opts := c.v.options
	if c.m.op != nil && c.m.op.setsDefaults {
		opts = c.v.optionsDefaults
	}
	if c.req.unreadable || c.bodyDeferred {
		// Its rule has said why it cannot be read, or the handshake's first
		// request may come without it (handshakeRule judges it).
		o := *opts
		o.ExcludeRequestBody = true
		opts = &o
	}
	c.reqInput = c.kinRequestInput(params, opts)
	violations, notices := len(c.res.Violations), len(c.res.Notices)
	err := c.validateRequest()
	if p := c.security; p != nil {
		// First among the request's findings, where openapi3filter lists a
		// security failure.
		expected := p.expected
		if expected == "" {
			expected = c.m.op.expectedAuth(c.m.srv)
		}
		c.add(SideRequest, PartHeader, "/Authorization", RuleSecurity, expected, p.found)
	}
	c.addKinErrors(err)
	c.stoppedAtFirst(SideRequest, len(c.req.data), violations, notices)
}

// kinRequestInput is the request as kin-openapi reads it: its body decoded
// from its Content-Encoding, its query as the match parsed it
// (kin-openapi parses it once per input, the same way, unless given it).
func (c *checker) kinRequestInput(params map[string]string, opts *openapi3filter.Options) *openapi3filter.RequestValidationInput {
	req := c.ex.Request
	hreq := &http.Request{
		Method: req.Method, URL: req.URL, Header: c.req.header, Host: req.URL.Host,
		Body: io.NopCloser(bytes.NewReader(c.req.data)), ContentLength: int64(len(c.req.data)),
	}
	if !opts.SkipSettingDefaults {
		// openapi3filter writes a missing parameter's default into the
		// request's URL or headers: those of a copy.
		u := *req.URL
		hreq.URL, hreq.Header = &u, hreq.Header.Clone()
	}
	if hreq.Header == nil {
		hreq.Header = http.Header{}
	}
	return &openapi3filter.RequestValidationInput{Request: hreq, PathParams: params, QueryParams: c.m.query, Route: c.m.route, Options: opts}
}

func (c *checker) kinResponse() {
	resp := c.ex.Response
	defer c.stoppedAtFirst(SideResponse, len(c.resp.data), len(c.res.Violations), len(c.res.Notices))
	if c.enveloped {
		c.kinEnvelope()
		return
	}
	rs := c.m.op.status(resp.StatusCode)
	if rs == nil {
		return // RuleStatus is reported
	}
	// One ValidateResponse call on the whole response (headers and body,
	// closed when strict), as plain openapi3filter makes it, judges a
	// response that conforms, or whose headers do and whose body does not.
	// It stops at the first header that fails and then skips the body: the
	// parts are then asked about one by one, to report every violation.
	if _, coded := resp.Header["Content-Encoding"]; coded || rs.hasContent && (c.resp.unreadable || len(c.resp.data) == 0) {
		c.kinParts(rs, resp.StatusCode, nil) // the parts' own checks say what is wrong
		return
	}
	// Where closing only narrows the body's schemas, the closed ones are
	// asked first: their acceptance means no violation and no notice.
	closedFirst := !c.v.strict && rs.hasContent && rs.closedNarrows
	route := rs.whole
	if c.v.strict || closedFirst {
		route = rs.closedWhole
	}
	status := resp.StatusCode
	err := c.validateResponse(route, status, c.resp.header, c.resp.data)
	switch {
	case err == nil:
		if rs.hasContent && !c.v.strict && !closedFirst {
			c.bodyNotices(rs, status, c.resp.data, c.resp.value(), "")
		}
	case !isBodyError(err):
		// A header failed (the same under either schema), or the
		// Content-Type: each part on its own.
		c.kinParts(rs, status, err)
	case closedFirst:
		// Every header passed; the closed schemas refused the body.
		c.closedVerdict(rs, status, c.resp.data, "", err)
	default:
		// Every header passed; this is the body's verdict.
		c.kinBodyVerdict(rs, status, c.resp.data, "", err)
	}
}

// isBodyError reports whether ValidateResponse's error is about the body,
// which it reaches only once every header has passed.
func isBodyError(err error) bool {
	var re *openapi3filter.ResponseError
	return errors.As(err, &re) && (strings.HasPrefix(re.Reason, "response body ") || strings.HasSuffix(re.Reason, " response body"))
}

// closedVerdict records the verdict on a body (or an envelope's content,
// under prefix) whose closed schemas, which closing only narrowed, said
// err: nothing when they accept it; otherwise the open schemas' violations
// and, as notices, the undeclared properties the closed ones refused
// (found in err, without asking them again).
func (c *checker) closedVerdict(rs *response, status int, data []byte, prefix string, err error) {
	switch {
	case err == nil:
	case rs.closedFlat && c.splitClosed(prefix, err):
	default:
		c.addResponseBodyError(prefix, c.validateResponse(rs.body, status, c.resp.header, data), false)
		c.addResponseBodyError(prefix, err, true)
	}
}

// splitClosed records what the closed schemas refused of a body, when the
// headers passed and the schemas are flat: then the closed schemas refuse
// exactly what the open ones do, and the undeclared properties closing
// added, which are notices. It reports false, recording nothing, for any
// other verdict.
func (c *checker) splitClosed(prefix string, err error) bool {
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) || !strings.HasPrefix(re.Reason, "response body doesn't match") || re.Err == nil {
		return false
	}
	var open, undeclared openapi3.MultiError
	var split func(error)
	split = func(err error) {
		if me, ok := err.(openapi3.MultiError); ok {
			for _, e := range me {
				split(e)
			}
			return
		}
		if se, ok := err.(*openapi3.SchemaError); ok && c.v.closedAdded[se.Schema] && isUnsupportedProperty(se) {
			undeclared = append(undeclared, err)
			return
		}
		open = append(open, err)
	}
	split(re.Err)
	if len(open) > 0 {
		c.res.Violations = append(c.res.Violations, c.schemaViolations(SideResponse, PartBody, prefix, open)...)
	}
	if len(undeclared) > 0 {
		for _, x := range c.schemaViolations(SideResponse, PartBody, prefix, undeclared) {
			c.notice(x.Side, x.Part, x.Pointer, x.Rule, x.Expected, x.Found)
		}
	}
	return true
}

// isUnsupportedProperty reports whether se is kin-openapi's refusal of a
// property its object schema does not declare.
func isUnsupportedProperty(se *openapi3.SchemaError) bool {
	_, ok := unsupportedProperty(se.Reason)
	return ok && se.SchemaField == "properties"
}

// kinParts checks a response's headers and body each on its own. whole is
// ValidateResponse's error on the whole response, when it was asked.
func (c *checker) kinParts(rs *response, status int, whole error) {
	c.kinHeaders(rs, status, whole)
	if rs.hasContent && !c.resp.unreadable {
		c.kinBody(rs, status, c.resp.data, "")
	}
}

// validateResponse runs ValidateResponse on route for the response, with
// the request as kin-openapi read it: a body over listEveryBytes to its
// first failing value.
func (c *checker) validateResponse(route *routers.Route, status int, header http.Header, data []byte) error {
	in := *c.reqInput
	in.Route = route
	var body io.ReadCloser = http.NoBody
	opts := c.v.options
	if len(data) > 0 {
		body = io.NopCloser(bytes.NewReader(data))
		if firstOnly(len(data)) {
			o := *opts
			o.MultiError = false
			opts = &o
		}
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &in, Status: status, Header: header, Body: body, Options: opts,
	})
	if opts != c.v.options {
		c.noteFirstOnly(err)
	}
	return err
}

// kinHeaders checks the declared headers: all at once, then, when one
// fails, each on its own. whole, when not nil, is ValidateResponse's error
// on the whole response, which judges every header before the rest: when
// it names a header, that one failed, and otherwise every header passed.
func (c *checker) kinHeaders(rs *response, status int, whole error) {
	if len(rs.headers) == 0 {
		return
	}
	failed := -1
	if whole == nil {
		if whole = c.validateResponse(rs.allHeaders, status, c.ex.Response.Header, nil); whole == nil {
			return
		}
		failed = failedHeader(rs, whole)
	} else if failed = failedHeader(rs, whole); failed < 0 {
		return
	}
	c.eachHeader(rs, status, failed, whole)
}

// eachHeader checks each declared header on its own, when one fails.
// ValidateResponse checks them in name order, as rs lists them, and stops
// at the first that fails: those before the one failed (rs.headers[failed],
// whose error is err) passed; only those after it are asked about again.
// With failed -1 (an error that names no header), every one is asked.
func (c *checker) eachHeader(rs *response, status, failed int, err error) {
	start := 0
	if failed >= 0 {
		c.headerError(&rs.headers[failed], err)
		start = failed + 1
	}
	for i := start; i < len(rs.headers); i++ {
		h := &rs.headers[i]
		c.headerError(h, c.validateResponse(h.route, status, c.ex.Response.Header, nil))
	}
}

// failedHeader is the index in rs.headers of the header ValidateResponse's
// err names (validateResponseHeader's reasons: `response header "X" …`,
// `unable to decode header "X" value`), or -1.
func failedHeader(rs *response, err error) int {
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) {
		return -1
	}
	for i := range rs.headers {
		if strings.Contains(re.Reason, rs.headers[i].named) {
			return i
		}
	}
	return -1
}

// headerError records ValidateResponse's error on one header.
func (c *checker) headerError(h *headerCheck, err error) {
	var re *openapi3filter.ResponseError
	switch {
	case err == nil:
	case errors.As(err, &re) && strings.HasSuffix(re.Reason, " missing"):
		c.add(SideResponse, PartHeader, "/"+h.name, RuleRequiredHeader, "the header (required)", "absent")
	case errors.As(err, &re) && re.Err != nil:
		c.addValueError(SideResponse, PartHeader, h.name, h.header.Schema, re.Err)
	default:
		c.add(SideResponse, PartHeader, "/"+h.name, "schema", "a value the header's schema accepts", err.Error())
	}
}

// kinBody checks a response body (or an envelope's content, under prefix)
// against rs: the open schemas for violations and, unless strict, the
// closed ones for notices of undeclared properties.
func (c *checker) kinBody(rs *response, status int, data []byte, prefix string) {
	if len(data) == 0 {
		c.add(SideResponse, PartBody, prefix, RuleRequired, "a body of "+rs.types, "no body")
		return
	}
	if !c.declaresContentType(rs) {
		return
	}
	switch {
	case c.v.strict:
		c.addResponseBodyError(prefix, c.validateResponse(rs.closedBody, status, c.resp.header, data), false)
	case rs.closedNarrows:
		// As for a whole response: the closed schemas first.
		c.closedVerdict(rs, status, data, prefix, c.validateResponse(rs.closedBody, status, c.resp.header, data))
	default:
		c.kinBodyVerdict(rs, status, data, prefix, c.validateResponse(rs.body, status, c.resp.header, data))
	}
}

// kinBodyVerdict records ValidateResponse's verdict on a body (closed when
// strict) and, unless strict, the notices.
func (c *checker) kinBodyVerdict(rs *response, status int, data []byte, prefix string, err error) {
	c.addResponseBodyError(prefix, err, false)
	if c.v.strict {
		return
	}
	value := c.resp.value()
	if prefix != "" {
		obj, _ := value.(map[string]any)
		value = obj["content"]
	}
	c.bodyNotices(rs, status, data, value, prefix)
}

// bodyNotices reports, as notices, the properties a body (or an envelope's
// content, under prefix) has that the closed schemas do not declare.
// kin-openapi's schema validator runs on value, the body already decoded
// (ValidateResponse would decode it a second time to no other end), when
// there is one.
func (c *checker) bodyNotices(rs *response, status int, data []byte, value any, prefix string) {
	closed := c.closedSchema(rs)
	if value == nil || closed == nil {
		c.addResponseBodyError(prefix, c.validateResponse(rs.closedBody, status, c.resp.header, data), true)
		return
	}
	if err := c.visitResponse(closed, value); err != nil {
		c.undeclaredNotices(c.schemaViolations(SideResponse, PartBody, prefix, err))
	}
}

// closedSchema is the closed schema of rs's body in the response's media
// type; nil when it has none.
func (c *checker) closedSchema(rs *response) *openapi3.Schema {
	closed := rs.closedBody.Operation.Responses.Value(rs.key).Value.Content.Get(c.ex.Response.Header.Get("Content-Type"))
	if closed == nil || closed.Schema == nil {
		return nil
	}
	return closed.Schema.Value
}

// addResponseBodyError records what ValidateResponse said of a body; with
// onlyNotices, only the properties a closed schema refuses, as notices.
func (c *checker) addResponseBodyError(prefix string, err error, onlyNotices bool) {
	if err == nil {
		return
	}
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) || re.Err == nil {
		if !onlyNotices {
			c.add(SideResponse, PartBody, prefix, "schema", "a body the contract accepts", err.Error())
		}
		return
	}
	if strings.HasPrefix(re.Reason, "failed to decode") {
		if !onlyNotices && !c.resp.unreadable {
			c.add(SideResponse, PartBody, prefix, RuleJSON, "a body of the declared media type", "undecodable ("+re.Err.Error()+")")
		}
		return
	}
	vs := c.schemaViolations(SideResponse, PartBody, prefix, re.Err)
	if onlyNotices {
		c.undeclaredNotices(vs)
		return
	}
	c.res.Violations = append(c.res.Violations, vs...)
}

// undeclaredNotices records, as notices, the properties of vs that a
// closed schema refused for being undeclared.
func (c *checker) undeclaredNotices(vs Violations) {
	for _, x := range vs {
		if x.Rule == RuleAdditionalProps {
			c.notice(x.Side, x.Part, x.Pointer, x.Rule, x.Expected, x.Found)
		}
	}
}

// declaresContentType reports whether rs declares the response's
// Content-Type, recording a violation when it does not.
func (c *checker) declaresContentType(rs *response) bool {
	ct := c.ex.Response.Header.Get("Content-Type")
	if rs.ref.Value.Content.Get(ct) != nil {
		return true
	}
	c.add(SideResponse, PartHeader, "/Content-Type", RuleContentType, rs.types, describeContentType(ct))
	return false
}

// describeContentType is what a violation says was found of a
// Content-Type that is not the one expected.
func describeContentType(ct string) string {
	if ct == "" {
		return "no Content-Type"
	}
	return strconv.Quote(ct)
}

// kinEnvelope checks an enveloped response: the envelope against its
// schema, then the headers and content of the response it wraps.
func (c *checker) kinEnvelope() {
	ok200 := c.m.op.status(http.StatusOK)
	if c.plainForEnvelope || ok200 == nil || ok200.envelope == nil || len(c.ex.Response.Body) == 0 {
		return
	}
	// The envelope is a body of the 200: in one of its media types.
	if !c.declaresContentType(ok200) {
		return
	}
	if c.resp.unreadable || c.resp.value() == nil {
		return
	}
	value := c.resp.value()
	envelopeFrom := len(c.res.Violations)
	switch {
	case c.v.strict:
		c.res.Violations = append(c.res.Violations, c.schemaViolations(SideResponse, PartBody, "", c.visitResponse(ok200.closedEnvelope, value))...)
	case ok200.envelopeNarrows && c.visitResponse(ok200.closedEnvelope, value) == nil:
		// The open envelope accepts what the closed one does; no notice.
	default:
		c.res.Violations = append(c.res.Violations, c.schemaViolations(SideResponse, PartBody, "", c.visitResponse(ok200.envelope, value))...)
		c.undeclaredNotices(c.schemaViolations(SideResponse, PartBody, "", c.visitResponse(ok200.closedEnvelope, value)))
	}
	if c.inner == nil {
		return
	}
	c.kinHeaders(c.inner, c.innerStatus, nil)
	obj, _ := value.(map[string]any)
	content := obj["content"]
	if !c.inner.hasContent || content == nil {
		return
	}
	if closed := c.closedSchema(c.inner); !c.v.strict && c.inner.closedNarrows && closed != nil && c.visitResponse(closed, content) == nil {
		return // as for a plain body: no violation and no notice
	}
	data, err := json.Marshal(content)
	if err != nil {
		return
	}
	envelopeTo := len(c.res.Violations)
	c.kinBody(c.inner, c.innerStatus, data, "/content")
	// The envelope's schema and the response it wraps both judge /content
	// (a string where an object is due): a place is reported once, as
	// within one schema (schemaViolations).
	seen := map[string]bool{}
	for _, x := range c.res.Violations[envelopeFrom:envelopeTo] {
		if x.Side == SideResponse && x.Part == PartBody {
			seen[x.Pointer] = true
		}
	}
	inner := slices.DeleteFunc(c.res.Violations[envelopeTo:], func(x *Violation) bool {
		return x.Side == SideResponse && x.Part == PartBody && seen[x.Pointer]
	})
	c.res.Violations = c.res.Violations[:envelopeTo+len(inner)]
}

// addKinErrors turns ValidateRequest's errors into violations.
func (c *checker) addKinErrors(err error) {
	if err == nil {
		return
	}
	if me, ok := err.(openapi3.MultiError); ok { // the list itself, not one an error wraps
		for _, e := range me {
			c.addKinErrors(e)
		}
		return
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		c.add(SideRequest, PartPath, "", "request", "a request the contract accepts", err.Error())
		return
	}
	switch {
	case re.Parameter != nil:
		c.addParameterError(re)
	case re.RequestBody != nil || strings.Contains(re.Error(), "request body"):
		c.addRequestBodyError(re)
	default:
		c.add(SideRequest, PartHeader, "", "request", "a request the contract accepts", re.Error())
	}
}

func (c *checker) addParameterError(re *openapi3filter.RequestError) {
	p := re.Parameter
	part := Part(p.In)
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		c.add(SideRequest, part, "/"+pointerEscape(p.Name), RuleRequired, "the parameter (required)", "absent")
	case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
		c.add(SideRequest, part, "/"+pointerEscape(p.Name), RuleEmptyValue, "a value", "an empty value")
	default:
		c.addValueError(SideRequest, part, p.Name, p.Schema, re.Err)
	}
}

// addValueError records why a parameter or header value failed: it did not
// parse as its type, or its schema refused it.
func (c *checker) addValueError(side Side, part Part, name string, schema *openapi3.SchemaRef, err error) {
	ptr := "/" + pointerEscape(name)
	var pe *openapi3filter.ParseError
	if errors.As(err, &pe) {
		expected := "a value of its type"
		if schema != nil {
			expected = typeOf(schema.Value)
			if schema.Value.Type.Is(openapi3.TypeBoolean) {
				expected = "boolean (true or false)"
			}
		}
		c.add(side, part, ptr, RuleParameterType, expected, describeValue(pe.Value))
		return
	}
	vs := c.schemaViolations(side, part, ptr, err)
	if len(vs) == 0 {
		c.add(side, part, ptr, "schema", "a value the schema accepts", err.Error())
	}
	c.res.Violations = append(c.res.Violations, vs...)
}

func (c *checker) addRequestBodyError(re *openapi3filter.RequestError) {
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		types := "a body"
		if c.m.op.request != nil {
			types = "a body of " + c.m.op.request.types
		}
		c.add(SideRequest, PartBody, "", RuleRequired, types, "no body")
	case strings.HasPrefix(re.Reason, "header Content-Type has unexpected value"):
		expected := "no body"
		if c.m.op.request != nil {
			expected = c.m.op.request.types
		}
		c.add(SideRequest, PartHeader, "/Content-Type", RuleContentType, expected, describeContentType(c.ex.Request.Header.Get("Content-Type")))
	case strings.HasPrefix(re.Reason, "failed to decode"):
		if !c.req.unreadable {
			c.add(SideRequest, PartBody, "", RuleJSON, "a body of the declared media type", "undecodable")
		}
	case re.RequestBody == nil && re.Err != nil && strings.Contains(re.Err.Error(), "not allowed"):
		c.add(SideRequest, PartBody, "", RuleNoBody, "no body", strconv.Itoa(len(c.req.data))+" bytes")
	case re.Err != nil:
		vs := c.schemaViolations(SideRequest, PartBody, "", re.Err)
		if len(vs) == 0 {
			c.add(SideRequest, PartBody, "", "schema", "a body the contract accepts", re.Error())
		}
		c.res.Violations = append(c.res.Violations, vs...)
	default:
		c.add(SideRequest, PartBody, "", "schema", "a body the contract accepts", re.Error())
	}
}
