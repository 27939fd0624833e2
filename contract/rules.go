package contract

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/seed-5c49e0d7/linktoken/contract/internal/coding"
	"github.com/seed-5c49e0d7/linktoken/internal/specmarks"
)

// The project's own rules: what the contract says that OpenAPI 3.0 cannot,
// and what kin-openapi leaves unchecked. Each is listed, with its source,
// in contract/README.md, and named in the differential test
// (TestVerdictsAgreeWithOpenapi3filter), which requires kin-openapi's plain
// verdict everywhere else.

// messageBody is one body as the checks read it: decoded from its
// Content-Encoding and, when its media type is JSON, parsed once.
type messageBody struct {
	data   []byte      // decoded; nil when it could not be
	header http.Header // the headers as the decoded body goes (no Content-Encoding)
	mt     string      // lower-case media type of its Content-Type, no parameters
	json   jsonText
	// unreadable: a rule already said the body cannot be read (encoding,
	// size, not JSON), so nothing else looks into it.
	unreadable bool
}

// value is the body's JSON value (nil when it has none), decoded once, on
// first use.
func (b *messageBody) value() any { return b.json.jsonValue(b.data) }

// readBody applies the body rules: content-coding, size, one JSON text,
// unique member names, UTF-8.
func (c *checker) readBody(side Side, h http.Header, raw []byte) messageBody {
	ct := h.Get("Content-Type")
	b := messageBody{data: raw, header: h, mt: mediaTypeOf(ct)}
	if len(raw) == 0 {
		// Without content a Content-Type describes nothing (RFC 9110
		// §8.3): what it says is not judged, as openapi3filter does not.
		return b
	}
	// A field value has no white space at either end (RFC 9110 §5.5): a
	// parser drops it, so a value of white space only is an empty one.
	if ct := strings.Trim(ct, " \t"); ct != "" {
		// Judged whole: the checks below read the type up to its first
		// ';', which would let a line break (a header injected) or a
		// malformed parameter after it pass.
		if _, _, err := mime.ParseMediaType(ct); err != nil {
			c.add(side, PartHeader, "/Content-Type", RuleContentType, "a well-formed media type (RFC 9110 §8.3.1)",
				"a Content-Type that does not parse ("+strings.TrimPrefix(err.Error(), "mime: ")+")")
		}
	}
	if int64(len(raw)) > c.v.maxBody {
		// Past the limit as sent: not decoded (a transport or a reader may
		// have kept only the limit and a byte more).
		c.add(side, PartBody, "", RuleBodyTooLarge, fmt.Sprintf("at most %d bytes", c.v.maxBody), fmt.Sprintf("%d bytes", len(raw)))
		b.data, b.unreadable = nil, true
		return b
	}
	if len(coding.Codings(h)) > 0 {
		data, err := coding.Decode(h, raw, c.v.maxBody)
		if err != nil {
			rule := RuleContentEncoding
			if errors.Is(err, coding.ErrTooLarge) {
				rule = RuleBodyTooLarge
			}
			c.add(side, PartBody, "", rule, "a body that decodes from its Content-Encoding", err.Error())
			b.data, b.unreadable = nil, true
			return b
		}
		// Decode bounds what it decodes by maxBody (ErrTooLarge, above).
		b.data, b.header = data, coding.Without(h)
	}
	if !isJSONMediaType(b.mt) || len(b.data) == 0 {
		return b
	}
	b.json = parseJSON(b.data)
	switch b.json.problem {
	case jsonSyntax:
		c.add(side, PartBody, "", RuleJSON, "one JSON text", "malformed JSON ("+b.json.where+")")
		b.unreadable = true
	case jsonDuplicate:
		c.add(side, PartBody, b.json.where, RuleDuplicateName, "each member name once in its object (RFC 8259 §4)", "the name twice")
	case jsonUTF8:
		c.add(side, PartBody, b.json.where, RuleUTF8, "UTF-8 text (RFC 8259 §8.1)", "bytes that are not UTF-8")
		b.unreadable = b.json.value == nil
	}
	return b
}

