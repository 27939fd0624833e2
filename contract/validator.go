package contract

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
	"github.com/seed-5c49e0d7/linktoken/internal/specmarks"
)

// Option configures a Validator.
type Option func(*config)

type config struct {
	strict  bool
	doc     *openapi3.T
	maxBody int64
}

// Strict turns two kinds of notice into violations: response properties the
// contract does not declare (MongoDB adds properties within a resource
// version, so by default they are reported, not refused), and query
// parameters an operation does not declare (no MongoDB document says the
// service refuses them). Undeclared request body properties are violations
// either way: the contract's request schemas are closed.
func Strict() Option { return func(c *config) { c.strict = true } }

// WithDocument checks against doc instead of the contract embedded in this
// module, for a contract that has grown, or a test copy of it. The
// Validator takes doc as its own: the caller must not change it afterwards.
func WithDocument(doc *openapi3.T) Option { return func(c *config) { c.doc = doc } }

// MaxBodyBytes bounds each body a check reads, after decoding its
// Content-Encoding (default DefaultMaxBodyBytes). A larger body is a
// violation (RuleBodyTooLarge); Middleware answers it with a 413.
func MaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// Validator checks exchanges against the contract. It is built once and is
// safe for use by any number of goroutines.
type Validator struct {
	strict  bool
	maxBody int64
	doc     *openapi3.T    // the document kin-openapi routes and validates against
	router  routers.Router // kin-openapi's gorilla/mux router over the servers' base paths
	servers []*server      // longest base path first
	routes  []*route       // one per path of the document, in kin-openapi's matching order
	paths   map[string]*route
	// envelope is the schema of an enveloped body (ResponseEnvelope), when
	// the contract has one.
	envelope *openapi3.Schema
	options  *openapi3filter.Options // how this package runs kin-openapi
	// optionsDefaults is options setting defaults, for the requests of
	// operations where a default can change the verdict.
	optionsDefaults *openapi3filter.Options
	// closedAdded holds the closed copies of object schemas that closing
	// made refuse undeclared properties; read-only after New.
	closedAdded map[*openapi3.Schema]bool
}

// New loads the contract (the one embedded in package generated/spec, or
// WithDocument's) and prepares every check. It refuses a document that uses
// a part of OpenAPI this package would not check: the error names the
// feature and where it is (see the package documentation).
func New(opts ...Option) (*Validator, error) {
	c := config{maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(&c)
	}
	specformats.Register()
	doc := c.doc
	if doc == nil {
		var err error
		if doc, err = spec.GetSpec(); err != nil {
			return nil, fmt.Errorf("contract: load embedded spec: %w", err)
		}
	}
	if err := audit(doc); err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background(),
		openapi3.EnableSchemaFormatValidation(), openapi3.EnableSchemaPatternValidation()); err != nil {
		return nil, fmt.Errorf("contract: the document does not validate: %w", err)
	}
	v := &Validator{strict: c.strict, maxBody: c.maxBody, paths: map[string]*route{}}
	if err := v.build(doc); err != nil {
		return nil, err
	}
	v.options = &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		// Defaults are set only for the operations where they can change
		// a verdict (optionsDefaults; see operation.setsDefaults).
		SkipSettingDefaults:               true,
		RejectWhenRequestBodyNotSpecified: true,
		// No AuthenticationFunc: credentials are the project's own rule
		// (judgeSecurity), and the routes kin-openapi judges requests on
		// require none (withoutSecurity).
	}
	// Defaults set as plain openapi3filter sets them (a null or absent
	// request property with a default is the default, as a server on the
	// contract reads it), into copies of what a check reads: a check never
	// changes what it checks (kinRequestInput).
	withDefaults := *v.options
	withDefaults.SkipSettingDefaults = false
	v.optionsDefaults = &withDefaults
	return v, nil
}

// MustNew is New for package-level variables and tests; it panics on error,
// which, for the embedded contract, can only come from a broken build.
func MustNew(opts ...Option) *Validator {
	v, err := New(opts...)
	if err != nil {
		panic(err)
	}
	return v
}

// BodyLimit is the most bytes of a body, decoded, that the validator's
// checks read (MaxBodyBytes): what a reader of recorded traffic need keep.
func (v *Validator) BodyLimit() int64 { return v.maxBody }

// Document is the document the validator checks against, its servers
// reduced to their paths (the validator finds a server by its base path,
// on any host): what a tool beside the checks, such as package
// contract/redact, reads the operations' schemas from. The caller must
// not change it.
func (v *Validator) Document() *openapi3.T { return v.doc }

