// Package digestauth is the module's HTTP Digest client transport: the one
// package atlas authenticates with (atlas.WithDigest, atlas.NewDigestTransport)
// and atlastest hands out (Server.DigestClient), kept here so that atlastest
// need not import the client and what it brings (OAuth 2).
package digestauth

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
)

// maxDiscard bounds how much of a 401's body is read before the request is
// sent again with credentials.
const maxDiscard = 1 << 20

// maxIdleChallenges bounds the challenges a Transport keeps for reuse (one per
// request that was in flight at once).
const maxIdleChallenges = 64

// Transport is HTTP Digest (RFC 7616) built from icholy/digest's
// primitives (ParseChallenge, Digest) with a pool of challenges instead of
// icholy/digest.Transport's single shared one per host name.
//
// Why not digest.Transport: it hands every concurrent request the same
// cached challenge with rising nonce counts, and those requests can reach
// the server out of order; a server that wants strictly rising counts then
// answers 401, and the transport's one re-challenge can lose the same race
// (atlastest measured 81 of 400 calls failing from 16 goroutines). Its cache
// is also keyed by host NAME, not host:port. Here each in-flight request holds
// a challenge exclusively, so counts of one nonce always rise in the order
// the server sees them, and the pool belongs to one Transport (one Client), so
// no two servers ever share a nonce.
//
// Cost: the first call (and the first call of each extra concurrent request)
// takes one 401 challenge; after that one exchange per call. A 401 on a
// reused challenge (stale=true, or expired) is answered with the fresh
// challenge once, transparently.
type Transport struct {
	username, password string
	next               http.RoundTripper

	mu   sync.Mutex
	idle []*heldChallenge
}

// heldChallenge is a challenge and the last nonce count sent with it.
type heldChallenge struct {
	chal *digest.Challenge
	nc   int
}

// New is a Transport authenticating as username with password over next,
// with a pool of challenges of its own.
func New(username, password string, next http.RoundTripper) *Transport {
	return &Transport{username: username, password: password, next: next}
}

func (d *Transport) take() *heldChallenge {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := len(d.idle); n > 0 {
		h := d.idle[n-1]
		d.idle = d.idle[:n-1]
		return h
	}
	return nil
}

func (d *Transport) give(h *heldChallenge) {
	if h == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.idle) < maxIdleChallenges {
		d.idle = append(d.idle, h)
	}
}

// RoundTrip sends r with a held challenge if one is idle; on a 401 it takes
// the fresh challenge from the response and sends r once more.
func (d *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if RedirectedElsewhere(r) {
		// net/http drops an Authorization header it was given when a
		// redirect leaves the host; no credential of this transport follows
		// one either: a held challenge answered there could be replayed
		// against the server that issued it, and that host's own challenge
		// is no reason to answer it.
		return d.next.RoundTrip(r)
	}
	getBody, err := ReplayableBody(r)
	if err != nil {
		return nil, err
	}
	held := d.take()
	resp, err := d.send(r, getBody, held)
	if err != nil {
		// The count was spent either way; the challenge stays usable.
		d.give(held)
		return nil, err
	}
	if resp.StatusCode != http.StatusUnauthorized {
		d.give(held)
		return resp, nil
	}
	chal := findChallenge(resp.Header)
	if chal == nil {
		return resp, nil // not a digest challenge we can answer: the caller sees the 401
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscard))
	_ = resp.Body.Close()
	fresh := &heldChallenge{chal: chal}
	resp, err = d.send(r, getBody, fresh)
	if err == nil && resp.StatusCode != http.StatusUnauthorized {
		d.give(fresh)
	}
	return resp, err
}

// RedirectedElsewhere reports whether http.Client made r by following
// redirects (it sets Response on such a request) away from the scheme and
// host:port of the request it started from. A transport that adds
// credentials sends such a request without them.
func RedirectedElsewhere(r *http.Request) bool {
	first := r
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	return !strings.EqualFold(first.URL.Scheme, r.URL.Scheme) || !strings.EqualFold(first.URL.Host, r.URL.Host)
}

// findChallenge is the first Digest challenge of h that icholy/digest can
// answer, wherever it stands: a WWW-Authenticate value may list several
// challenges (RFC 9110 §11.6.1), and digest.FindChallenge reads only a
// value that starts with one. The challenges are cut as the contract's
// judge cuts them, so a 401 it accepts is one this transport answers.
func findChallenge(h http.Header) *digest.Challenge {
	for _, value := range h.Values("WWW-Authenticate") {
		for _, c := range rfc9110.SplitChallenges(value) {
			if !digest.IsDigest(c) {
				continue
			}
			if chal, err := digest.ParseChallenge(c); err == nil && digest.CanDigest(chal) {
				return chal
			}
		}
	}
	return nil
}

// send clones r, authorizes it with h (none when nil) and sends it.
func (d *Transport) send(r *http.Request, getBody func() (io.ReadCloser, error), h *heldChallenge) (*http.Response, error) {
	req := r.Clone(r.Context())
	body, err := getBody()
	if err != nil {
		return nil, err
	}
	req.Body, req.GetBody = body, getBody
	if h != nil {
		h.nc++
		cred, err := digest.Digest(h.chal, digest.Options{
			Method: req.Method, URI: req.URL.RequestURI(), GetBody: getBody, Count: h.nc,
			Username: d.username, Password: d.password,
		})
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", cred.String())
	}
	return d.next.RoundTrip(req)
}

// ReplayableBody returns a function giving a fresh copy of r's body each
// call, reading it into memory when r has no GetBody: what a transport
// that may send a request twice (a challenge, then the credentials) needs.
func ReplayableBody(r *http.Request) (func() (io.ReadCloser, error), error) {
	if r.Body == nil || r.Body == http.NoBody {
		return func() (io.ReadCloser, error) { return http.NoBody, nil }, nil
	}
	if r.GetBody != nil {
		return r.GetBody, nil
	}
	data, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, nil
}

// CloseIdleConnections reaches the wire.
func (d *Transport) CloseIdleConnections() {
	if c, ok := d.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