// requestRules runs the project's own rules on the request: its query,
// its media type and its credentials.
func (c *checker) requestRules() {
	op, srv := c.m.op, c.m.srv
	req := c.ex.Request
	c.queryRules()
	if len(c.req.data) > 0 && op.request != nil && slices.Contains(op.request.restrictedBy, srv) {
		// The rule is of a declared media type (kin-openapi says what is
		// wrong with another): asked only when the rule is broken.
		if _, ok := srv.requests.match(c.req.mt); !ok && op.request.content.Get(req.Header.Get("Content-Type")) != nil {
			c.add(SideRequest, PartHeader, "/Content-Type", RuleMediaType,
				"a media type "+srv.base+" takes: "+srv.requests.describe(op.request.declared), strconv.Quote(req.Header.Get("Content-Type")))
		}
	}
	hr := http.Request{Method: req.Method, URL: req.URL, Header: req.Header}
	var absent bool
	c.security, absent = judgeSecurity(&hr, c.m.query, op.requirements, srv)
	c.anonymous = absent && !op.anonymous
	// A body it lacks is not required of the handshake's first request
	// (curl, which MongoDB's pages use, sends that request without its
	// body): only the answer can say whether this was that request.
	c.bodyDeferred = c.anonymous && len(req.Body) == 0
}

// handshakeRule: a request without credentials conforms only as the first
// half of the digest handshake, answered before the service authenticates:
// the 401 challenge (enveloped under 200 for envelope=true, the envelope's
// status being the answer's), or a 429 or 503 from in front of
// authentication. Everything else it carries is judged (runRequest). A
// request alone may be that first half: only its answer could say
// otherwise, so it is not reported, but the body it lacks is.
func (c *checker) handshakeRule() {
	if !c.anonymous {
		return
	}
	if resp := c.ex.Response; resp != nil {
		status := resp.StatusCode
		if c.enveloped && c.innerStatus != 0 {
			status = c.innerStatus
		}
		switch status {
		case http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable:
			return
		}
		c.add(SideRequest, PartHeader, "/Authorization", RuleSecurity, c.m.op.expectedAuth(c.m.srv),
			fmt.Sprintf("no credentials, answered %d rather than the 401 challenge", status))
	}
	if c.bodyDeferred {
		if body := c.reqInput.Route.Operation.RequestBody; body != nil && body.Value != nil {
			c.addKinErrors(openapi3filter.ValidateRequestBody(context.Background(), c.reqInput, body.Value))
		}
	}
}

// responseRules are the project's rules on a response: the challenge, the
// envelope, a declared status, and the body rules.
func (c *checker) responseRules() {
	resp, op := c.ex.Response, c.m.op
	if resp.StatusCode == http.StatusUnauthorized {
		c.challengeRule()
	}
	if c.envelopeRules() {
		return
	}
	rs := op.status(resp.StatusCode)
	if rs == nil {
		c.add(SideResponse, PartStatus, "", RuleStatus, "one of "+op.statuses, strconv.Itoa(resp.StatusCode))
		return
	}
	c.bodyRules(rs, "")
}

