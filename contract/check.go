package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// checker collects the violations of one exchange.
type checker struct {
	v    *Validator
	ex   *Exchange
	name string
	vs   Violations
}

func (c *checker) add(side Side, part Part, ptr, rule, expected, found string) {
	if c.name == "" {
		c.name = c.ex.Name()
	}
	c.vs = append(c.vs, &Violation{
		Exchange: c.name, Side: side, Part: part, Pointer: ptr,
		Rule: rule, Expected: expected, Found: found,
	})
}

// matched is what routing a request found.
type matched struct {
	srv      *server
	op       *operation
	envelope bool // envelope=true was asked for
	anon     bool // the request carried no Authorization
}

// ValidateExchange checks a request and, if present, its response. It
// returns nil, Violations, or an error wrapping ErrNotLinkToken.
func (v *Validator) ValidateExchange(ex *Exchange) error {
	vs, err := v.Check(ex)
	if err != nil {
		return err
	}
	return vs.err()
}

// Check is ValidateExchange returning the violations as a slice; err is
// non-nil only for an exchange that is not a link-token operation
// (errors.Is(err, ErrNotLinkToken)) or that has no request.
func (v *Validator) Check(ex *Exchange) (Violations, error) {
	return v.checkRouted(ex, nil)
}

// routeMatch is where a request path led: what match returns.
type routeMatch struct {
	srv  *server
	rt   *route
	vals pathValues
}

// checkRouted is Check for a caller that has already matched the request's
// path (the transport, which must route to know whether to buffer at all);
// nil routes it here.
func (v *Validator) checkRouted(ex *Exchange, routed *routeMatch) (Violations, error) {
	c := checker{v: v, ex: ex}
	m, err := v.checkRequestRouted(&c, ex.Request, routed)
	if err != nil || m.op == nil {
		return c.vs, err
	}
	if ex.Response != nil {
		v.checkResponse(&c, m, ex.Response)
		// A request without credentials conforms only as the first half of
		// the digest handshake: its answer must be the 401 challenge.
		if m.anon && !m.op.anonymous && ex.Response.StatusCode != http.StatusUnauthorized {
			c.add(SideRequest, PartHeader, "/Authorization", RuleSecurity, expectedAuth(m.srv, m.op),
				fmt.Sprintf("no Authorization header, answered %d rather than the 401 challenge", ex.Response.StatusCode))
		}
	} else if m.anon && !m.op.anonymous {
		c.add(SideRequest, PartHeader, "/Authorization", RuleSecurity, expectedAuth(m.srv, m.op), "no Authorization header")
	}
	return c.vs, nil
}

// ValidateRequest checks a request on its own; a request without
// credentials is a violation here (see ValidateExchange for the digest
// handshake). r's body is read and replaced by an unread copy.
func (v *Validator) ValidateRequest(r *http.Request) error {
	req, err := RequestFromHTTP(r)
	if err != nil {
		return fmt.Errorf("contract: read request body: %w", err)
	}
	return v.ValidateExchange(&Exchange{Request: req})
}

// ValidateResponse checks resp against the request that caused it, as
// ValidateExchange does; both bodies are read and replaced by unread copies.
func (v *Validator) ValidateResponse(r *http.Request, resp *http.Response) error {
	req, err := RequestFromHTTP(r)
	if err != nil {
		return fmt.Errorf("contract: read request body: %w", err)
	}
	res, err := ResponseFromHTTP(resp)
	if err != nil {
		return fmt.Errorf("contract: read response body: %w", err)
	}
	return v.ValidateExchange(&Exchange{Request: req, Response: res})
}

// IsLinkToken reports whether a request path is one of the contract's
// operations' paths (on any host, under any prefix), whatever the method.
func (v *Validator) IsLinkToken(u *url.URL) bool {
	_, r, _, ok := v.match(u.EscapedPath())
	return ok && r != nil
}

func (v *Validator) checkRequest(c *checker, req *Request) (matched, error) {
	return v.checkRequestRouted(c, req, nil)
}

