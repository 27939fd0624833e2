package contract

import (
	"fmt"
	"net/http"
	"net/url"
)

// checkResponseAlone checks a response whose request is unknown (see
// Check).
func (v *Validator) checkResponseAlone(ex *Exchange) *Result {
	var best *Result
	for _, srv := range v.servers {
		for _, rt := range v.routes {
			if !rt.on(srv) {
				continue
			}
			for _, method := range rt.allow {
				op := rt.ops[method]
				for _, envelope := range []bool{false, true} {
					name := ex.Source
					if name != "" {
						name += " "
					}
					name += fmt.Sprintf("response alone, as %s on %s", op.id, srv.base)
					if envelope {
						name += " with envelope=true"
					}
					name += " → " + fmt.Sprint(ex.Response.StatusCode)
					// A request that could have caused it: the operation's
					// own, with credentials, and an Accept of any version.
					req := &Request{Method: method, URL: &url.URL{Path: srv.base + rt.path}, Header: http.Header{}}
					m := &Match{Operation: op.id, Method: method, Path: rt.path, Server: srv.base, Allow: rt.allow, Envelope: envelope, v: v, srv: srv, op: op, route: v.routeOf(srv, rt, method)}
					c := checker{v: v, ex: &Exchange{Request: req, Response: ex.Response}, m: m, res: &Result{}, name: name}
					c.runResponseOnly()
					c.res.capLists()
					if len(c.res.Violations) == 0 {
						return &Result{}
					}
					if best == nil || len(c.res.Violations)+c.res.MoreViolations < len(best.Violations)+best.MoreViolations {
						best = &Result{Violations: c.res.Violations, MoreViolations: c.res.MoreViolations}
					}
				}
			}
		}
	}
	if best == nil {
		return &Result{}
	}
	return best
}
