package conform

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// cleanupTimeout bounds the removals at the end of a run, which run even
// when the run's own context has ended (interrupted, --total).
const cleanupTimeout = 30 * time.Second

// creation is something the run created, or may have, and how to remove it.
type creation struct {
	created string // the creating request, described
	server  string
	// remove is the removing request, nil when it cannot be built; why
	// then says why.
	remove *http.Request
	why    string
	// accepted: the user let the operation run knowing the contract gives
	// no way to remove what it creates; operation is then its id, and
	// more counts its other creations.
	accepted  bool
	operation string
	more      int
}

// exchangeOf is what a link's expressions read of one exchange; ok is
// false when the request's path does not match its operation's.
func (r *run) exchangeOf(p planned, req *http.Request, answered bool, resp *http.Response, body []byte) (exchange, bool) {
	x := exchange{query: req.URL.Query(), reqHeader: req.Header, reqBody: p.c.Request.Body, answered: answered}
	if resp != nil {
		x.status, x.respHeader, x.respBody = resp.StatusCode, resp.Header, body
	}
	op, ok := r.rs.ops[p.operation]
	if !ok {
		return x, false
	}
	x.pathParams, ok = pathParams(op.path, strings.TrimPrefix(req.URL.EscapedPath(), strings.TrimSuffix(r.root.EscapedPath(), "/")+p.server))
	return x, ok
}

// noteCreation records what a request to an operation that creates
// leaves behind: it was answered 2xx (whatever it was sent to learn), or
// it is a positive request that got no answer and may have arrived.
func (r *run) noteCreation(p planned, req *http.Request, x exchange, matched bool) {
	op, ok := r.rs.ops[p.operation]
	if !ok || !creates(op.method) {
		return
	}
	c := creation{created: describe(req, r.o.Header), server: p.server}
	rm := r.rs.removers[p.operation]
	if rm == nil {
		for i := range r.created {
			if r.created[i].operation == p.operation {
				r.created[i].more++
				return
			}
		}
		c.why = "the contract gives no way to remove what " + p.operation + " creates"
		c.accepted = true // planRequests only lets it run when allowed
		c.operation = p.operation
		r.created = append(r.created, c)
		return
	}
	if !matched {
		c.why = "its path does not match " + op.path
		r.created = append(r.created, c)
		return
	}
	values, err := rm.values(x)
	if err != nil {
		c.why = err.Error()
		r.created = append(r.created, c)
		return
	}
	remove, err := r.request(p.server, rm.to, values)
	if err != nil {
		c.why = err.Error()
	}
	c.remove = remove
	for _, seen := range r.created {
		if seen.remove != nil && remove != nil && seen.remove.URL.String() == remove.URL.String() {
			return // one removal covers both
		}
	}
	r.created = append(r.created, c)
}

// request builds an authenticated request to an operation on a server:
// the headers of the operation's plain positive request, the path
// parameters given.
func (r *run) request(server string, to operation, params map[string]string) (*http.Request, error) {
	path, err := expand(to.path, params)
	if err != nil {
		return nil, err
	}
	u := *r.root
	if err := setEscapedPath(&u, strings.TrimSuffix(r.root.EscapedPath(), "/")+server+path); err != nil {
		return nil, err
	}
	u.RawQuery = ""
	req, err := http.NewRequest(to.method, u.String(), http.NoBody)
	if err != nil {
		return nil, err
	}
	if b, ok := r.base[to.id+" "+server]; ok {
		req.Header = b.c.Request.Header.Clone()
		req.Header.Del("Authorization")
		req.Header.Del("Content-Type")
	}
	for name, values := range r.o.Header {
		req.Header[name] = values
	}
	return req, nil
}

// setupFor is, for a positive GET of something an operation creates, that
// operation's plain positive request on the same server: sent first, so
// the GET reads what exists.
func (r *run) setupFor(p planned) (planned, bool) {
	rd, ok := r.rs.readers[p.operation]
	if !ok {
		return planned{}, false
	}
	setup, ok := r.base[rd.creator+" "+p.server]
	if !ok {
		return planned{}, false
	}
	setup.name = rd.creator + " on " + p.server + ": to create what " + p.operation + " reads"
	return setup, true
}

// reading points a positive GET at what its setup created (x is the
// setup's exchange), as the contract's link or the shared path says, and
// marks it as one that must succeed.
func (r *run) reading(p planned, x exchange) planned {
	rd := r.rs.readers[p.operation]
	template := r.rs.ops[p.operation].path
	own, ok := pathParams(template, strings.TrimPrefix(p.c.Request.URL.EscapedPath(), p.server))
	if !ok {
		return p
	}
	values, err := rd.via.values(x)
	if err != nil {
		return p
	}
	if rd.via.params != nil {
		for k, v := range own {
			if _, ok := values[k]; !ok {
				values[k] = v
			}
		}
	}
	path, err := expand(template, values)
	if err != nil {
		return p
	}
	p.c = cloneCase(p.c)
	if setEscapedPath(p.c.Request.URL, p.server+path) != nil {
		return p
	}
	p.readsCreated = true
	return p
}

// cleanup removes what the run created, with a deadline of its own, even
// when ctx has ended.
func (r *run) cleanup(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	rep := r.report
	for _, c := range r.created {
		rm := Removal{Created: c.created}
		switch {
		case c.remove == nil:
			rm.Detail = "not removed: " + c.why
			if c.more > 0 {
				rm.Detail += " (and " + plural.Count(c.more, "more request") + " to it)"
			}
			rm.Allowed = c.accepted
			if !c.accepted {
				rep.LeftBehind++
			}
		default:
			rm.Request = describe(c.remove, r.o.Header)
			rm.Status, rm.Detail = r.remove(ctx, c)
			// 404 and 410: nothing is there (a positive DELETE of the run
			// removed it already).
			rm.Removed = rm.Status/100 == 2 || rm.Status == http.StatusNotFound || rm.Status == http.StatusGone
			if !rm.Removed {
				rep.LeftBehind++
			}
		}
		rep.Removals = append(rep.Removals, rm)
	}
	switch {
	case len(r.created) == 0:
		rep.Cleanup = "the run created nothing to remove"
	case rep.LeftBehind > 0:
		rep.Cleanup = fmt.Sprintf("could not remove what the run created: %d of %s failed", rep.LeftBehind, plural.Count(len(r.created), "removal"))
		for _, rm := range rep.Removals {
			if !rm.Removed && !rm.Allowed {
				rep.Cleanup += "; " + rm.Created + ": " + rm.Detail
				break
			}
		}
	default:
		rep.Cleanup = "removed what the run created"
		for _, rm := range rep.Removals {
			if rm.Allowed {
				rep.Cleanup += "; left, as allowed: " + rm.Created
			}
		}
	}
}

// remove sends one removal, again after a 429 as Retry-After says.
func (r *run) remove(ctx context.Context, c creation) (int, string) {
	client := r.o.Clients[c.server]
	for attempt := 1; ; attempt++ {
		resp, err := client.Do(c.remove.Clone(ctx))
		if err != nil {
			return 0, "no answer: " + redactErr(err)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || attempt >= maxAttempts {
			if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotFound {
				return resp.StatusCode, ""
			}
			return resp.StatusCode, fmt.Sprintf("answered %d", resp.StatusCode)
		}
		// What the run created is worth a longer wait than a check is,
		// but not an unbounded one: at most maxWait, then try again.
		wait, _ := retryWait(resp.Header, attempt)
		if err := r.o.Sleep(ctx, min(wait, maxWait)); err != nil {
			return resp.StatusCode, "gave up waiting out a 429: " + err.Error()
		}
	}
}