// build prepares the servers, the router and every operation.
func (v *Validator) build(doc *openapi3.T) error {
	// kin-openapi routes under each server's base path on any host: the
	// router sees a copy of the document whose servers are path-only, and
	// this package finds the base path itself (under any mount prefix).
	routed := *doc
	routed.Servers = nil
	servers := doc.Servers
	if len(servers) == 0 {
		servers = openapi3.Servers{{URL: "/"}}
	}
	for _, s := range servers {
		srv, err := newServer(s)
		if err != nil {
			return err
		}
		v.servers = append(v.servers, srv)
		routed.Servers = append(routed.Servers, srv.routed)
	}
	// A path item that lists some of the document's servers (audit allows
	// no others) is routed under theirs only, as kin-openapi's router does:
	// it sees a copy of the item whose servers are path-only too.
	if pathServers(doc) {
		routed.Paths = openapi3.NewPaths()
		for _, path := range doc.Paths.InMatchingOrder() {
			item := doc.Paths.Value(path)
			if len(item.Servers) > 0 {
				cp := *item
				cp.Servers = nil
				for _, srv := range v.servers {
					if srv.listedBy(item.Servers) {
						cp.Servers = append(cp.Servers, srv.routed)
					}
				}
				item = &cp
			}
			routed.Paths.Set(path, item)
		}
	}
	v.doc = &routed
	router, err := gorillamux.NewRouter(withoutSecurity(v.doc))
	if err != nil {
		return fmt.Errorf("contract: kin-openapi router: %w", err)
	}
	v.router = router
	// Longest base first, so that no base can shadow a longer one.
	slices.SortStableFunc(v.servers, func(a, b *server) int { return len(b.base) - len(a.base) })

	v.envelope = specmarks.Envelope(doc)
	closed := newCloser()
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		r := &route{path: path, ops: map[string]*operation{}}
		if len(item.Servers) > 0 {
			r.servers = map[*server]bool{}
			for _, srv := range v.servers {
				r.servers[srv] = srv.listedBy(item.Servers)
			}
		}
		for method, op := range item.Operations() {
			o, err := v.newOperation(path, item, method, op, closed)
			if err != nil {
				return fmt.Errorf("contract: %s %s: %w", method, path, err)
			}
			r.ops[method] = o
			r.allow = append(r.allow, method)
		}
		slices.Sort(r.allow)
		v.routes = append(v.routes, r)
		v.paths[path] = r
	}
	v.closedAdded = closed.added
	return nil
}

// withoutSecurity is a copy of doc whose operations require no
// credentials, for the router, whose routes are what kin-openapi's
// ValidateRequest judges. Credentials are this package's own rule
// (judgeSecurity); kin-openapi, given NoopAuthenticationFunc as plain
// openapi3filter is, would accept any, but only after reading the whole
// request body into a copy for each requirement it tries: work that can
// change no verdict. The document itself (Document) keeps its security.
func withoutSecurity(doc *openapi3.T) *openapi3.T {
	cp := *doc
	cp.Paths = openapi3.NewPaths()
	for _, path := range doc.Paths.InMatchingOrder() {
		item := *doc.Paths.Value(path)
		for method, op := range item.Operations() {
			o := *op
			o.Security = &openapi3.SecurityRequirements{}
			item.SetOperation(method, &o)
		}
		cp.Paths.Set(path, &item)
	}
	return &cp
}

// server is one entry of the document's servers.
type server struct {
	url    string           // as written
	base   string           // its path, without a trailing slash: "/api/atlas/v2"
	routed *openapi3.Server // the path-only server the router is built on
	// The media types of bodies on this server (x-atlas-media-types).
	requests, responses mediaTypes
}

func newServer(s *openapi3.Server) (*server, error) {
	u, err := url.Parse(s.URL)
	if err != nil {
		return nil, fmt.Errorf("contract: servers: %q: %w", s.URL, err)
	}
	base := strings.TrimSuffix(u.Path, "/")
	srv := &server{url: s.URL, base: base, routed: &openapi3.Server{URL: base}}
	if base == "" {
		srv.routed.URL = "/"
	}
	if raw, ok := s.Extensions[extMediaTypes]; ok {
		if srv.requests, srv.responses, err = parseServerMediaTypes(raw); err != nil {
			return nil, fmt.Errorf("contract: servers: %q: %s: %w", s.URL, extMediaTypes, err)
		}
	}
	return srv, nil
}

// pathServers reports whether a path item of doc lists servers.
func pathServers(doc *openapi3.T) bool {
	for _, item := range doc.Paths.Map() {
		if len(item.Servers) > 0 {
			return true
		}
	}
	return false
}

// listedBy reports whether servers (a path item's) names srv.
func (srv *server) listedBy(servers openapi3.Servers) bool {
	for _, s := range servers {
		if strings.TrimSuffix(s.URL, "/") == strings.TrimSuffix(srv.url, "/") {
			return true
		}
	}
	return false
}

// acceptsScheme reports whether a security scheme may be used on srv: every
// scheme may, unless it lists its servers in x-atlas-servers (OpenAPI 3.0
// cannot tie a scheme to a server).
func (srv *server) acceptsScheme(s *openapi3.SecurityScheme) bool {
	raw, ok := s.Extensions[extServers]
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

// The extensions this package reads, and the query parameter asking for an
// envelope.
const (
	extMediaTypes = "x-atlas-media-types"
	extServers    = "x-atlas-servers"
	envelopeParam = "envelope"
)

var errNoRequest = errors.New("contract: exchange has no request")
