// Package casegen derives HTTP exchanges from the contract: for every
// operation, server and declared status one exchange that conforms, and,
// from each rule the document states, exchanges that break that one rule
// and nothing else. Nothing is kept by hand: an operation, parameter or
// constraint added to the contract is covered with no change here.
//
// Besides OpenAPI itself the generator knows the Atlas conventions the
// contract states in its own extensions and descriptions, because a
// conforming exchange must keep them too: x-atlas-media-types (the media
// types a server takes and answers in, {version} for a version date),
// x-atlas-servers (the servers a security scheme is accepted on), and the
// envelope (the query parameter envelope and the ResponseEnvelope schema).
//
// It reads those from the document itself and never asks the contract
// package, even where the two read the same extension the same way
// (x-atlas-servers, say): the exchanges are the evidence the differential
// tests judge the contract package by, so they must not come from it.
package casegen

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Request and Response are the two halves of a case.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// Response is what the case's server answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Case is one exchange derived from the contract.
type Case struct {
	// Name says what the case is: operation, server, status, and what it
	// breaks.
	Name      string
	Operation string
	Server    string // the server's URL as the document writes it
	Request   Request
	Response  Response
	// Broken says which rule the case breaks; nil for a conforming case.
	Broken *Broken
}

// Broken is the one rule a case breaks.
type Broken struct {
	Side string // "request" or "response"
	// Rule is a JSON Schema keyword ("pattern", "type", "required", …), an
	// OpenAPI rule ("status", "content-type", "required-header",
	// "undeclared-method", "missing-body", "not-json"), or one of the
	// project's own rules ("media-type", "version", "security",
	// "challenge", "envelope", "envelope-content", "envelope-status-line", "no-body",
	// "duplicate-name", "utf-8", "trailing-data", "content-encoding",
	// "undeclared-parameter", "undeclared-property").
	Rule string
	// Where is the parameter, header or JSON pointer concerned.
	Where string
}

// Generator derives cases from one document.
type Generator struct {
	doc      *openapi3.T
	servers  []server
	envelope *openapi3.Schema
	host     string
	// knownFormat reports whether a string format is checked (registered);
	// an unknown format (password) checks nothing and is never "broken".
	knownFormat func(string) bool
	// params overrides the value of parameters by name (an organization
	// the caller owns, say), instead of the document's examples.
	params map[string]string
}

// SetParam makes every conforming request carry value for the parameters
// named name (path, query, header or cookie), instead of the document's
// example. A breakage of that parameter still breaks it.
func (g *Generator) SetParam(name, value string) {
	if g.params == nil {
		g.params = map[string]string{}
	}
	g.params[name] = value
}

type server struct {
	url, base           string
	requests, responses []string // x-atlas-media-types patterns, lower case
}

// New prepares a generator. knownFormat tells which string formats the
// validator under test enforces.
func New(doc *openapi3.T, knownFormat func(string) bool) (*Generator, error) {
	g := &Generator{doc: doc, host: "cloud.mongodb.com", knownFormat: knownFormat}
	for _, s := range doc.Servers {
		u, err := url.Parse(s.URL)
		if err != nil {
			return nil, err
		}
		srv := server{url: s.URL, base: strings.TrimSuffix(u.Path, "/")}
		if u.Host != "" {
			g.host = u.Host
		}
		if m, ok := s.Extensions["x-atlas-media-types"].(map[string]any); ok {
			srv.requests, srv.responses = stringList(m["requests"]), stringList(m["responses"])
		}
		g.servers = append(g.servers, srv)
	}
	if len(g.servers) == 0 {
		g.servers = []server{{url: "/", base: ""}}
	}
	if ref := doc.Components.Schemas["ResponseEnvelope"]; ref != nil {
		g.envelope = ref.Value
	}
	return g, nil
}

