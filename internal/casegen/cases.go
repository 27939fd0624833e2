package casegen

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-openapi/jsonpointer"
)

// declared is one response the operation declares, ready to send.
type declared struct {
	key      string
	status   int
	ref      *openapi3.ResponseRef
	pure     bool             // its body is the envelope only (a remove's 200)
	envelope bool             // it can carry the envelope
	schema   *openapi3.Schema // its plain body's schema (not the envelope's)
	mt       string           // the media type it answers in on this server
	resp     Response         // the conforming response (none for a pure envelope)
}

func (x *op) declaredResponses() ([]declared, error) {
	var out []declared
	for _, key := range sortedKeys(x.op.Responses.Map()) {
		status, err := strconv.Atoi(key)
		if err != nil {
			continue // ranges and default: no status to send
		}
		ref := x.op.Responses.Value(key)
		d := declared{key: key, status: status, ref: ref}
		types := sortedKeys(ref.Value.Content)
		if len(types) > 0 {
			allowed := allowedTypes(types, x.srv.responses)
			d.mt = allowed[0]
			for _, t := range allowed {
				if t == x.accept {
					d.mt = t
				}
			}
			m := ref.Value.Content.Get(d.mt)
			d.schema = schemaOf(m)
			if m.Schema != nil && x.g.envelope != nil {
				s := m.Schema.Value
				if s == x.g.envelope {
					d.pure, d.envelope = true, true
				}
				for _, b := range s.OneOf {
					if b.Value == x.g.envelope {
						d.envelope = true
					} else {
						d.schema = b.Value
					}
				}
			}
		}
		if !d.pure {
			var err error
			if d.resp, err = x.response(d); err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// response builds a conforming response of d, from its examples.
func (x *op) response(d declared) (Response, error) {
	r := Response{Status: d.status, Header: http.Header{}}
	for _, name := range sortedKeys(d.ref.Value.Headers) {
		h := d.ref.Value.Headers[name].Value
		if strings.EqualFold(name, "Content-Type") {
			continue
		}
		v, err := exampleString(h.Example, h.Schema)
		if err != nil {
			return r, fmt.Errorf("header %s: %w", name, err)
		}
		r.Header.Set(name, v)
	}
	if d.mt != "" {
		body, err := exampleOrValid(d.ref.Value.Content.Get(d.mt), d.schema)
		if err != nil {
			return r, fmt.Errorf("%s body: %w", d.key, err)
		}
		r.Header.Set("Content-Type", d.mt)
		r.Body, _ = json.Marshal(body)
	}
	return r, nil
}

// cases derives every case of the operation on its server.
func (x *op) cases() ([]Case, error) {
	var out []Case
	add := func(c Case) { out = append(out, c) }
	resps, err := x.declaredResponses()
	if err != nil {
		return nil, err
	}
	// Requests are paired with a plain success: one that cannot carry the
	// envelope, when there is one.
	var success *declared
	for i := range resps {
		if d := &resps[i]; d.status/100 == 2 && !d.pure && (success == nil || success.envelope && !d.envelope) {
			success = d
		}
	}
	if success == nil {
		return nil, fmt.Errorf("no plain success response to pair requests with")
	}
	okResp := success.resp
	req := func() Request { return x.request(x.vals, x.reqBody) }

	// Conforming: every declared status.
	for _, d := range resps {
		if d.pure {
			continue
		}
		resp := d.resp
		add(Case{Name: x.name(d.key, ""), Request: req(), Response: resp})
		if d.status == http.StatusUnauthorized {
			add(Case{Name: x.name(d.key, "the first half of the digest handshake"), Request: x.requestWith("Authorization", ""), Response: resp})
			basic := resp
			basic.Header = resp.Header.Clone()
			basic.Header.Set("WWW-Authenticate", `Basic realm="x"`)
			add(Case{Name: x.name(d.key, "a challenge of a scheme the request cannot use"), Request: req(), Response: basic,
				Broken: &Broken{Side: "response", Rule: "challenge", Where: "WWW-Authenticate"}})
		}
	}
	// Conforming variants of the request.
	for _, mt := range x.reqTypes[min(1, len(x.reqTypes)):] {
		add(Case{Name: x.name(success.key, "request body as "+mt), Request: x.requestWith("Content-Type", mt), Response: okResp})
	}
	if x.authAlt != "" {
		add(Case{Name: x.name(success.key, "another accepted scheme"), Request: x.requestWith("Authorization", x.authAlt), Response: okResp})
	}
	for _, p := range x.params {
		if p.In != openapi3.ParameterInQuery || p.Required || p.Name == "envelope" {
			continue
		}
		v, err := x.g.paramValue(p)
		if err != nil {
			return nil, err
		}
		values := []string{v}
		if p.Schema != nil && typeOf(p.Schema.Value) == openapi3.TypeBoolean {
			values = []string{"true", "false"} // on and off
		}
		for _, v := range values {
			add(Case{Name: x.name(success.key, "with "+p.Name+"="+v), Request: x.request(x.with(p.In, p.Name, v), x.reqBody), Response: okResp})
		}
	}
	if x.hasBody {
		if m := x.op.RequestBody.Value.Content.Get(x.reqType); m != nil && m.Schema != nil {
			for _, b := range bounds(m.Schema.Value, x.reqBody, 0) {
				add(Case{Name: x.name(success.key, "body "+b.pointer+" at its "+b.rule+" bound"), Request: x.request(x.vals, b.value), Response: okResp})
			}
		}
	}
	if m := versionDate.FindStringSubmatchIndex(x.accept); m != nil && success.mt == x.accept {
		// A client may name any date after the newest version: a year later, say.
		year, _ := strconv.Atoi(x.accept[m[2]:m[3]])
		later := x.requestWith("Accept", x.accept[:m[2]]+strconv.Itoa(year+1)+x.accept[m[3]:])
		add(Case{Name: x.name(success.key, "Accept names a later version"), Request: later, Response: okResp})
		// A date before the newest version, yet not before every declared
		// version, is answered in a version not after it: the newest
		// version's answer breaks that. (What answers a date before the
		// first version is not recorded, so nothing is broken then.)
		if earlier := earlierVersion(sortedKeys(success.ref.Value.Content), x.accept[m[2]:m[5]]); earlier != "" {
			early := x.requestWith("Accept", x.accept[:m[2]]+earlier+x.accept[m[5]:])
			add(Case{Name: x.name(success.key, "answered in a version after the one Accept asked for"), Request: early, Response: okResp,
				Broken: &Broken{Side: "response", Rule: "version", Where: "Content-Type"}})
		}
	}
	if len(okResp.Body) > 0 {
		gz := okResp
		gz.Header = okResp.Header.Clone()
		gz.Header.Set("Content-Encoding", "gzip")
		gz.Body = gzipped(okResp.Body)
		add(Case{Name: x.name(success.key, "a gzip-encoded body"), Request: req(), Response: gz,
			Broken: &Broken{Side: "response", Rule: "content-encoding", Where: "Content-Encoding"}})
	}

	out = append(out, x.envelopeCases(resps, success, okResp)...)
	out = append(out, x.requestBreakages(success, okResp)...)
	out = append(out, x.responseBreakages(resps)...)
	for i := range out {
		out[i].Operation, out[i].Server = x.id, x.srv.url
	}
	return out, nil
}

// earlierVersion is the newest version date among the versioned media types
// before date, or "" when none is.
func earlierVersion(types []string, date string) string {
	best := ""
	for _, t := range types {
		if m := versionDate.FindStringSubmatch(t); m != nil {
			if d := m[1] + m[2]; d < date && d > best {
				best = d
			}
		}
	}
	return best
}

// versionDate finds the resource version in a versioned media type
// ("application/vnd.atlas.2024-05-30+json"): its year, then the rest.
var versionDate = regexp.MustCompile(`vnd\.[^+]*?([0-9]{4})(-[0-9]{2}-[0-9]{2})`)

// envelopeCases: envelope=true answered with each declared status wrapped.
func (x *op) envelopeCases(resps []declared, success *declared, okResp Response) []Case {
	var env *declared
	for i := range resps {
		if resps[i].status == http.StatusOK && resps[i].envelope {
			env = &resps[i]
		}
	}
	if env == nil || !x.envParam {
		return nil
	}
	var out []Case
	req := x.request(x.with(openapi3.ParameterInQuery, "envelope", "true"), x.reqBody)
	for _, d := range resps {
		if d.pure || d.status == http.StatusUnauthorized {
			continue
		}
		inner := d.resp
		body := map[string]any{"status": float64(d.status)}
		if len(inner.Body) > 0 {
			var content any
			_ = json.Unmarshal(inner.Body, &content)
			body["content"] = content
		}
		resp := Response{Status: http.StatusOK, Header: inner.Header.Clone()}
		if resp.Header.Get("Content-Type") == "" {
			resp.Header.Set("Content-Type", env.mt)
		}
		resp.Body, _ = json.Marshal(body)
		out = append(out, Case{Name: x.name("200", fmt.Sprintf("envelope=true, %d enveloped", d.status)), Request: req, Response: resp})
		if len(inner.Body) > 0 && d.status != http.StatusOK {
			real := resp
			real.Status = d.status
			out = append(out, Case{Name: x.name(d.key, "envelope=true, enveloped on its own status line"), Request: req, Response: real,
				Broken: &Broken{Side: "response", Rule: "envelope-status-line", Where: "status"}})
		}
		if d.status == success.status && len(inner.Body) > 0 {
			var content any
			_ = json.Unmarshal(inner.Body, &content)
			if obj, ok := content.(map[string]any); ok {
				// The first property, by name, whose schema has a type: its
				// value of another type breaks it for certain.
				schema := d.schema
				for _, k := range sortedKeys(obj) {
					var p *openapi3.Schema
					if schema != nil && schema.Properties[k] != nil {
						p = schema.Properties[k].Value
					}
					if typeOf(p) == "" {
						continue
					}
					broken := maps.Clone(obj)
					broken[k] = wrongType(typeOf(p))
					b := map[string]any{"status": float64(d.status), "content": broken}
					bad := resp
					bad.Body, _ = json.Marshal(b)
					out = append(out, Case{Name: x.name("200", "envelope=true, content breaks its status's schema"), Request: req, Response: bad,
						Broken: &Broken{Side: "response", Rule: "envelope-content", Where: "/content/" + jsonpointer.Escape(k)}})
					break
				}
			}
		}
	}
	if len(okResp.Body) > 0 {
		// (A 204 cannot carry an envelope: answering it plain is fine.)
		out = append(out, Case{Name: x.name(success.key, "envelope=true answered plain"), Request: req, Response: okResp,
			Broken: &Broken{Side: "response", Rule: "envelope", Where: "body"}})
	}
	if env.pure {
		// The enveloped-only 200 without envelope=true.
		inner := map[string]any{"status": float64(success.status)}
		resp := Response{Status: http.StatusOK, Header: okResp.Header.Clone()}
		if resp.Header.Get("Content-Type") == "" {
			resp.Header.Set("Content-Type", env.mt)
		}
		resp.Body, _ = json.Marshal(inner)
		out = append(out, Case{Name: x.name("200", "an envelope without envelope=true"), Request: x.request(x.vals, x.reqBody), Response: resp,
			Broken: &Broken{Side: "response", Rule: "envelope", Where: "status"}})
	}
	return out
}

func (x *op) requestBreakages(success *declared, okResp Response) []Case {
	var out []Case
	add := func(what string, r Request, b Broken) {
		b.Side = "request"
		out = append(out, Case{Name: x.name(success.key, what), Request: r, Response: okResp, Broken: &b})
	}
	// Parameters.
	for _, p := range x.params {
		if p.Schema == nil || p.Name == "envelope" && p.In == openapi3.ParameterInQuery {
			continue
		}
		good, err := x.g.paramValue(p)
		if err != nil {
			continue
		}
		var goodValue any = good
		if typeOf(p.Schema.Value) != openapi3.TypeString {
			_ = json.Unmarshal([]byte(good), &goodValue)
		}
		for _, b := range breakages(p.Schema.Value, goodValue, 0, true) {
			raw, ok := paramString(p.Schema.Value, b)
			if !ok {
				continue
			}
			add(p.In+" "+p.Name+" breaks "+b.rule, x.request(x.with(p.In, p.Name, raw), x.reqBody), Broken{Rule: b.rule, Where: p.Name})
		}
		if p.Required && p.In != openapi3.ParameterInPath {
			add(p.In+" "+p.Name+" missing", x.request(x.with(p.In, p.Name, ""), x.reqBody), Broken{Rule: "required", Where: p.Name})
		}
	}
	add("an undeclared query parameter", x.request(x.with(openapi3.ParameterInQuery, "undeclaredParameter", "1"), x.reqBody), Broken{Rule: "undeclared-parameter", Where: "undeclaredParameter"})
	// Method.
	r := x.request(x.vals, x.reqBody)
	r.Method = "PATCH"
	if x.item.GetOperation("PATCH") == nil {
		add("an undeclared method", r, Broken{Rule: "undeclared-method", Where: "method"})
	}
	// Credentials.
	if x.auth != "" {
		add("no credentials, answered without the challenge", x.requestWith("Authorization", ""), Broken{Rule: "security", Where: "Authorization"})
		if x.auth == "digest" {
			r := x.request(x.vals, x.reqBody)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), `nonce="bm9uY2UtMDAwMQ==", `, "", 1))
			add("a digest credential without nonce", r, Broken{Rule: "security", Where: "Authorization"})
		}
		if !strings.HasPrefix(x.auth, "Basic") && !strings.HasPrefix(x.authAlt, "Basic") {
			add("a scheme the operation does not take", x.requestWith("Authorization", "Basic dXNlcjpwYXNz"), Broken{Rule: "security", Where: "Authorization"})
		}
		if x.authElsewhere != "" {
			add("a scheme another server takes", x.requestWith("Authorization", x.authElsewhere), Broken{Rule: "security", Where: "Authorization"})
		}
	}
	// Body.
	if !x.hasBody {
		r := x.request(x.vals, nil)
		r.Header.Set("Content-Type", "application/json")
		r.Body = []byte(`{}`)
		add("a body where none is declared", r, Broken{Rule: "no-body", Where: "body"})
		return out
	}
	if x.op.RequestBody.Value.Required {
		add("no body", x.request(x.vals, nil), Broken{Rule: "missing-body", Where: "body"})
	}
	r = x.request(x.vals, x.reqBody)
	content := x.op.RequestBody.Value.Content
	for _, v := range x.bodyVariants(r.Header, r.Body, content, x.srv.requests, schemaOf(content.Get(x.reqType)), true) {
		r := r
		r.Header, r.Body = v.header, v.body
		add(v.what, r, v.broken)
	}
	return out
}

