// Package contract checks HTTP exchanges against the link-token contract,
// openapi/linktoken.yaml, as embedded in package generated/spec.
//
// A Validator takes a request, a response (with the request that caused it)
// or a whole Exchange, and returns every way it breaks the contract as
// Violations. It is stricter than kin-openapi's defaults, whose schema engine
// it uses: an undeclared status, an undeclared content type, a missing
// required header and the other API version's media type are violations; the
// Strict option also refuses properties and query parameters the contract
// does not declare. Envelopes (envelope=true) are opened and their content
// checked against the response declared for their status. Credentials are
// checked for form, never for correctness.
//
// The drop-in forms are NewTransport and TestTransport for clients and
// Middleware for servers; ReadHAR and ReadHTTPFile read recorded traffic.
package contract

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

// ErrNotLinkToken is returned (wrapped) for an exchange whose request is not
// one of the contract's operations: no server base path, or no path under it.
// Readers and Check count such exchanges and skip them.
var ErrNotLinkToken = errors.New("not a link-token operation")

// Option configures a Validator.
type Option func(*config)

type config struct {
	strict bool
}

// Strict refuses, besides everything else, body properties the schema does
// not declare (as if every object schema said additionalProperties: false)
// and query parameters the operation does not declare. Tests and the check
// command use it; TestTransport turns it on.
func Strict() Option { return func(c *config) { c.strict = true } }

// Validator checks exchanges against the contract. It is built once and is
// safe for use by any number of goroutines.
type Validator struct {
	strict  bool
	servers []server
	routes  []route
	quick   map[*openapi3.Schema]quick // read-only after New
}

// server is one entry of the document's servers: a base path and the media
// type of that API version's request and success bodies.
type server struct {
	base      string // "/api/atlas/v2"
	mediaType string // x-atlas-media-type
	bearer    bool   // service-account bearer tokens accepted
}

type route struct {
	segments []string // "orgs", "{orgId}", …; a parameter segment starts with '{'
	params   []string // the parameters' names, in order
	ops      map[string]*operation
	methods  string // "DELETE, POST"
}

type operation struct {
	id         string
	pathParams map[string]*param
	query      map[string]*param // path item and operation, operation wins
	body       *bodySpec         // nil: no request body declared
	digest     bool              // Digest accepted
	bearer     bool              // Bearer accepted (before the server's own rule)
	anonymous  bool              // no security requirement at all
	responses  map[int]*response
	statuses   string // "200, 201, 400, …"
}

type param struct {
	name     string
	required bool
	schema   *openapi3.Schema
	typ      string // the schema's single type, for decoding
}

type bodySpec struct {
	required bool
	content  map[string]*openapi3.Schema // lower-case media type → schema
	types    string                      // declared media types, for messages
}

type response struct {
	status   int
	headers  []header
	content  map[string]*openapi3.Schema
	types    string
	plain    *openapi3.Schema // for a oneOf of X and ResponseEnvelope: X
	envelope *openapi3.Schema // for a oneOf or a plain ResponseEnvelope: the envelope
}

type header struct {
	name     string // canonical
	required bool
	schema   *openapi3.Schema
	typ      string
}

var (
	requestOpts  = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest()}
	responseOpts = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}
	valueOpts    = []openapi3.SchemaValidationOption{openapi3.MultiErrors()}
)

// New loads the contract embedded in package generated/spec (no file is read) and
// prepares everything a check needs.
func New(opts ...Option) (*Validator, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	specformats.Register()
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("contract: load embedded spec: %w", err)
	}
	if c.strict {
		closeObjects(doc)
	}
	v := &Validator{strict: c.strict}
	for _, s := range doc.Servers {
		u, err := url.Parse(s.URL)
		if err != nil {
			return nil, fmt.Errorf("contract: server %q: %w", s.URL, err)
		}
		mt, _ := s.Extensions["x-atlas-media-type"].(string)
		base := strings.TrimSuffix(u.Path, "/")
		v.servers = append(v.servers, server{
			base:      base,
			mediaType: strings.ToLower(mt),
			// Service accounts are accepted on v2 only (the ServiceAccounts
			// scheme's description); OpenAPI 3.0 cannot say so itself.
			bearer: !strings.HasSuffix(base, "/v1.0"),
		})
	}
	// Longest base first, so that no base can shadow a longer one.
	sort.Slice(v.servers, func(i, j int) bool { return len(v.servers[i].base) > len(v.servers[j].base) })

	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		r := route{segments: strings.Split(strings.Trim(path, "/"), "/"), ops: map[string]*operation{}}
		for _, seg := range r.segments {
			if strings.HasPrefix(seg, "{") {
				r.params = append(r.params, strings.Trim(seg, "{}"))
			}
		}
		if len(r.params) > maxPathParams {
			return nil, fmt.Errorf("contract: %s has %d path parameters; the router holds at most %d", path, len(r.params), maxPathParams)
		}
		var methods []string
		for method, op := range item.Operations() {
			o, err := newOperation(doc, item, op)
			if err != nil {
				return nil, fmt.Errorf("contract: %s %s: %w", method, path, err)
			}
			r.ops[method] = o
			methods = append(methods, method)
		}
		slices.Sort(methods)
		r.methods = strings.Join(methods, ", ")
		v.routes = append(v.routes, r)
	}
	v.compileQuick()
	return v, nil
}