// listedBy reports whether a path item's servers name srv; an item that
// lists none is served on every server of the document.
func (srv *server) listedBy(servers openapi3.Servers) bool {
	if len(servers) == 0 {
		return true
	}
	for _, s := range servers {
		if strings.TrimSuffix(s.URL, "/") == strings.TrimSuffix(srv.url, "/") {
			return true
		}
	}
	return false
}

func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, strings.ToLower(s))
		}
	}
	return out
}

// Cases derives every case, in a fixed order.
func (g *Generator) Cases() ([]Case, error) {
	var out []Case
	for _, path := range g.doc.Paths.InMatchingOrder() {
		item := g.doc.Paths.Value(path)
		methods := sortedKeys(item.Operations())
		for _, method := range methods {
			op := item.GetOperation(method)
			for i := range g.servers {
				if !g.servers[i].listedBy(item.Servers) {
					continue // the path item lists other servers (v2 only, say)
				}
				o, err := g.newOp(path, item, method, op, &g.servers[i])
				if err != nil {
					return nil, fmt.Errorf("casegen: %s %s on %s: %w", method, path, g.servers[i].url, err)
				}
				cases, err := o.cases()
				if err != nil {
					return nil, fmt.Errorf("casegen: %s %s on %s: %w", method, path, g.servers[i].url, err)
				}
				out = append(out, cases...)
			}
		}
	}
	return out, nil
}

// op is one operation on one server, with the pieces of a conforming
// request already built.
type op struct {
	g         *Generator
	path      string
	item      *openapi3.PathItem
	method    string
	op        *openapi3.Operation
	srv       *server
	id        string
	params    []*openapi3.Parameter
	pathVals  map[string]string
	queryVals url.Values // required ones only
	headers   http.Header
	reqType   string // the request body's media type, "" when none
	reqTypes  []string
	reqBody   any
	hasBody   bool
	auth      string // a well-formed Authorization the server accepts
	authAlt   string // another accepted scheme's, if any (bearer on v2)
	accept    string
	envParam  bool
}

func (g *Generator) newOp(path string, item *openapi3.PathItem, method string, o *openapi3.Operation, srv *server) (*op, error) {
	x := &op{g: g, path: path, item: item, method: method, op: o, srv: srv, id: o.OperationID,
		pathVals: map[string]string{}, queryVals: url.Values{}, headers: http.Header{}}
	seen := map[string]bool{}
	for _, ps := range []openapi3.Parameters{o.Parameters, item.Parameters} {
		for _, ref := range ps {
			p := ref.Value
			if seen[p.In+" "+p.Name] {
				continue
			}
			seen[p.In+" "+p.Name] = true
			x.params = append(x.params, p)
			if p.Name == "envelope" && p.In == openapi3.ParameterInQuery {
				x.envParam = true
			}
			if p.In != openapi3.ParameterInPath && !p.Required {
				continue
			}
			v, err := g.paramValue(p)
			if err != nil {
				return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
			}
			switch p.In {
			case openapi3.ParameterInPath:
				x.pathVals[p.Name] = v
			case openapi3.ParameterInQuery:
				x.queryVals.Set(p.Name, v)
			case openapi3.ParameterInHeader:
				x.headers.Set(p.Name, v)
			case openapi3.ParameterInCookie:
				x.headers.Add("Cookie", p.Name+"="+v)
			}
		}
	}
	slices.SortFunc(x.params, func(a, b *openapi3.Parameter) int { return strings.Compare(a.In+a.Name, b.In+b.Name) })
	if rb := o.RequestBody; rb != nil && rb.Value != nil {
		x.hasBody = true
		x.reqTypes = allowedTypes(sortedKeys(rb.Value.Content), srv.requests)
		if len(x.reqTypes) == 0 {
			return nil, fmt.Errorf("no request media type its server takes")
		}
		x.reqType = x.reqTypes[0]
		m := rb.Value.Content.Get(x.reqType)
		body, err := exampleOrValid(m, nil)
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		x.reqBody = body
	}
	x.auth, x.authAlt = g.credentials(o, srv)
	x.accept = "application/json"
	if v := g.versionedType(srv, o); v != "" {
		x.accept = v
	}
	return x, nil
}

