package contract

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// operation is what New prepares for one operation of the document.
type operation struct {
	id string
	op *openapi3.Operation
	// query lists the query parameters the operation declares (its own and
	// its path item's), by name; envelopeParam says one is envelope.
	query         map[string]*openapi3.Parameter
	envelopeParam bool
	// setsDefaults: a default can change the verdict on a request, as
	// openapi3filter reads it (a default in the request body's schemas,
	// which stands for a null or absent value, or on a required
	// parameter): such requests are validated with defaults set.
	setsDefaults bool
	// requirements are the operation's security requirements (the
	// document's when it has none), their schemes found once; anonymous is
	// true when one of them is empty or there are none, so a request
	// without credentials may succeed.
	requirements []requirement
	anonymous    bool
	// request is the request body, nil when none is declared.
	request *requestBody
	// responses are the declared responses, by status key ("201", "2XX",
	// "default").
	responses map[string]*response
	// byStatus is the response each status from 100 to 599 finds (its own,
	// else its class's, else the default), looked up once when built.
	byStatus [500]*response
	statuses string // "200, 201, 400, …", for messages
}

type requestBody struct {
	declared []string // lower-case media types
	types    string   // for messages
	content  openapi3.Content
	// restrictedBy lists the servers whose request media types say
	// something of this body (mediaTypes.restricts).
	restrictedBy []*server
}

// response is one declared response, with what kin-openapi is given to
// check it a part at a time. ValidateResponse stops at the first header
// that fails and then skips the body, so a check that is to report every
// violation hands it each header, and the body, as an operation of its own
// that declares only that part.
type response struct {
	key        string
	ref        *openapi3.ResponseRef
	declared   []string // lower-case media types of its content
	types      string
	hasContent bool
	// restrictedBy lists the servers whose response media types say
	// something of this body (mediaTypes.restricts).
	restrictedBy []*server
	headers      []headerCheck
	allHeaders   *routers.Route // every header of headers at once (no body)
	body         *routers.Route // the body only (no headers); a oneOf with the envelope: its plain branch
	closedBody   *routers.Route // the same with every object closed (Strict, and notices)
	// whole is the headers and the body together, closedWhole the same
	// with the closed body: one ValidateResponse call for a response that
	// conforms.
	whole, closedWhole *routers.Route
	// closedNarrows: closing the body's schemas only narrows what they
	// accept (they use no oneOf and no not), so a body the closed schemas
	// accept the open ones accept too, and has no undeclared property;
	// envelopeNarrows the same for the envelope.
	closedNarrows, envelopeNarrows bool
	// closedFlat: the body's schemas are flat, so what the closed ones
	// refuse is what the open ones refuse and the undeclared properties
	// closing added (see splitClosed).
	closedFlat bool
	// envelope, when this response can carry an envelope (the 200 of an
	// operation with envelope=true), is its schema; closedEnvelope closed.
	envelope, closedEnvelope *openapi3.Schema
	// plainAllowed: the response may also carry the plain body (a oneOf of
	// the body and the envelope, as the create's 200).
	plainAllowed bool
}

type headerCheck struct {
	key    string // as the document writes it, as kin-openapi's errors name it
	named  string // `header "key" `: how they name it (failedHeader)
	name   string // canonical
	route  *routers.Route
	header *openapi3.Header
}