// compileQuick prepares the accept-only pre-check of every schema a check
// can visit.
func (v *Validator) compileQuick() {
	qc := quickCompiler{done: map[*openapi3.Schema]quick{}}
	for _, r := range v.routes {
		for _, op := range r.ops {
			for _, p := range op.pathParams {
				qc.compile(p.schema)
			}
			for _, p := range op.query {
				qc.compile(p.schema)
			}
			if op.body != nil {
				for _, s := range op.body.content {
					qc.compile(s)
				}
			}
			for _, rs := range op.responses {
				for _, h := range rs.headers {
					qc.compile(h.schema)
				}
				for _, s := range rs.content {
					qc.compile(s)
				}
				qc.compile(rs.plain)
				qc.compile(rs.envelope)
			}
		}
	}
	v.quick = qc.done
}

// visit checks value against schema: the quick pre-check first, and
// kin-openapi when that cannot vouch for the value.
func (v *Validator) visit(schema *openapi3.Schema, value any, opts []openapi3.SchemaValidationOption) error {
	if q := v.quick[schema]; q != nil && q(value) {
		return nil
	}
	return schema.VisitJSON(value, opts...)
}

// MustNew is New for package-level variables and tests; it panics on error,
// which can only come from a broken embedded spec.
func MustNew(opts ...Option) *Validator {
	v, err := New(opts...)
	if err != nil {
		panic(err)
	}
	return v
}

// IsStrict reports whether the validator was built with Strict.
func (v *Validator) IsStrict() bool { return v.strict }

func newOperation(doc *openapi3.T, item *openapi3.PathItem, op *openapi3.Operation) (*operation, error) {
	o := &operation{
		id:         op.OperationID,
		pathParams: map[string]*param{},
		query:      map[string]*param{},
		responses:  map[int]*response{},
	}
	addParams := func(ps openapi3.Parameters) {
		for _, ref := range ps {
			p := ref.Value
			pp := &param{name: p.Name, required: p.Required}
			if p.Schema != nil {
				pp.schema = p.Schema.Value
				pp.typ = singleType(pp.schema)
			}
			switch p.In {
			case openapi3.ParameterInPath:
				o.pathParams[p.Name] = pp
			case openapi3.ParameterInQuery:
				o.query[p.Name] = pp
			}
		}
	}
	addParams(item.Parameters)
	addParams(op.Parameters)

	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		b := &bodySpec{required: rb.Value.Required, content: map[string]*openapi3.Schema{}}
		var types []string
		for mt, m := range rb.Value.Content {
			b.content[strings.ToLower(mt)] = schemaOf(m)
			types = append(types, mt)
		}
		slices.Sort(types)
		b.types = strings.Join(types, " or ")
		o.body = b
	}

	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	if len(security) == 0 {
		o.anonymous = true
	}
	for _, req := range security {
		if len(req) == 0 {
			o.anonymous = true
		}
		for name := range req {
			ref := doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil {
				return nil, fmt.Errorf("security scheme %q is not declared", name)
			}
			s := ref.Value
			switch {
			case s.Type == "http" && strings.EqualFold(s.Scheme, "digest"):
				o.digest = true
			case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"), s.Type == "oauth2", s.Type == "openIdConnect":
				o.bearer = true
			}
		}
	}

	var statuses []int
	for code, ref := range op.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("response %q: only numeric statuses are supported", code)
		}
		r := ref.Value
		resp := &response{status: status, content: map[string]*openapi3.Schema{}}
		var names []string
		for name := range r.Headers {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			h := r.Headers[name].Value
			hh := header{name: canonical(name), required: h.Required}
			if h.Schema != nil {
				hh.schema = h.Schema.Value
				hh.typ = singleType(hh.schema)
			}
			resp.headers = append(resp.headers, hh)
		}
		var types []string
		for mt, m := range r.Content {
			s := schemaOf(m)
			resp.content[strings.ToLower(mt)] = s
			types = append(types, mt)
			if s != nil {
				resp.plain, resp.envelope = splitEnvelope(m.Schema)
			}
		}
		slices.Sort(types)
		resp.types = strings.Join(types, " or ")
		o.responses[status] = resp
		statuses = append(statuses, status)
	}
	slices.Sort(statuses)
	var s []string
	for _, st := range statuses {
		s = append(s, strconv.Itoa(st))
	}
	o.statuses = strings.Join(s, ", ")
	return o, nil
}

