// Package casegen derives HTTP exchanges from the contract: for every
// operation, server and declared status one exchange that conforms, and,
// from each rule the document states, exchanges that break that one rule
// and nothing else. Nothing is kept by hand: an operation, parameter or
// constraint added to the contract is covered with no change here. The
// values sent are the document's own (examples, defaults, the first of an
// enum); a place that has none is an error naming it.
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
	"maps"
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

// New prepares a generator.
func New(doc *openapi3.T) (*Generator, error) {
	g := &Generator{doc: doc, host: "cloud.mongodb.com"}
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
	g        *Generator
	path     string
	item     *openapi3.PathItem
	method   string
	op       *openapi3.Operation
	srv      *server
	id       string
	params   []*openapi3.Parameter
	vals     map[place]string // the path's and the required parameters' values
	reqType  string           // the request body's media type, "" when none
	reqTypes []string
	reqBody  any
	hasBody  bool
	auth     string // a well-formed Authorization the server accepts
	authAlt  string // another accepted scheme's, if any (bearer on v2)
	// authElsewhere is a scheme's the operation takes on another server
	// only, if any (bearer on v1.0).
	authElsewhere string
	accept        string
	envParam      bool
}

func (g *Generator) newOp(path string, item *openapi3.PathItem, method string, o *openapi3.Operation, srv *server) (*op, error) {
	x := &op{g: g, path: path, item: item, method: method, op: o, srv: srv, id: o.OperationID,
		vals: map[place]string{}}
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
			x.vals[place{p.In, p.Name}] = v
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
		body, err := exampleOrValid(m, schemaOf(m))
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		x.reqBody = body
	}
	x.auth, x.authAlt, x.authElsewhere = g.credentials(o, srv)
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
		for _, r := range o.Responses.Map() {
			for mt := range r.Value.Content {
				if mt > best && slices.ContainsFunc(srv.responses, func(p string) bool { return strings.Contains(p, "{version}") && admits(p, mt) }) {
					best = mt
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

// admits reports whether a pattern of x-atlas-media-types admits a media
// type: the same type, or the pattern with a version for {version}.
func admits(pattern, mt string) bool {
	mt = strings.ToLower(mt)
	prefix, suffix, templated := strings.Cut(pattern, "{version}")
	if !templated {
		return mt == pattern
	}
	return len(mt) > len(prefix)+len(suffix) && strings.HasPrefix(mt, prefix) && strings.HasSuffix(mt, suffix)
}

// listed reports whether a server's list admits a declared media type.
func listed(list []string, mt string) bool {
	return slices.ContainsFunc(list, func(p string) bool { return admits(p, mt) })
}

// allowedTypes keeps the declared media types a server's list admits (all
// when the list says nothing about them).
func allowedTypes(declared, list []string) []string {
	in := slices.DeleteFunc(slices.Clone(declared), func(d string) bool { return !listed(list, d) })
	if len(in) == 0 {
		return declared
	}
	return in
}

// otherServersType is a declared media type this server's list does not
// admit but another server's does: the other API version's type. It is ""
// when the list admits none of them: it says nothing of these bodies
// (errors are plain JSON everywhere).
func otherServersType(declared, list []string) string {
	i := slices.IndexFunc(declared, func(d string) bool { return !listed(list, d) })
	if i < 0 || !slices.ContainsFunc(declared, func(d string) bool { return listed(list, d) }) {
		return ""
	}
	return declared[i]
}

func (g *Generator) paramValue(p *openapi3.Parameter) (string, error) {
	if v, ok := g.params[p.Name]; ok {
		return v, nil
	}
	return exampleString(p.Example, p.Schema)
}

// exampleString is the value a parameter or header carries: its example,
// else its schema's.
func exampleString(example any, schema *openapi3.SchemaRef) (string, error) {
	if example != nil {
		return fmt.Sprint(example), nil
	}
	if schema == nil {
		return "value", nil
	}
	v, err := valid(schema.Value, 0)
	if err != nil {
		return "", err
	}
	return scalar(v), nil
}

// schemaOf is a media type's schema, nil when it declares none.
func schemaOf(m *openapi3.MediaType) *openapi3.Schema {
	if m == nil || m.Schema == nil {
		return nil
	}
	return m.Schema.Value
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

// exampleOrValid is the first of a media type's examples that schema (the
// media type's own, or the plain branch of a oneOf with the envelope)
// accepts, else schema's own example. kin-openapi's loader decodes
// examples, from YAML too, into encoding/json's types (float64, []any,
// map[string]any), so they are sent as they are.
func exampleOrValid(m *openapi3.MediaType, schema *openapi3.Schema) (any, error) {
	for _, name := range sortedKeys(m.Examples) {
		ex := m.Examples[name]
		if ex == nil || ex.Value == nil {
			continue
		}
		if schema == nil || schema.VisitJSON(ex.Value.Value) == nil {
			return ex.Value.Value, nil
		}
	}
	if m.Example != nil && (schema == nil || schema.VisitJSON(m.Example) == nil) {
		return m.Example, nil
	}
	return valid(schema, 0)
}

// security is the operation's requirements: its own, else the document's.
func (g *Generator) security(o *openapi3.Operation) openapi3.SecurityRequirements {
	if o.Security != nil {
		return *o.Security
	}
	return g.doc.Security
}

// credentials builds a well-formed Authorization for the operation on its
// server, one of another accepted scheme when there is one, and a bearer
// token when the operation takes one on some server but not on this one
// (a bearer token on v1.0).
func (g *Generator) credentials(o *openapi3.Operation, srv *server) (first, alt, elsewhere string) {
	const bearer = "Bearer mdb_sa_token_0123456789abcdef"
	for _, req := range g.security(o) {
		for _, name := range sortedKeys(req) {
			ref := g.doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil {
				continue
			}
			s := ref.Value
			isBearer := s.Type == "http" && strings.EqualFold(s.Scheme, "bearer")
			if !g.acceptsScheme(s, srv) {
				if elsewhere == "" && (isBearer || s.Type == "oauth2") {
					elsewhere = bearer
				}
				continue
			}
			var v string
			switch {
			case s.Type == "http" && strings.EqualFold(s.Scheme, "digest"):
				v = "digest"
			case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
				v = "Basic " + base64.StdEncoding.EncodeToString([]byte("user:password"))
			case isBearer, s.Type == "oauth2", s.Type == "openIdConnect":
				v = bearer
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
	return first, alt, elsewhere
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

// digestFor is a well-formed digest credential for a request URI (its
// response is not computed: the contract checks form, not correctness).
func digestFor(uri string) string {
	return `Digest username="0123abcd", realm="MMS Public API", nonce="bm9uY2UtMDAwMQ==", uri="` + uri +
		`", algorithm=MD5, response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="Y25vbmNl"`
}

// place is where a parameter's value goes: its in and its name.
type place struct{ in, name string }

// with is the conforming values with one set to v ("": left out, but for a
// path parameter, whose place in the path stays).
func (x *op) with(in, name, v string) map[place]string {
	vals := maps.Clone(x.vals)
	if v == "" && in != openapi3.ParameterInPath {
		delete(vals, place{in, name})
	} else {
		vals[place{in, name}] = v
	}
	return vals
}

// request builds the operation's request from parameter values and a body
// (nil: none).
func (x *op) request(vals map[place]string, body any) Request {
	path, query, h := x.srv.base+x.path, url.Values{}, http.Header{}
	for _, k := range slices.SortedFunc(maps.Keys(vals), func(a, b place) int { return strings.Compare(a.in+" "+a.name, b.in+" "+b.name) }) {
		switch v := vals[k]; k.in {
		case openapi3.ParameterInPath:
			path = strings.ReplaceAll(path, "{"+k.name+"}", url.PathEscape(v))
		case openapi3.ParameterInQuery:
			query.Set(k.name, v)
		case openapi3.ParameterInHeader:
			h.Set(k.name, v)
		case openapi3.ParameterInCookie:
			h.Add("Cookie", k.name+"="+v)
		}
	}
	u := &url.URL{Scheme: "https", Host: x.g.host, Path: path, RawQuery: query.Encode()}
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

// requestWith is the conforming request with one header set to v ("":
// left out).
func (x *op) requestWith(name, v string) Request {
	r := x.request(x.vals, x.reqBody)
	if r.Header.Del(name); v != "" {
		r.Header.Set(name, v)
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

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}