// paramString renders a broken parameter value as the string a request
// carries; a breakage a string cannot carry (a JSON type for a string
// parameter, null) is skipped.
func paramString(s *openapi3.Schema, b breakage) (string, bool) {
	switch b.rule {
	case "nullable":
		return "", false
	case "type":
		if typeOf(s) == openapi3.TypeString {
			return "", false
		}
	}
	if b.pointer != "" {
		return "", false
	}
	switch b.value.(type) {
	case string, float64, bool:
		v := scalar(b.value)
		return v, v != ""
	}
	return "", false
}

func (x *op) responseBreakages(resps []declared) []Case {
	var out []Case
	req := x.request(x.vals, x.reqBody)
	add := func(d declared, what string, resp Response, b Broken) {
		b.Side = "response"
		out = append(out, Case{Name: x.name(d.key, what), Request: req, Response: resp, Broken: &b})
	}
	out = append(out, Case{Name: x.name("418", "an undeclared status"), Request: req,
		Response: Response{Status: 418, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)},
		Broken:   &Broken{Side: "response", Rule: "status", Where: "status"}})
	for _, d := range resps {
		if d.pure {
			continue
		}
		good := d.resp
		clone := func() Response {
			r := good
			r.Header = good.Header.Clone()
			r.Body = append([]byte(nil), good.Body...)
			return r
		}
		for _, name := range sortedKeys(d.ref.Value.Headers) {
			h := d.ref.Value.Headers[name].Value
			if h.Required {
				r := clone()
				r.Header.Del(name)
				add(d, "no "+name, r, Broken{Rule: "required-header", Where: name})
			}
			if h.Schema != nil && typeOf(h.Schema.Value) != openapi3.TypeString && typeOf(h.Schema.Value) != "" {
				r := clone()
				r.Header.Set(name, "not-a-number")
				add(d, name+" of the wrong type", r, Broken{Rule: "type", Where: name})
			}
		}
		if d.mt == "" {
			r := clone()
			r.Body = []byte(`{"unexpected":"body"}`)
			r.Header.Set("Content-Type", "application/json")
			add(d, "a body where none is declared", r, Broken{Rule: "no-body", Where: "body"})
			continue
		}
		r := clone()
		r.Body = nil
		add(d, "no body", r, Broken{Rule: "missing-body", Where: "body"})
		for _, v := range x.bodyVariants(good.Header, good.Body, d.ref.Value.Content, x.srv.responses, d.schema, false) {
			r := good
			r.Header, r.Body = v.header, v.body
			add(d, v.what, r, v.broken)
		}
	}
	return out
}