func (v *Validator) checkRequestRouted(c *checker, req *Request, routed *routeMatch) (matched, error) {
	var m matched
	if req == nil || req.URL == nil {
		return m, fmt.Errorf("contract: exchange has no request")
	}
	var (
		srv  *server
		rt   *route
		vals pathValues
		ok   = routed != nil
	)
	if routed != nil {
		srv, rt, vals = routed.srv, routed.rt, routed.vals
	} else {
		srv, rt, vals, ok = v.match(req.URL.EscapedPath())
	}
	if !ok || rt == nil {
		return m, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, ErrNotLinkToken)
	}
	m.srv = srv
	op := rt.ops[req.Method]
	if op == nil {
		c.add(SideRequest, PartMethod, "", RuleMethod, rt.methods, strconv.Quote(req.Method))
		return m, nil
	}
	m.op = op

	// Path parameters.
	for i, name := range rt.params {
		p := op.pathParams[name]
		raw, err := url.PathUnescape(vals.v[i])
		if err != nil {
			raw = vals.v[i]
		}
		if p != nil {
			c.checkValue(SideRequest, PartPath, p.name, p.typ, p.schema, raw)
		}
	}

	// Query parameters.
	q := req.URL.RawQuery
	var seen uint64
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(val); err == nil {
			val = uv
		}
		p := op.query[k]
		if p == nil {
			if v.strict {
				c.add(SideRequest, PartQuery, "/"+pointerEscape(k), RuleUndeclaredParam, "only "+declaredQuery(op), "undeclared parameter "+strconv.Quote(k))
			}
			continue
		}
		seen |= 1 << (queryIndex(op, k) & 63)
		if c.checkValue(SideRequest, PartQuery, p.name, p.typ, p.schema, val) && k == "envelope" && val == "true" {
			m.envelope = true
		}
	}
	for _, p := range op.query {
		if p.required && seen&(1<<(queryIndex(op, p.name)&63)) == 0 {
			c.add(SideRequest, PartQuery, "/"+p.name, RuleRequired, "the parameter (required)", "absent")
		}
	}

	// Credentials.
	if auth := req.Header.Get("Authorization"); auth == "" {
		m.anon = true
	} else if expected, found, ok := checkAuthorization(auth, srv, op); !ok {
		c.add(SideRequest, PartHeader, "/Authorization", RuleSecurity, expected, found)
	}

	// Body.
	if op.body == nil {
		if len(req.Body) > 0 {
			c.add(SideRequest, PartBody, "", RuleNoBody, "no body", fmt.Sprintf("%d bytes", len(req.Body)))
		}
		return m, nil
	}
	if len(req.Body) == 0 {
		if op.body.required {
			c.add(SideRequest, PartBody, "", RuleRequired, "a body of "+op.body.types, "no body")
		}
		return m, nil
	}
	schema := c.checkContentType(SideRequest, srv, req.Header, op.body.content, op.body.types)
	c.checkJSON(SideRequest, "", req.Body, schema, requestOpts)
	return m, nil
}

func declaredQuery(op *operation) string {
	var names []string
	for n := range op.query {
		names = append(names, n)
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

func queryIndex(op *operation, name string) uint {
	// Declared query parameters are few; their position in sorted order is
	// a stable bit index.
	i := uint(0)
	for n := range op.query {
		if n < name {
			i++
		}
	}
	return i
}

// checkContentType checks a body's Content-Type against the declared media
// types and the server's own (x-atlas-media-type). It returns the schema to
// check the body with: the declared one for its media type, or any declared
// one when the media type is wrong, so the body is checked regardless.
func (c *checker) checkContentType(side Side, srv *server, h http.Header, content map[string]*openapi3.Schema, types string) *openapi3.Schema {
	ct := h.Get("Content-Type")
	mt := mediaType(ct)
	schema, declared := content[mt]
	switch {
	case ct == "":
		c.add(side, PartHeader, "/Content-Type", RuleContentType, types, "no Content-Type")
	case !declared:
		c.add(side, PartHeader, "/Content-Type", RuleContentType, types, strconv.Quote(ct))
	case mt != srv.mediaType:
		if _, ok := content[srv.mediaType]; ok {
			c.add(side, PartHeader, "/Content-Type", RuleMediaType, srv.mediaType+" on "+srv.base, strconv.Quote(ct))
		}
	}
	if schema == nil {
		for _, s := range content {
			if s != nil {
				return s
			}
		}
	}
	return schema
}

// mediaType is the lower-case type/subtype of a Content-Type, without
// parameters (";charset=utf-8" is accepted wherever the type is).
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// checkJSON decodes a JSON body and checks it against schema; it returns the
// decoded value (nil if it did not decode).
func (c *checker) checkJSON(side Side, prefix string, body []byte, schema *openapi3.Schema, opts []openapi3.SchemaValidationOption) (any, bool) {
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		c.add(side, PartBody, prefix, RuleJSON, "a JSON document", "malformed JSON ("+jsonProblem(err)+")")
		return nil, false
	}
	if schema != nil {
		if err := c.v.visit(schema, value, opts); err != nil {
			c.addSchemaErrors(side, PartBody, prefix, err)
		}
	}
	return value, true
}

func jsonProblem(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	return err.Error()
}

// checkValue decodes a parameter or header value by its schema's type and
// checks it; it reports whether the value conforms.
func (c *checker) checkValue(side Side, part Part, name, typ string, schema *openapi3.Schema, raw string) bool {
	if schema == nil {
		return true
	}
	ptr := "/" + pointerEscape(name)
	var value any
	switch typ {
	case "boolean":
		switch raw {
		case "true":
			value = true
		case "false":
			value = false
		default:
			c.add(side, part, ptr, "type", "boolean (true or false)", strconv.Quote(raw))
			return false
		}
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			c.add(side, part, ptr, "type", "integer", strconv.Quote(raw))
			return false
		}
		value = float64(n)
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			c.add(side, part, ptr, "type", "number", strconv.Quote(raw))
			return false
		}
		value = f
	default:
		value = raw
	}
	if err := c.v.visit(schema, value, valueOpts); err != nil {
		n := len(c.vs)
		c.addSchemaErrors(side, part, ptr, err)
		return len(c.vs) == n
	}
	return true
}

