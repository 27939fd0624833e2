// Package serverlimits holds the connection limits of the servers that front
// the in-memory Atlas (linktoken serve and demo, atlastest.NewServer) and of
// linktoken proxy (with values of its own), so a slow or stuck client
// (slowloris: headers a byte at a time, a body that never ends, an idle
// keep-alive held forever) is cut off instead of holding a connection and
// its goroutine. They are connection-level hardening, an
// http.Server's business rather than the handler's, so they live here and
// not among atlastest's options; the service needs them only to move its own
// exchange's deadlines past a delay it injects (ExtendDeadlines).
package serverlimits

import (
	"cmp"
	"errors"
	"net/http"
	"time"
)

// Limits bound what one connection can cost a server; Default says how
// much.
type Limits struct {
	// ReadHeader bounds reading the request line and headers.
	ReadHeader time.Duration
	// Read bounds reading the whole request, body included.
	Read time.Duration
	// Write bounds the handler and the writing of the response, counted
	// from the end of the request headers.
	Write time.Duration
	// Idle bounds how long a keep-alive connection may wait for its next request.
	Idle time.Duration
	// MaxHeaderBytes caps the request line and headers together.
	MaxHeaderBytes int
	// MaxConns caps the connections served at once (see LimitListener);
	// more wait in the kernel's backlog.
	MaxConns int
}

// Default is generous for any client on loopback or a LAN, and still
// bounded: 5s to send headers, 30s for the whole request (the service caps
// bodies at 64 KiB), 30s to answer, 2 minutes idle, 32 KiB of headers (a
// digest Authorization is under 1 KiB), 256 connections at once.
func Default() Limits {
	return Limits{
		ReadHeader:     5 * time.Second,
		Read:           30 * time.Second,
		Write:          30 * time.Second,
		Idle:           2 * time.Minute,
		MaxHeaderBytes: 32 << 10,
		MaxConns:       256,
	}
}

// Or is l with each zero field taken from d, the defaults of the server
// at hand (the proxy has its own); it fails on a negative field, which
// would mean no bound at all to net/http.
func (l Limits) Or(d Limits) (Limits, error) {
	if l.ReadHeader < 0 || l.Read < 0 || l.Write < 0 || l.Idle < 0 || l.MaxHeaderBytes < 0 || l.MaxConns < 0 {
		return Limits{}, errors.New("server limits must not be negative")
	}
	l.ReadHeader = cmp.Or(l.ReadHeader, d.ReadHeader)
	l.Read = cmp.Or(l.Read, d.Read)
	l.Write = cmp.Or(l.Write, d.Write)
	l.Idle = cmp.Or(l.Idle, d.Idle)
	l.MaxHeaderBytes = cmp.Or(l.MaxHeaderBytes, d.MaxHeaderBytes)
	l.MaxConns = cmp.Or(l.MaxConns, d.MaxConns)
	return l, nil
}

// Apply sets l on srv.
func (l Limits) Apply(srv *http.Server) {
	srv.ReadHeaderTimeout = l.ReadHeader
	srv.ReadTimeout = l.Read
	srv.WriteTimeout = l.Write
	srv.IdleTimeout = l.Idle
	srv.MaxHeaderBytes = l.MaxHeaderBytes
}

// NewServer is an http.Server serving h with the Default limits: what a
// long-running program should start, rather than a bare http.Server that
// waits on a slow client forever.
func NewServer(h http.Handler) *http.Server {
	srv := &http.Server{Handler: h}
	Default().Apply(srv)
	return srv
}

// ExtendDeadlines pushes the connection's deadlines past a delay the handler
// is about to add, so that the delay is what the client meets. Without it a
// delay past Read would cancel the request (net/http's background read fails
// and cancels its context) and one past Write would cut the connection.
// Errors are ignored: a ResponseWriter that is no net/http connection (a
// test recorder) has no deadlines to move.
func (l Limits) ExtendDeadlines(w http.ResponseWriter, delay time.Duration) {
	rc := http.NewResponseController(w)
	now := time.Now()
	_ = rc.SetReadDeadline(now.Add(delay + l.Read))
	_ = rc.SetWriteDeadline(now.Add(delay + l.Write))
}