// variant is a conforming message's header and body with one rule broken.
type variant struct {
	what   string
	header http.Header
	body   []byte
	broken Broken
}

// bodyVariants breaks, one at a time, what a JSON body keeps, request (req)
// or response alike: it is JSON, its Content-Type is declared and one its
// server takes, a member name appears once, its strings are UTF-8, and each
// rule of its schema. A request's is one JSON text; a response's may not
// add a property (a notice unless strict). h and body are the conforming
// message's; content is what it declares, list its server's media types.
func (x *op) bodyVariants(h http.Header, body []byte, content openapi3.Content, list []string, schema *openapi3.Schema, req bool) []variant {
	var out []variant
	add := func(what string, h http.Header, body []byte, rule, where string) {
		out = append(out, variant{what, h.Clone(), slices.Clone(body), Broken{Rule: rule, Where: where}})
	}
	withType := func(mt string) http.Header {
		h := h.Clone()
		if h.Del("Content-Type"); mt != "" {
			h.Set("Content-Type", mt)
		}
		return h
	}
	add("a body that is not JSON", h, body[:len(body)-1], "not-json", "body")
	if req {
		add("a JSON text with data after it", h, append(slices.Clone(body), " {}"...), "trailing-data", "body")
	}
	add("no Content-Type", withType(""), body, "content-type", "Content-Type")
	add("an undeclared Content-Type", withType("text/plain"), body, "content-type", "Content-Type")
	if other := otherServersType(sortedKeys(content), list); other != "" {
		add("another server's media type", withType(other), body, "media-type", "Content-Type")
	}
	if dup, ok := duplicateFirstName(body); ok {
		add("a member name twice", h, dup, "duplicate-name", "body")
	}
	if bad, ok := invalidUTF8(body, schema); ok {
		add("a string that is not UTF-8", h, bad, "utf-8", "body")
	}
	var value any
	_ = json.Unmarshal(body, &value)
	if obj, ok := value.(map[string]any); ok && !req {
		extra := maps.Clone(obj)
		extra["propertyAddedLater"] = "x"
		data, _ := json.Marshal(extra)
		add("a property the contract does not declare", h, data, "undeclared-property", "/propertyAddedLater")
	}
	for _, b := range breakages(schema, value, 0, req) {
		data, _ := json.Marshal(b.value)
		add("body "+b.pointer+" breaks "+b.rule, h, data, b.rule, b.pointer)
	}
	return out
}

