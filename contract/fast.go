package contract

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path: an accept-only check, compiled per operation in New, that
// vouches for an exchange kin-openapi would pass without running
// kin-openapi (no router, no error values, no reflection). It says true
// only when kin-openapi's checks, run as the slow path runs them, would find
// nothing, closed response schemas included (so no notice either); anything
// it is unsure of it leaves to kin-openapi, which decides. It is therefore
// never laxer, only faster on the common case:
// TestFastPathNeverLaxer and FuzzFastPathNeverLaxer hold it to that, and
// BenchmarkFastPath measures what it saves.
//
// An operation whose parameters or bodies use anything the fast path does
// not decode exactly as kin-openapi does (header or cookie parameters,
// arrays and objects in parameters, styles other than the defaults,
// non-JSON bodies, schemas the quick checks do not cover) gets no fast
// path: every exchange of it goes to kin-openapi.

type fastOp struct {
	path  []fastParam // in the order of the route's parameters
	query map[string]fastParam
	// requiredQuery lists the required query parameters.
	requiredQuery []string
	// request: the quick check of each declared media type.
	request   map[*openapi3.MediaType]quick
	responses map[*response]*fastResponse
}

type fastParam struct {
	typ    string // single scalar type
	int32  bool
	check  quick
	schema *openapi3.Schema
}

type fastResponse struct {
	headers []fastHeader
	body    map[*openapi3.MediaType]quick // by declared media type; closed schemas
	// envelope is the closed envelope's quick check.
	envelope quick
}

type fastHeader struct {
	name     string
	required bool
	param    fastParam
}

func (v *Validator) compileFastOp(o *operation) *fastOp {
	f := &fastOp{query: map[string]fastParam{}, request: map[*openapi3.MediaType]quick{}, responses: map[*response]*fastResponse{}}
	params := map[string]*openapi3.Parameter{}
	for _, ps := range []openapi3.Parameters{o.item.Parameters, o.op.Parameters} {
		for _, ref := range ps {
			params[ref.Value.In+"\x00"+ref.Value.Name] = ref.Value
		}
	}
	var pathOrder []string
	for _, seg := range strings.Split(strings.Trim(o.path, "/"), "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			pathOrder = append(pathOrder, seg[1:len(seg)-1])
		}
	}
	for _, name := range pathOrder {
		p := params[openapi3.ParameterInPath+"\x00"+name]
		fp, ok := v.fastParamOf(p, "simple")
		if !ok {
			return nil
		}
		f.path = append(f.path, fp)
	}
	for _, p := range params {
		switch p.In {
		case openapi3.ParameterInPath:
		case openapi3.ParameterInQuery:
			fp, ok := v.fastParamOf(p, "form")
			if !ok || p.AllowEmptyValue {
				return nil
			}
			f.query[p.Name] = fp
			if p.Required {
				f.requiredQuery = append(f.requiredQuery, p.Name)
			}
		default:
			return nil // header and cookie parameters: kin-openapi's
		}
	}
	if o.request != nil {
		for mt, m := range o.request.content {
			q := v.qc.compile(schemaValue(m.Schema))
			if !isJSONMediaType(strings.ToLower(mt)) || q == nil || len(m.Encoding) > 0 {
				return nil
			}
			f.request[m] = q
		}
	}
	for _, rs := range o.responses {
		fr := &fastResponse{body: map[*openapi3.MediaType]quick{}}
		for _, h := range rs.headers {
			if h.header.Content != nil {
				return nil
			}
			fp, ok := v.fastParamOf(&openapi3.Parameter{Schema: h.header.Schema, Style: h.header.Style, Explode: h.header.Explode, In: openapi3.ParameterInHeader}, "simple")
			if !ok {
				return nil
			}
			fr.headers = append(fr.headers, fastHeader{name: h.name, required: h.required, param: fp})
		}
		if rs.closedBody != nil {
			closed := rs.closedBody.Operation.Responses.Value(rs.key).Value
			for mt, m := range rs.ref.Value.Content {
				cm := closed.Content[mt]
				q := v.qc.compile(schemaValue(cm.Schema))
				if cm.Schema == nil {
					q = acceptAny
				}
				if !isJSONMediaType(strings.ToLower(mt)) || q == nil {
					return nil
				}
				fr.body[m] = q
			}
		}
		if rs.closedEnvelope != nil {
			if fr.envelope = v.qc.compile(rs.closedEnvelope); fr.envelope == nil {
				return nil
			}
		}
		f.responses[rs] = fr
	}
	return f
}