func (v *Validator) checkResponse(c *checker, m matched, resp *Response) {
	op := m.op
	st := resp.StatusCode
	rs := op.responses[st]
	if rs == nil {
		c.add(SideResponse, PartStatus, "", RuleStatus, "one of "+op.statuses, strconv.Itoa(st))
		return
	}
	enveloped := m.envelope && st == http.StatusOK
	switch {
	case m.envelope && st != http.StatusOK && st != http.StatusUnauthorized:
		c.add(SideResponse, PartStatus, "", RuleEnvelope, "200 (or the 401 challenge) for a request with envelope=true", strconv.Itoa(st))
	case !m.envelope && st == http.StatusOK && rs.plain == nil && rs.envelope != nil:
		c.add(SideResponse, PartStatus, "", RuleEnvelope, "200 only for a request with envelope=true; otherwise one of "+op.statuses, "200 without envelope=true")
		enveloped = true
	}
	if enveloped && rs.envelope != nil {
		v.checkEnvelope(c, m, rs, resp)
		return
	}
	c.checkHeaders(rs.headers, resp.Header)
	c.checkResponseBody(m.srv, rs, resp, "", nil)
}

func (c *checker) checkHeaders(headers []header, h http.Header) {
	for i := range headers {
		hd := &headers[i]
		vals := h[hd.name]
		if len(vals) == 0 {
			if hd.required {
				c.add(SideResponse, PartHeader, "/"+hd.name, RuleRequiredHeader, "the header (required)", "absent")
			}
			continue
		}
		c.checkValue(SideResponse, PartHeader, hd.name, hd.typ, hd.schema, vals[0])
	}
}

// checkResponseBody checks a response body against rs. For an enveloped
// response, value is the decoded envelope's content and prefix "/content".
func (c *checker) checkResponseBody(srv *server, rs *response, resp *Response, prefix string, content *any) {
	if len(rs.content) == 0 {
		if content != nil {
			if *content != nil {
				c.add(SideResponse, PartBody, prefix, RuleEnvelope, fmt.Sprintf("absent or null (status %d has no body)", rs.status), describeKind(*content))
			}
			return
		}
		if len(resp.Body) > 0 {
			c.add(SideResponse, PartBody, "", RuleNoBody, fmt.Sprintf("no body (status %d)", rs.status), fmt.Sprintf("%d bytes", len(resp.Body)))
		}
		return
	}
	schema := c.checkContentType(SideResponse, srv, resp.Header, rs.content, rs.types)
	if rs.plain != nil {
		schema = rs.plain
	}
	if content != nil {
		if *content == nil {
			c.add(SideResponse, PartBody, prefix, RuleRequired, fmt.Sprintf("the body of a %d (%s)", rs.status, rs.types), "absent or null")
			return
		}
		if schema != nil {
			if err := c.v.visit(schema, *content, responseOpts); err != nil {
				c.addSchemaErrors(SideResponse, PartBody, prefix, err)
			}
		}
		return
	}
	if len(resp.Body) == 0 {
		c.add(SideResponse, PartBody, "", RuleRequired, fmt.Sprintf("a body of %s", rs.types), "no body")
		return
	}
	c.checkJSON(SideResponse, "", resp.Body, schema, responseOpts)
}

// checkEnvelope checks a 200 answer to a request with envelope=true: the
// body is a ResponseEnvelope, its status one the operation declares, its
// content what that status carries, and its headers (and media type) those
// of that status.
func (v *Validator) checkEnvelope(c *checker, m matched, rs *response, resp *Response) {
	if len(resp.Body) == 0 {
		c.checkHeaders(rs.headers, resp.Header)
		c.add(SideResponse, PartBody, "", RuleRequired, "a ResponseEnvelope body", "no body")
		return
	}
	value, ok := c.checkJSON(SideResponse, "", resp.Body, rs.envelope, responseOpts)
	obj, isObj := value.(map[string]any)
	if !ok || !isObj {
		c.checkHeaders(rs.headers, resp.Header)
		return
	}
	f, isNum := obj["status"].(float64)
	if !isNum || f != float64(int(f)) {
		c.checkHeaders(rs.headers, resp.Header)
		return // the schema has said what is wrong
	}
	inner := m.op.responses[int(f)]
	if inner == nil {
		c.checkHeaders(rs.headers, resp.Header)
		c.add(SideResponse, PartBody, "/status", RuleStatus, "one of "+m.op.statuses, strconv.Itoa(int(f)))
		return
	}
	c.checkHeaders(inner.headers, resp.Header)
	content := obj["content"]
	c.checkResponseBody(m.srv, inner, resp, "/content", &content)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