const envelopeRef = "#/components/schemas/ResponseEnvelope"

// splitEnvelope tells a response body schema apart into what a plain response
// carries and what an enveloped one does.
func splitEnvelope(ref *openapi3.SchemaRef) (plain, envelope *openapi3.Schema) {
	if ref == nil || ref.Value == nil {
		return nil, nil
	}
	if strings.HasSuffix(ref.Ref, envelopeRef) {
		return nil, ref.Value
	}
	if len(ref.Value.OneOf) == 0 {
		return ref.Value, nil
	}
	for _, b := range ref.Value.OneOf {
		if strings.HasSuffix(b.Ref, envelopeRef) {
			envelope = b.Value
		} else {
			plain = b.Value
		}
	}
	return plain, envelope
}

func schemaOf(m *openapi3.MediaType) *openapi3.Schema {
	if m == nil || m.Schema == nil {
		return nil
	}
	return m.Schema.Value
}

func singleType(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) != 1 {
		return ""
	}
	return (*s.Type)[0]
}

// closeObjects makes every object schema with declared properties refuse
// undeclared ones, unless it says otherwise. The document is this
// validator's own copy.
func closeObjects(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			f := false
			s.AdditionalProperties.Has = &f
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		for _, l := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
			for _, b := range l {
				walk(b)
			}
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, m := range op.RequestBody.Value.Content {
					walk(m.Schema)
				}
			}
			for _, r := range op.Responses.Map() {
				for _, m := range r.Value.Content {
					walk(m.Schema)
				}
			}
		}
	}
}

// canonical is http.CanonicalHeaderKey; named for brevity.
func canonical(name string) string { return http.CanonicalHeaderKey(name) }

// match finds the server and operation of a request path, on any host and
// under any mount prefix: the server is picked by its base path, and the
// rest of the path must match a path of the document.
func (v *Validator) match(escapedPath string) (*server, *route, pathValues, bool) {
	for i := range v.servers {
		s := &v.servers[i]
		idx := indexSegment(escapedPath, s.base)
		if idx < 0 {
			continue
		}
		rest := escapedPath[idx+len(s.base):]
		for j := range v.routes {
			r := &v.routes[j]
			if vals, ok := matchSegments(r.segments, rest); ok {
				return s, r, vals, true
			}
		}
		return s, nil, pathValues{}, false
	}
	return nil, nil, pathValues{}, false
}

// indexSegment finds base in path where it starts a segment and ends one.
func indexSegment(path, base string) int {
	from := 0
	for {
		i := strings.Index(path[from:], base)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(base)
		if (i == 0 || path[i-1] == '/' || base[0] == '/') && (end == len(path) || path[end] == '/') {
			return i
		}
		from = i + 1
	}
}

// matchSegments matches rest ("/orgs/abc/liveMigrations/linkTokens") against
// a template's segments and returns the raw values of its parameters.
// maxPathParams bounds the path parameters of one route, so that matching a
// path returns its values in a fixed array and costs no allocation (the
// contract's one route has one parameter).
const maxPathParams = 4

// pathValues are the raw values of a route's path parameters, in order.
type pathValues struct {
	n int
	v [maxPathParams]string
}

func matchSegments(segs []string, rest string) (pathValues, bool) {
	if len(rest) == 0 || rest[0] != '/' {
		return pathValues{}, false
	}
	rest = rest[1:]
	rest = strings.TrimSuffix(rest, "/")
	var vals pathValues
	for i, seg := range segs {
		var part string
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			part, rest = rest, ""
			if i != len(segs)-1 {
				return pathValues{}, false
			}
		} else {
			part, rest = rest[:j], rest[j+1:]
			if i == len(segs)-1 {
				return pathValues{}, false
			}
		}
		if len(seg) > 0 && seg[0] == '{' {
			vals.v[vals.n] = part
			vals.n++
			continue
		}
		if part != seg {
			return pathValues{}, false
		}
	}
	return vals, true
}