func (v *Validator) newOperation(path string, item *openapi3.PathItem, method string, op *openapi3.Operation, closed *closer) (*operation, error) {
	o := &operation{
		id: op.OperationID, op: op,
		query:     map[string]*openapi3.Parameter{},
		responses: map[string]*response{},
	}
	if o.id == "" {
		o.id = method + " " + path
	}
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range ps {
			if p := ref.Value; p.Required && p.In != openapi3.ParameterInPath && p.Schema != nil && hasDefault(p.Schema.Value) {
				o.setsDefaults = true
			}
			if p := ref.Value; p.In == openapi3.ParameterInQuery {
				o.query[p.Name] = p
				if p.Name == envelopeParam && p.Schema != nil && p.Schema.Value.Type.Is(openapi3.TypeBoolean) {
					o.envelopeParam = true
				}
			}
		}
	}
	security := v.doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	o.anonymous = len(security) == 0
	for _, req := range security {
		o.requirements = append(o.requirements, newRequirement(v.doc, req))
		if len(req) == 0 {
			o.anonymous = true
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		for _, m := range rb.Value.Content {
			if m.Schema != nil && schemaDefaults(m.Schema.Value, map[*openapi3.Schema]bool{}) {
				o.setsDefaults = true
			}
		}
		b := &requestBody{content: rb.Value.Content}
		b.declared, b.types = mediaTypesOf(rb.Value.Content)
		b.restrictedBy = v.restrictingServers(b.declared, func(srv *server) mediaTypes { return srv.requests })
		o.request = b
	}
	var statuses []string
	for key, ref := range op.Responses.Map() {
		o.responses[key] = v.newResponse(key, ref, method, path, item, closed)
		statuses = append(statuses, key)
	}
	slices.Sort(statuses)
	o.statuses = strings.Join(statuses, ", ")
	for code := 100; code < 600; code++ {
		o.byStatus[code-100] = o.lookupStatus(code)
	}
	return o, nil
}

// restrictingServers lists the servers whose media types (of requests or
// responses, as list picks them) say something of a body of the declared
// types: worked out once here rather than on every exchange.
func (v *Validator) restrictingServers(declared []string, list func(*server) mediaTypes) []*server {
	var out []*server
	for _, srv := range v.servers {
		if list(srv).restricts(declared) {
			out = append(out, srv)
		}
	}
	return out
}

func mediaTypesOf(content openapi3.Content) (declared []string, types string) {
	var names []string
	for mt := range content {
		declared = append(declared, strings.ToLower(mt))
		names = append(names, mt)
	}
	slices.Sort(declared)
	slices.Sort(names)
	return declared, strings.Join(names, " or ")
}

func (v *Validator) newResponse(key string, ref *openapi3.ResponseRef, method, path string, item *openapi3.PathItem, closed *closer) *response {
	r := &response{key: key, ref: ref}
	resp := ref.Value
	r.declared, r.types = mediaTypesOf(resp.Content)
	r.restrictedBy = v.restrictingServers(r.declared, func(srv *server) mediaTypes { return srv.responses })
	r.hasContent = len(resp.Content) > 0
	route := func(only *openapi3.Response) *routers.Route {
		synth := &openapi3.Operation{Responses: openapi3.NewResponses(openapi3.WithName(key, only))}
		return &routers.Route{Spec: v.doc, Path: path, PathItem: item, Method: method, Operation: synth}
	}
	var names []string
	headers := openapi3.Headers{}
	for name, h := range resp.Headers {
		if h == nil || h.Value == nil || strings.EqualFold(name, "Content-Type") {
			continue // OpenAPI: a Content-Type response header is ignored
		}
		names = append(names, name)
		headers[name] = h
	}
	slices.Sort(names)
	for _, name := range names {
		h := resp.Headers[name]
		r.headers = append(r.headers, headerCheck{
			key: name, named: `header "` + name + `" `, name: http.CanonicalHeaderKey(name), header: h.Value,
			route: route(&openapi3.Response{Description: resp.Description, Headers: openapi3.Headers{name: h}}),
		})
	}
	// The body: for a oneOf of a body and the envelope (the create's 200,
	// which the published specs give a TargetOrg and envelope=true turns
	// into an envelope), the plain branch; the envelope is checked apart.
	bodyContent, closedContent := openapi3.Content{}, openapi3.Content{}
	for mt, m := range resp.Content {
		schema := m.Schema
		if plain, env, ok := v.splitEnvelope(schema); ok {
			r.envelope, r.closedEnvelope = env.Value, closed.close(env).Value
			r.envelopeNarrows = narrowsWhenClosed(env)
			if plain != nil {
				r.plainAllowed = true
				schema = plain
			} else {
				schema = nil
			}
		}
		bm := *m
		bm.Schema = schema
		bodyContent[mt] = &bm
		cm := *m
		cm.Schema = closed.close(schema)
		closedContent[mt] = &cm
	}
	if len(resp.Content) > 0 {
		r.body = route(&openapi3.Response{Description: resp.Description, Content: bodyContent})
		r.closedBody = route(&openapi3.Response{Description: resp.Description, Content: closedContent})
	}
	r.closedNarrows, r.closedFlat = true, true
	for _, m := range bodyContent {
		r.closedNarrows = r.closedNarrows && narrowsWhenClosed(m.Schema)
		r.closedFlat = r.closedFlat && flat(m.Schema)
	}
	r.allHeaders = route(&openapi3.Response{Description: resp.Description, Headers: headers})
	r.whole = route(&openapi3.Response{Description: resp.Description, Headers: headers, Content: bodyContent})
	r.closedWhole = route(&openapi3.Response{Description: resp.Description, Headers: headers, Content: closedContent})
	return r
}