// versionedType is the versioned media type a server answers o's bodies
// in, as o declares it ("application/vnd.atlas.2024-05-30+json"): the
// newest, when o declares several versions, since that is what a client
// asks for. Each operation has its own resource versions; an operation that
// declares none on this server gets the document's first.
func (g *Generator) versionedType(srv *server, o *openapi3.Operation) string {
	newest := func(o *openapi3.Operation) string {
		var best string
		for _, pat := range srv.responses {
			prefix, suffix, ok := strings.Cut(pat, "{version}")
			if !ok {
				continue
			}
			for _, key := range sortedKeys(o.Responses.Map()) {
				for _, mt := range sortedKeys(o.Responses.Value(key).Value.Content) {
					if strings.HasPrefix(mt, prefix) && strings.HasSuffix(mt, suffix) && len(mt) > len(prefix)+len(suffix) && mt > best {
						best = mt
					}
				}
			}
		}
		return best
	}
	if mt := newest(o); mt != "" {
		return mt
	}
	for _, path := range g.doc.Paths.InMatchingOrder() {
		item := g.doc.Paths.Value(path)
		for _, method := range sortedKeys(item.Operations()) {
			if mt := newest(item.GetOperation(method)); mt != "" {
				return mt
			}
		}
	}
	return ""
}

// allowedTypes keeps the declared media types a server's list admits (all
// when the list says nothing about them).
func allowedTypes(declared, list []string) []string {
	var in []string
	for _, d := range declared {
		if matchesAny(strings.ToLower(d), list) {
			in = append(in, d)
		}
	}
	if len(in) == 0 {
		return declared
	}
	return in
}

func matchesAny(mt string, patterns []string) bool {
	for _, p := range patterns {
		if p == mt {
			return true
		}
		if prefix, suffix, ok := strings.Cut(p, "{version}"); ok && strings.HasPrefix(mt, prefix) && strings.HasSuffix(mt, suffix) && len(mt) > len(prefix)+len(suffix) {
			return true
		}
	}
	return false
}

// otherServersType is a declared media type this server's list does not
// admit but another server's does: the other API version's type.
func otherServersType(declared, list []string) string {
	restricted := false
	for _, d := range declared {
		restricted = restricted || matchesAny(strings.ToLower(d), list)
	}
	if !restricted {
		return "" // the list says nothing of these bodies (errors are plain JSON everywhere)
	}
	for _, d := range declared {
		if !matchesAny(strings.ToLower(d), list) {
			return d
		}
	}
	return ""
}

func (g *Generator) paramValue(p *openapi3.Parameter) (string, error) {
	if v, ok := g.params[p.Name]; ok {
		return v, nil
	}
	if p.Example != nil {
		return fmt.Sprint(p.Example), nil
	}
	if p.Schema == nil {
		return "value", nil
	}
	v, err := valid(p.Schema.Value, 0)
	if err != nil {
		return "", err
	}
	return scalar(v), nil
}

