package contract

import "slices"

// What a server built on the contract needs to know beyond one request's
// match: what it challenges with when a request reaches no operation.
// (serving.go holds what it needs per match.)

// ServerAuthSchemes lists, lower case, the Authorization schemes some
// operation accepts on the server whose base path is base (as
// [Validator.UnderServer] or Match.Server give it): what a server
// authenticates a request with when it reaches no operation there (a path
// that is none of the contract's, a method the path does not declare),
// before it answers 404 or 405. Nil for an unknown base.
func (v *Validator) ServerAuthSchemes(base string) []string {
	for _, srv := range v.servers {
		if srv.base != base {
			continue
		}
		var out []string
		for _, rt := range v.routes {
			if !rt.on(srv) {
				continue
			}
			for _, op := range rt.ops {
				for _, s := range v.challengeSchemes(op, srv) {
					if !slices.Contains(out, s) {
						out = append(out, s)
					}
				}
			}
		}
		slices.Sort(out)
		return out
	}
	return nil
}