// duplicateFirstName repeats an object's first member: {"a":1,"a":1,…}.
func duplicateFirstName(body []byte) ([]byte, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || len(obj) == 0 {
		return nil, false
	}
	name := sortedKeys(obj)[0]
	member, _ := json.Marshal(name)
	dup := append(append([]byte("{"), member...), ':')
	dup = append(dup, obj[name]...)
	dup = append(dup, ',')
	return append(dup, body[1:]...), true
}

// invalidUTF8 puts a byte that is not UTF-8 into the value of a free-text
// property of the object body (the first, by name, whose schema s gives
// no pattern, checked format or enum, and whose maxLength leaves room for
// the U+FFFD a decoder reads): the body then breaks that rule alone, where
// a patterned id would break its pattern too.
func invalidUTF8(body []byte, s *openapi3.Schema) ([]byte, bool) {
	var obj map[string]any
	if s == nil || json.Unmarshal(body, &obj) != nil {
		return nil, false
	}
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name].Value
		v, ok := obj[name].(string)
		if !ok || p == nil || typeOf(p) != openapi3.TypeString || p.Pattern != "" || len(p.Enum) > 0 ||
			p.Format != "" && knownFormat(p.Format) || p.MaxLength != nil && uint64(len([]rune(v)))+1 > *p.MaxLength {
			continue
		}
		key, _ := json.Marshal(name)
		i := strings.Index(string(body), string(key)+`:"`)
		if i < 0 {
			continue
		}
		at := i + len(key) + 2
		out := append([]byte(nil), body[:at]...)
		out = append(out, 0xff)
		return append(out, body[at:]...), true
	}
	return nil, false
}