func scalar(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// exampleOrValid is the first of a media type's examples that its schema
// accepts, else a value built from the schema (plain is the schema to build
// from when it is not the media type's own: the plain branch of a oneOf
// with the envelope).
func exampleOrValid(m *openapi3.MediaType, plain *openapi3.Schema) (any, error) {
	schema := plain
	if schema == nil && m.Schema != nil {
		schema = m.Schema.Value
	}
	for _, name := range sortedKeys(m.Examples) {
		ex := m.Examples[name]
		if ex == nil || ex.Value == nil {
			continue
		}
		if schema == nil || schema.VisitJSON(normalize(ex.Value.Value)) == nil {
			return normalize(ex.Value.Value), nil
		}
	}
	if m.Example != nil && (schema == nil || schema.VisitJSON(normalize(m.Example)) == nil) {
		return normalize(m.Example), nil
	}
	return valid(schema, 0)
}

// normalize turns a decoded YAML value into what encoding/json would decode
// (float64 numbers, []any, map[string]any).
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// security is the operation's requirements: its own, else the document's.
func (g *Generator) security(o *openapi3.Operation) openapi3.SecurityRequirements {
	if o.Security != nil {
		return *o.Security
	}
	return g.doc.Security
}

// credentials builds a well-formed Authorization for the operation on its
// server, and one of another accepted scheme when there is one.
func (g *Generator) credentials(o *openapi3.Operation, srv *server) (first, alt string) {
	for _, req := range g.security(o) {
		for _, name := range sortedKeys(req) {
			ref := g.doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil || !g.acceptsScheme(ref.Value, srv) {
				continue
			}
			var v string
			switch s := ref.Value; {
			case s.Type == "http" && strings.EqualFold(s.Scheme, "digest"):
				v = "digest"
			case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
				v = "Basic " + base64.StdEncoding.EncodeToString([]byte("user:password"))
			case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"), s.Type == "oauth2", s.Type == "openIdConnect":
				v = "Bearer mdb_sa_token_0123456789abcdef"
			}
			switch {
			case v == "":
			case first == "":
				first = v
			case alt == "" && v != first:
				alt = v
			}
		}
	}
	return first, alt
}

// acceptsScheme reports whether a scheme may be used on srv: unless it
// lists its servers in x-atlas-servers, every scheme may.
func (g *Generator) acceptsScheme(s *openapi3.SecurityScheme, srv *server) bool {
	raw, ok := s.Extensions["x-atlas-servers"]
	if !ok {
		return true
	}
	list, _ := raw.([]any)
	for _, x := range list {
		if str, _ := x.(string); strings.TrimSuffix(str, "/") == strings.TrimSuffix(srv.url, "/") {
			return true
		}
	}
	return false
}

// schemeNotAccepted is an Authorization of a scheme the operation takes on
// some server but not on this one (a bearer token on v1.0).
func (g *Generator) schemeNotAccepted(o *openapi3.Operation, srv *server) string {
	for _, req := range g.security(o) {
		for _, name := range sortedKeys(req) {
			ref := g.doc.Components.SecuritySchemes[name]
			if ref != nil && ref.Value != nil && !g.acceptsScheme(ref.Value, srv) &&
				(ref.Value.Type == "oauth2" || ref.Value.Type == "http" && strings.EqualFold(ref.Value.Scheme, "bearer")) {
				return "Bearer mdb_sa_token_0123456789abcdef"
			}
		}
	}
	return ""
}

// digestFor is a well-formed digest credential for a request URI (its
// response is not computed: the contract checks form, not correctness).
func digestFor(uri string) string {
	return `Digest username="0123abcd", realm="MMS Public API", nonce="bm9uY2UtMDAwMQ==", uri="` + uri +
		`", algorithm=MD5, response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="Y25vbmNl"`
}

// request builds the operation's conforming request; edit changes it.
func (x *op) request(query url.Values, body any) Request {
	path := x.srv.base + x.path
	for name, v := range x.pathVals {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(v))
	}
	u := &url.URL{Scheme: "https", Host: x.g.host, Path: path, RawQuery: query.Encode()}
	h := x.headers.Clone()
	h.Set("Accept", x.accept)
	switch x.auth {
	case "":
	case "digest":
		h.Set("Authorization", digestFor(u.RequestURI()))
	default:
		h.Set("Authorization", x.auth)
	}
	r := Request{Method: x.method, URL: u, Header: h}
	if x.hasBody && body != nil {
		r.Header.Set("Content-Type", x.reqType)
		r.Body, _ = json.Marshal(body)
	}
	return r
}

func (x *op) name(status string, what string) string {
	n := x.id + " on " + x.srv.base + " → " + status
	if what != "" {
		n += ": " + what
	}
	return n
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}