func acceptAny(any) bool { return true }

func schemaValue(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil {
		return nil
	}
	return ref.Value
}

// fastParamOf prepares a parameter the fast path decodes as kin-openapi
// does: one scalar type, the default style, a schema the quick checks
// cover.
func (v *Validator) fastParamOf(p *openapi3.Parameter, style string) (fastParam, bool) {
	if p == nil || p.Schema == nil || p.Schema.Value == nil || p.Content != nil {
		return fastParam{}, false
	}
	if p.Style != "" && p.Style != style {
		return fastParam{}, false
	}
	s := p.Schema.Value
	if s.Type == nil || len(*s.Type) != 1 || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 {
		return fastParam{}, false
	}
	typ := (*s.Type)[0]
	switch typ {
	case openapi3.TypeString, openapi3.TypeBoolean, openapi3.TypeInteger, openapi3.TypeNumber:
	default:
		return fastParam{}, false
	}
	q := v.qc.compile(s)
	if q == nil {
		return fastParam{}, false
	}
	return fastParam{typ: typ, int32: s.Format == "int32", check: q, schema: s}, true
}

// accepts decodes raw as kin-openapi's parsePrimitive does and checks it.
func (p *fastParam) accepts(raw string) bool {
	switch p.typ {
	case openapi3.TypeString:
		return p.check(raw)
	case openapi3.TypeBoolean:
		b, err := strconv.ParseBool(raw)
		return err == nil && p.check(b)
	case openapi3.TypeInteger:
		bits := 64
		if p.int32 {
			bits = 32
		}
		n, err := strconv.ParseInt(raw, 10, bits)
		return err == nil && p.check(float64(n))
	case openapi3.TypeNumber:
		if raw == "" || strings.ContainsFunc(raw, func(r rune) bool { return !strings.ContainsRune("+-.0123456789eE", r) }) {
			return false
		}
		f, err := strconv.ParseFloat(raw, 64)
		return err == nil && p.check(f)
	}
	return false
}

// fastOp is the operation's fast path, nil when it has none (or it is
// turned off).
func (c *checker) fastOp() *fastOp {
	if c.v.noFast {
		return nil
	}
	return c.m.op.fast
}

// fast reports whether the fast path vouches for the whole exchange. When
// it cannot, kin-openapi checks the exchange, but only the parts the fast
// path cannot vouch for (see kin.go): a part it vouches for kin-openapi
// would pass too.
func (c *checker) fast() bool {
	f := c.fastOp()
	if f == nil || !c.fastRequest(f) {
		return false
	}
	return c.ex.Response == nil || c.fastResponse(f)
}

// fastRequest vouches for the request: credentials, parameters, body.
func (c *checker) fastRequest(f *fastOp) bool {
	if !c.security.met && !c.security.absent {
		return false
	}
	for i := range f.path {
		if i >= c.m.vals.n || !f.path[i].accepts(c.m.vals.v[i]) {
			return false
		}
	}
	return c.fastQuery(f, c.ex.Request.URL.RawQuery) && c.fastRequestBody(f)
}