// narrowsWhenClosed reports whether closing ref's objects can only narrow
// what it accepts: so for every schema but oneOf (closing a branch can
// leave a value matching one branch where it matched two) and not (closing
// what is negated widens the negation).
func narrowsWhenClosed(ref *openapi3.SchemaRef) bool {
	return !anySchema(ref, func(s *openapi3.Schema) bool { return len(s.OneOf) > 0 || s.Not != nil })
}

// flat reports whether ref composes no schemas (no allOf, anyOf, oneOf or
// not): kin-openapi's errors for it are then one per failing keyword, and
// closing it adds errors (additionalProperties) without changing any other.
func flat(ref *openapi3.SchemaRef) bool {
	return !anySchema(ref, func(s *openapi3.Schema) bool {
		return len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.Not != nil
	})
}

// anySchema reports whether some schema reachable from ref satisfies is,
// walked by kin-openapi (every sub-schema keyword, each schema once).
func anySchema(ref *openapi3.SchemaRef, is func(*openapi3.Schema) bool) bool {
	err := ref.WalkSubtree(func(_ string, s *openapi3.SchemaRef) error {
		if is(s.Value) {
			return errFound
		}
		return nil
	})
	return err == errFound
}

// errFound stops anySchema's walk at the first schema that satisfies is.
var errFound = errors.New("found")

// splitEnvelope tells apart, in a response body schema, the body a plain
// response carries and the envelope: a plain ResponseEnvelope is all
// envelope; a oneOf of X and ResponseEnvelope is X or the envelope.
func (v *Validator) splitEnvelope(ref *openapi3.SchemaRef) (plain, envelope *openapi3.SchemaRef, ok bool) {
	if ref == nil || ref.Value == nil || v.envelope == nil {
		return nil, nil, false
	}
	if ref.Value == v.envelope {
		return nil, ref, true
	}
	if len(ref.Value.OneOf) != 2 {
		return nil, nil, false
	}
	for _, b := range ref.Value.OneOf {
		if b.Value == v.envelope {
			envelope = b
		} else {
			plain = b
		}
	}
	return plain, envelope, envelope != nil && plain != nil
}

// status finds the response the operation declares for a status, as
// kin-openapi does: the exact code, then its range ("4XX"), then default.
func (o *operation) status(code int) *response {
	if 100 <= code && code < 600 {
		return o.byStatus[code-100]
	}
	return o.lookupStatus(code)
}

// lookupStatus finds a status's response as kin-openapi does.
func (o *operation) lookupStatus(code int) *response {
	ref := o.op.Responses.Status(code)
	if ref == nil {
		ref = o.op.Responses.Default()
	}
	if ref == nil {
		return nil
	}
	for _, r := range o.responses {
		if r.ref == ref {
			return r
		}
	}
	return nil
}