// bodyRules: no body where none is declared, the server's media types, and
// the resource version Accept asked for.
func (c *checker) bodyRules(rs *response, prefix string) {
	resp, srv := c.ex.Response, c.m.srv
	if !rs.hasContent {
		if prefix == "" && len(resp.Body) > 0 {
			c.add(SideResponse, PartBody, "", RuleNoBody, "no body (status "+rs.key+")", fmt.Sprintf("%d bytes", len(resp.Body)))
		}
		return
	}
	if len(resp.Body) == 0 {
		return // kin-openapi says what is missing
	}
	// Both rules are of a declared media type (kin-openapi says what is
	// wrong with another): asked only when one is broken.
	ct := resp.Header.Get("Content-Type")
	declared := func() bool { return rs.ref.Value.Content.Get(ct) != nil }
	version, ok := srv.responses.match(c.resp.mt)
	if !ok {
		if slices.Contains(rs.restrictedBy, srv) && declared() {
			c.add(SideResponse, PartHeader, "/Content-Type", RuleMediaType,
				"a media type "+srv.base+" answers in: "+srv.responses.describe(rs.declared), strconv.Quote(ct))
		}
		return
	}
	if version != "" {
		if asked := srv.responses.requestedVersion(c.ex.Request.Header.Values("Accept")); asked != "" && version > asked &&
			!beforeEvery(asked, srv.responses, rs.declared) && declared() {
			c.add(SideResponse, PartHeader, "/Content-Type", RuleVersion,
				"a resource version not after "+asked+" (the one Accept asked for)", strconv.Quote(ct))
		}
	}
}

// beforeEvery reports whether a version date asked for is before every
// version of the declared media types: MongoDB's pages say which version
// answers a date, the newest not after it, but not what answers a date
// before the resource's first version (the contract's 406 is assumed,
// version-before-resource), so then no version is refused.
func beforeEvery(asked string, mts mediaTypes, declared []string) bool {
	for _, d := range declared {
		if v, ok := mts.match(d); ok && v != "" && v <= asked {
			return false
		}
	}
	return true
}

// maxQueryParams is url.ParseQuery's limit (net/url's defaultMaxParams).
const maxQueryParams = 10_000

