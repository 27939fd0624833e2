package atlastest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

// registry is the router the generated code registers its handlers with
// (it implements the generated server.ServeMux), and it never routes: it
// records each handler by the pattern the generated code names it with
// ("POST /orgs/{orgId}/…", no base URL). The service matched the request
// against the contract once, before anything else; dispatch looks the
// handler up by that match's method and path template and hands it the
// path parameters the match found.
type registry struct {
	handlers map[string]http.Handler // by pattern
}

var _ server.ServeMux = (*registry)(nil)

// HandleFunc records handler for pattern; the generated
// HandlerWithOptions calls it once per operation.
func (g *registry) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	g.handlers[pattern] = http.HandlerFunc(handler)
}

// ServeHTTP dispatches a request the service has matched (see exchange):
// the handler of its operation, with the path values the generated
// wrappers read set from the match.
func (g *registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := exchangeFrom(r.Context()).match
	if m == nil {
		apierror.Write(w, apierror.New(http.StatusNotFound, CodeResourceNotFound, "Cannot find resource "+r.URL.Path+"."))
		return
	}
	for name, value := range serverside.PathParams(m) {
		r.SetPathValue(name, value)
	}
	g.handlers[m.Method+" "+m.Path].ServeHTTP(w, r)
}

// newRegistry registers the generated handlers of strict, then the
// operation handlers given by id, and checks that every operation of the
// contract v has one: a contract that has grown fails here, naming what is
// missing, rather than at the first request.
func newRegistry(v *contract.Validator, strict server.ServerInterface, byID map[string]http.Handler) (*registry, error) {
	g := &registry{handlers: map[string]http.Handler{}}
	server.HandlerWithOptions(strict, server.StdHTTPServerOptions{BaseRouter: g, ErrorHandlerFunc: paramError})
	var missing []string
	known := map[string]bool{}
	doc := v.Document()
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			// The pattern the generated HandlerWithOptions registers (with
			// BaseURL ""), and what a match's Method and Path give.
			pattern := method + " " + path
			known[op.OperationID] = true
			if h, ok := byID[op.OperationID]; ok {
				g.handlers[pattern] = h
			}
			if g.handlers[pattern] == nil {
				missing = append(missing, fmt.Sprintf("%s (%s)", op.OperationID, pattern))
			}
		}
	}
	sort.Strings(missing)
	var unknown []string
	for id := range byID {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(unknown)
	switch {
	case len(unknown) > 0:
		return nil, fmt.Errorf("atlastest: WithOperationHandler: %s: not an operation of the contract", strings.Join(unknown, ", "))
	case len(missing) > 0:
		return nil, fmt.Errorf("atlastest: no handler for %s: the generated strict server does not have it; pass WithOperationHandler", strings.Join(missing, ", "))
	}
	return g, nil
}