// closer makes closed copies of schemas: every object schema that declares
// properties and says nothing of others refuses them. The document itself
// is never changed; a schema reached twice is copied once.
type closer struct {
	memo map[*openapi3.Schema]*openapi3.Schema
	// added holds the copies closing refused other properties in: an
	// additionalProperties error of one is a notice, not a violation.
	added map[*openapi3.Schema]bool
}

func newCloser() *closer {
	return &closer{memo: map[*openapi3.Schema]*openapi3.Schema{}, added: map[*openapi3.Schema]bool{}}
}

func (c *closer) close(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	return c.copyRef(ref, true)
}

// copyRef copies ref; closeIt is false for the branches of an allOf, which
// each describe only part of the object and must not refuse the rest.
func (c *closer) copyRef(ref *openapi3.SchemaRef, closeIt bool) *openapi3.SchemaRef {
	if ref == nil || ref.Value == nil {
		return ref
	}
	if done, ok := c.memo[ref.Value]; ok && closeIt {
		return &openapi3.SchemaRef{Ref: ref.Ref, Value: done}
	}
	orig := ref.Value
	cp := new(openapi3.Schema)
	*cp = *orig
	if closeIt {
		c.memo[orig] = cp
	}
	if len(orig.Properties) > 0 {
		cp.Properties = make(openapi3.Schemas, len(orig.Properties))
		for k, p := range orig.Properties {
			cp.Properties[k] = c.copyRef(p, true)
		}
	}
	cp.Items = c.copyRef(orig.Items, true)
	cp.Not = c.copyRef(orig.Not, true)
	cp.OneOf = c.copyAll(orig.OneOf, true)
	cp.AnyOf = c.copyAll(orig.AnyOf, true)
	cp.AllOf = c.copyAll(orig.AllOf, false)
	switch {
	case orig.AdditionalProperties.Schema != nil:
		cp.AdditionalProperties.Schema = c.copyRef(orig.AdditionalProperties.Schema, true)
	case closeIt && orig.AdditionalProperties.Has == nil && len(orig.Properties) > 0 && len(orig.AllOf) == 0:
		f := false
		cp.AdditionalProperties.Has = &f
		c.added[cp] = true
	}
	return &openapi3.SchemaRef{Ref: ref.Ref, Value: cp}
}

func (c *closer) copyAll(refs openapi3.SchemaRefs, closeIt bool) openapi3.SchemaRefs {
	if len(refs) == 0 {
		return refs
	}
	out := make(openapi3.SchemaRefs, len(refs))
	for i, r := range refs {
		out[i] = c.copyRef(r, closeIt)
	}
	return out
}

// hasDefault reports whether a parameter's schema gives a default, as
// openapi3filter finds one (its own, or an allOf branch's).
func hasDefault(s *openapi3.Schema) bool {
	if s.Default != nil {
		return true
	}
	for _, b := range s.AllOf {
		if b.Value != nil && b.Value.Default != nil {
			return true
		}
	}
	return false
}

// schemaDefaults reports whether s or a schema within it gives a default.
func schemaDefaults(s *openapi3.Schema, seen map[*openapi3.Schema]bool) bool {
	if s == nil || seen[s] {
		return false
	}
	seen[s] = true
	if s.Default != nil {
		return true
	}
	for _, p := range s.Properties {
		if p != nil && schemaDefaults(p.Value, seen) {
			return true
		}
	}
	for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, r := range refs {
			if r != nil && schemaDefaults(r.Value, seen) {
				return true
			}
		}
	}
	if s.Items != nil && schemaDefaults(s.Items.Value, seen) {
		return true
	}
	return s.AdditionalProperties.Schema != nil && schemaDefaults(s.AdditionalProperties.Schema.Value, seen)
}
