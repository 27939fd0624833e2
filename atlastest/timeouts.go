package atlastest

import (
	"fmt"
	"net/http"
	"time"
)

// serverTimeouts bound what one connection can cost the server, so that a
// slow or stuck client (slowloris: headers a byte at a time, a body that
// never ends, an idle keep-alive held forever) is cut off instead of holding
// a connection and its goroutine. A zero field takes its default from
// defaultServerTimeouts. They are not an importer's knob (a test's server
// has no reason to change them); this package's own tests shorten them.
type serverTimeouts struct {
	// ReadHeader bounds reading the request line and headers.
	ReadHeader time.Duration
	// Read bounds reading the whole request, body included.
	Read time.Duration
	// Write bounds the handler and the writing of the response, counted from
	// the end of the request headers. Latency the service adds itself
	// (WithLatency, Fault.Latency) is added to it for that exchange, so an
	// injected delay never turns into a cut connection.
	Write time.Duration
	// Idle bounds how long a keep-alive connection may wait for its next request.
	Idle time.Duration
	// MaxHeaderBytes caps the request line and headers together.
	MaxHeaderBytes int
}

// defaultServerTimeouts are generous for any client on loopback or a LAN,
// and still bounded: 5s to send headers, 30s for the whole request (bodies
// are capped at 64 KiB), 30s to answer, 2 minutes idle, 32 KiB of headers (a
// digest Authorization is under 1 KiB).
func defaultServerTimeouts() serverTimeouts {
	return serverTimeouts{
		ReadHeader:     5 * time.Second,
		Read:           30 * time.Second,
		Write:          30 * time.Second,
		Idle:           2 * time.Minute,
		MaxHeaderBytes: 32 << 10,
	}
}

func (t serverTimeouts) withDefaults() serverTimeouts {
	d := defaultServerTimeouts()
	if t.ReadHeader <= 0 {
		t.ReadHeader = d.ReadHeader
	}
	if t.Read <= 0 {
		t.Read = d.Read
	}
	if t.Write <= 0 {
		t.Write = d.Write
	}
	if t.Idle <= 0 {
		t.Idle = d.Idle
	}
	if t.MaxHeaderBytes <= 0 {
		t.MaxHeaderBytes = d.MaxHeaderBytes
	}
	return t
}

// withServerTimeouts sets the connection limits that NewServer and
// NewHTTPServer apply (zero fields keep their defaults); tests of slow
// clients shorten them.
func withServerTimeouts(t serverTimeouts) Option {
	return func(c *config) error {
		if t.ReadHeader < 0 || t.Read < 0 || t.Write < 0 || t.Idle < 0 || t.MaxHeaderBytes < 0 {
			return fmt.Errorf("atlastest: server timeouts must not be negative")
		}
		c.timeouts = t.withDefaults()
		return nil
	}
}

// NewHTTPServer is an [http.Server] serving s with its connection limits
// (5 s for headers, 30 s for a request and for its answer, 2 minutes idle,
// 32 KiB of headers):
// what a long-running program (linktoken serve) should start, rather than a
// bare http.Server that waits on a slow client forever.
func (s *Service) NewHTTPServer() *http.Server {
	srv := &http.Server{Handler: s}
	s.configure(srv)
	return srv
}

func (s *Service) configure(srv *http.Server) {
	t := s.cfg.timeouts
	srv.ReadHeaderTimeout = t.ReadHeader
	srv.ReadTimeout = t.Read
	srv.WriteTimeout = t.Write
	srv.IdleTimeout = t.Idle
	srv.MaxHeaderBytes = t.MaxHeaderBytes
}

// extendDeadlines pushes the connection's deadlines past a delay the service
// is about to add, so that the delay is what the client meets. Without it a
// latency past ReadTimeout would cancel the request (net/http's background
// read fails and cancels its context) and one past WriteTimeout would cut
// the connection. Errors are ignored: a ResponseWriter that is no net/http
// connection (a test recorder) has no deadlines to move.
func (s *Service) extendDeadlines(w http.ResponseWriter, delay time.Duration) {
	rc := http.NewResponseController(w)
	now := time.Now()
	_ = rc.SetReadDeadline(now.Add(delay + s.cfg.timeouts.Read))
	_ = rc.SetWriteDeadline(now.Add(delay + s.cfg.timeouts.Write))
}