func (c *checker) fastQuery(f *fastOp, raw string) bool {
	if raw == "" {
		return len(f.requiredQuery) == 0
	}
	vals, err := c.queryValues()
	if err != nil {
		return false
	}
	for name, p := range f.query {
		list, ok := vals[name]
		if !ok || len(list) == 0 {
			continue
		}
		v := list[0]
		if v == "" {
			for _, s := range list[1:] {
				if s != "" {
					v = s
					break
				}
			}
		}
		if v == "" && p.typ != openapi3.TypeString {
			return false // kin-openapi: an empty value it does not allow
		}
		if !p.accepts(v) {
			return false
		}
	}
	for _, name := range f.requiredQuery {
		if len(vals[name]) == 0 {
			return false
		}
	}
	return true
}

func (c *checker) fastRequestBody(f *fastOp) bool {
	op := c.m.op
	data := c.req.data
	if op.request == nil {
		return len(data) == 0
	}
	if len(data) == 0 {
		return !op.request.required
	}
	if c.req.unreadable || !c.req.json.ok {
		return false
	}
	q := f.request[op.request.content.Get(c.ex.Request.Header.Get("Content-Type"))]
	return q != nil && q(c.req.json.value)
}

func (c *checker) fastResponse(f *fastOp) bool {
	resp := c.ex.Response
	if c.enveloped {
		return c.fastEnvelope(f)
	}
	rs := c.m.op.status(resp.StatusCode)
	if rs == nil {
		return false
	}
	fr := f.responses[rs]
	if fr == nil || !fastHeaders(fr, resp.Header) {
		return false
	}
	if !rs.hasContent {
		return true
	}
	return c.fastBody(rs, fr, c.resp.json.value, len(c.resp.data) > 0 && c.resp.json.ok && !c.resp.unreadable)
}

func (c *checker) fastBody(rs *response, fr *fastResponse, value any, readable bool) bool {
	if !readable {
		return false
	}
	q := fr.body[rs.ref.Value.Content.Get(c.ex.Response.Header.Get("Content-Type"))]
	return q != nil && q(value)
}

func (c *checker) fastEnvelope(f *fastOp) bool {
	ok200 := c.m.op.status(http.StatusOK)
	fr := f.responses[ok200]
	if fr == nil || fr.envelope == nil || c.inner == nil || !c.resp.json.ok || c.resp.unreadable {
		return false
	}
	if ok200.ref.Value.Content.Get(c.ex.Response.Header.Get("Content-Type")) == nil || !fr.envelope(c.resp.json.value) {
		return false
	}
	inner := f.responses[c.inner]
	if inner == nil || !fastHeaders(inner, c.ex.Response.Header) {
		return false
	}
	obj, _ := c.resp.json.value.(map[string]any)
	content := obj["content"]
	if !c.inner.hasContent {
		return content == nil
	}
	return content != nil && c.fastBody(c.inner, inner, content, true)
}

func fastHeaders(fr *fastResponse, h http.Header) bool {
	for i := range fr.headers {
		if !fr.headers[i].accepts(h) {
			return false
		}
	}
	return true
}

// accepts vouches for one declared response header, decoded as
// kin-openapi decodes it (the first value).
func (fh *fastHeader) accepts(h http.Header) bool {
	vals, ok := h[fh.name]
	if !ok || len(vals) == 0 {
		return !fh.required
	}
	if vals[0] == "" && fh.param.typ != openapi3.TypeString {
		return false
	}
	return fh.param.accepts(vals[0])
}

// fastHeaderOf finds the fast check of a response's header, nil when the
// fast path has none.
func (c *checker) fastHeaderOf(rs *response, name string) *fastHeader {
	f := c.fastOp()
	if f == nil || f.responses[rs] == nil {
		return nil
	}
	fr := f.responses[rs]
	for i := range fr.headers {
		if fr.headers[i].name == name {
			return &fr.headers[i]
		}
	}
	return nil
}

// fastBodyOK vouches for a response body (or an envelope's content) with
// the closed schema, which leaves no violation and no notice.
func (c *checker) fastBodyOK(rs *response, value any) bool {
	f := c.fastOp()
	if f == nil || f.responses[rs] == nil || value == nil {
		return false
	}
	return c.fastBody(rs, f.responses[rs], value, true)
}