// queryRules reports a query that does not parse (a violation), and query
// parameters the operation does not declare: a notice (no MongoDB document
// says the service refuses them), a violation when strict.
func (c *checker) queryRules() {
	q := c.ex.Request.URL.RawQuery
	if q == "" {
		return
	}
	vals, err := c.m.query, c.m.queryErr
	if err != nil {
		// What url.ParseQuery cannot read, kin-openapi's query checks do
		// not see either (they read url.Query(), which drops the error):
		// judged blind, the query would pass whatever it holds. It is not
		// quoted: a query may carry a secret.
		expected := "parameters separated by '&', at most " + strconv.Itoa(maxQueryParams)
		found := fmt.Sprintf("more than %d parameters (none is read)", maxQueryParams)
		switch msg := err.Error(); {
		case strings.Contains(msg, "semicolon"):
			found = "a ';' separator (the parameters around it are not read)"
		case strings.Contains(msg, "escape"):
			expected = "parameters percent-encoded as RFC 3986 §2.1 says"
			found = "a malformed percent-encoding (the parameter holding it is not read)"
		}
		c.add(SideRequest, PartQuery, "", RuleQuery, expected, found)
	}
	if len(vals) == 0 {
		return
	}
	var names []string
	for k := range vals {
		if c.m.op.query[k] == nil {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	expected := "only no query parameters"
	if len(c.m.op.query) > 0 {
		expected = "only " + strings.Join(slices.Sorted(maps.Keys(c.m.op.query)), ", ")
	}
	for _, k := range names {
		c.notice(SideRequest, PartQuery, "/"+pointerEscape(k), RuleUndeclaredParam, expected, "undeclared parameter "+strconv.Quote(k))
	}
}

// envelopeRules handles a response to envelope=true (and a 200 that only
// an enveloped response may be). It reports whether it took the response
// over; c.inner then holds what the envelope wraps.
func (c *checker) envelopeRules() bool {
	resp, op := c.ex.Response, c.m.op
	ok200 := op.status(http.StatusOK)
	if ok200 == nil || ok200.envelope == nil {
		return false
	}
	st := resp.StatusCode
	asked := c.m.Envelope || c.m.envelopeLoose && c.resp.looksEnveloped()
	switch {
	case asked:
		if st == http.StatusUnauthorized && !c.resp.looksEnveloped() {
			return false // the plain 401 of the digest handshake (assumed: see the contract)
		}
		if rs := op.status(st); st != http.StatusOK && rs != nil && !rs.hasContent {
			return false // a status that carries no body (204) carries no envelope either
		}
	case st == http.StatusOK && !ok200.plainAllowed:
		c.add(SideResponse, PartStatus, "", RuleEnvelope, "200 only for a request with envelope=true; otherwise one of "+op.statuses, "200 without envelope=true")
	case st == http.StatusOK && c.resp.looksEnveloped():
		// A 200 that may be plain (the create's, as the published specs
		// declare it) is an envelope only for envelope=true.
		c.add(SideResponse, PartBody, "", RuleEnvelope, "the plain body of a 200 (an envelope only for a request with envelope=true)", "an envelope")
		c.resp.unreadable = true
		return false
	default:
		return false
	}
	c.enveloped = true
	if len(resp.Body) == 0 {
		c.add(SideResponse, PartBody, "", RuleEnvelope, "a "+specmarks.EnvelopeName+" body (envelope=true)", "no body")
		c.plainForEnvelope = true
		return true
	}
	obj, isObj := c.resp.value().(map[string]any)
	if !isObj {
		return true // the JSON rule or the envelope's schema says what is wrong
	}
	// An envelope has a numeric status, or content, or nothing but the
	// envelope's members. A plain body may have a status member of its own
	// (a migration's "NEW"): beside members of its own, without content, a
	// status that is no number makes it the plain answer to envelope=true,
	// not a broken envelope.
	f, numeric := obj["status"].(float64)
	_, hasContent := obj["content"]
	_, hasStatus := obj["status"]
	if !numeric && !hasContent && (!hasStatus || c.v.ownMembers(obj)) {
		// A plain answer to envelope=true.
		c.add(SideResponse, PartBody, "", RuleEnvelope, "a "+specmarks.EnvelopeName+" ({status, content}) for a request with envelope=true", "a body without a numeric status")
		c.plainForEnvelope = true
		return true
	}
	if !numeric || f != float64(int(f)) || f < 100 || f > 599 {
		return true // the envelope's schema says what is wrong
	}
	status := int(f)
	if st != http.StatusOK && st != status {
		c.add(SideResponse, PartStatus, "", RuleEnvelope,
			fmt.Sprintf("200 or the enveloped status %d for a request with envelope=true", status), strconv.Itoa(st))
	}
	inner := op.status(status)
	if inner == nil {
		c.add(SideResponse, PartBody, "/status", RuleStatus, "one of "+op.statuses, strconv.Itoa(status))
		return true
	}
	c.inner, c.innerStatus = inner, status
	content := obj["content"]
	if !inner.hasContent {
		if content != nil {
			c.add(SideResponse, PartBody, "/content", RuleEnvelope, "absent or null (status "+inner.key+" has no body)", describeKind(content))
		}
		return true
	}
	if content == nil {
		c.add(SideResponse, PartBody, "/content", RuleRequired, "the body of a "+inner.key+" ("+inner.types+")", "absent or null")
		return true
	}
	c.bodyRules(inner, "/content")
	return true
}

// ownMembers reports whether obj has a member the envelope's schema does
// not declare.
func (v *Validator) ownMembers(obj map[string]any) bool {
	for k := range obj {
		if v.envelope == nil || v.envelope.Properties[k] == nil {
			return true
		}
	}
	return false
}

// looksEnveloped reports whether a body is an envelope's shape: a JSON
// object with a numeric status.
func (b *messageBody) looksEnveloped() bool {
	obj, ok := b.value().(map[string]any)
	if !ok {
		return false
	}
	_, ok = obj["status"].(float64)
	return ok
}

// describe lists, for a message, the declared media types a list admits.
func (mts mediaTypes) describe(declared []string) string {
	var out []string
	for _, d := range declared {
		if _, ok := mts.match(d); ok {
			out = append(out, d)
		}
	}
	return strings.Join(out, " or ")
}
