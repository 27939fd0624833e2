package proxy

import (
	"cmp"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// Limits bound what clients and the upstream can make the proxy hold, as
// net/http's own Server fields do for a server: time per request, idle
// connections, concurrent connections, and the bytes of bodies held to
// be checked, across all exchanges at once. A zero field takes its value
// from DefaultLimits.
type Limits struct {
	// The proxy's server: ReadHeader bounds reading a request's headers,
	// Read the whole request, body included; Idle a kept-alive
	// connection's wait for its next request; MaxConns caps the client
	// connections served at once (more wait to be accepted), and the
	// upstream gets at most as many. Write is a backstop, Read plus
	// UpstreamTimeout plus 10 s unless set: the upstream's answer is
	// bounded on its own, this bounds writing it to a client that does
	// not read.
	serverlimits.Limits
	// UpstreamTimeout bounds an exchange with the upstream, from the
	// request forwarded to the last byte of the answer.
	UpstreamTimeout time.Duration
	// MaxBuffered caps the bytes of bodies held at once, across every
	// exchange; a request that would need more is answered 503 with
	// Retry-After, and a response that would need more is passed on
	// unchecked (and counted as such).
	MaxBuffered int64
}

// DefaultLimits are the limits a zero Limits field takes: a request's
// headers in 10 s and all of it in 30 s (as linktoken serve), 30 s for the
// upstream, 256 connections and 32 MiB of held bodies, so that the proxy
// under load stays well inside 128 MiB.
func DefaultLimits() Limits {
	return Limits{
		Limits: serverlimits.Limits{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Idle: 60 * time.Second,
			MaxHeaderBytes: 64 << 10, MaxConns: 256},
		UpstreamTimeout: 30 * time.Second,
		MaxBuffered:     32 << 20,
	}
}

// withDefaults fills each zero field from DefaultLimits; a negative one is
// an error.
func (l Limits) withDefaults() (Limits, error) {
	d := DefaultLimits()
	var err error
	if l.Limits, err = l.Limits.Or(d.Limits); err != nil || l.UpstreamTimeout < 0 || l.MaxBuffered < 0 {
		return l, errors.New("proxy: limits must not be negative")
	}
	l.UpstreamTimeout = cmp.Or(l.UpstreamTimeout, d.UpstreamTimeout)
	l.MaxBuffered = cmp.Or(l.MaxBuffered, d.MaxBuffered)
	l.Write = cmp.Or(l.Write, l.Read+l.UpstreamTimeout+10*time.Second)
	return l, nil
}

// errBudget: holding the body would take the proxy past Limits.MaxBuffered.
var errBudget = errors.New("the proxy holds as many body bytes as its limit allows")

// budget counts the bytes of bodies held across all exchanges.
type budget struct {
	max  int64
	used atomic.Int64
	peak atomic.Int64
}

// take reserves n bytes, or reports that there is no room.
func (b *budget) take(n int64) bool {
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	for {
		u, p := b.used.Load(), b.peak.Load()
		if u <= p || b.peak.CompareAndSwap(p, u) {
			return true
		}
	}
}

func (b *budget) release(n int64) { b.used.Add(-n) }

// readBody reads at most max bytes of body into a buffer whose every byte
// is reserved in the budget first; held is what was reserved, for the
// caller to release when it lets go of data. over reports that there was
// more (left unread in body). With errBudget, data is what was read before
// the budget ran out, still held.
func (b *budget) readBody(body io.Reader, hint, max int64) (data []byte, held int64, over bool, err error) {
	if body == nil || body == http.NoBody {
		return nil, 0, false, nil
	}
	limit := max + 1 // one byte more tells a body at the cap from one over it
	size := int64(4 << 10)
	if hint >= 0 {
		size = hint + 1
	}
	size = min(size, limit)
	if !b.take(size) {
		return nil, 0, false, errBudget
	}
	held = size
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if int64(cap(buf)) >= limit {
				break
			}
			grow := min(2*int64(cap(buf)), limit) - int64(cap(buf))
			if !b.take(grow) {
				return buf, held, false, errBudget
			}
			held += grow
			buf = append(make([]byte, 0, int64(cap(buf))+grow), buf...)
		}
		n, rerr := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	if int64(len(buf)) > max {
		return buf, held, true, nil
	}
	return buf, held, false, err
}
