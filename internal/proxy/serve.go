package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// UnfinishedError is Serve's answer when exchanges were still in flight
// after the grace period: they were cut, and none of them was checked.
type UnfinishedError struct {
	// InFlight is the number of requests cut.
	InFlight int64
}

func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("%s still in flight when the proxy stopped: cut, not checked", plural(e.InFlight, "request"))
}

// Server is the http.Server Serve runs: every timeout of the proxy's
// Limits set, and its errors in the proxy's log.
func (p *Proxy) Server() *http.Server {
	l := p.limits
	return &http.Server{
		Handler:           p,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		// A backstop: the upstream's answer is bounded on its own
		// (UpstreamTimeout), this bounds writing it to a client that
		// does not read.
		WriteTimeout:   l.ReadTimeout + l.UpstreamTimeout + 10*time.Second,
		IdleTimeout:    l.IdleTimeout,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       p.ErrorLog(),
	}
}

// Serve serves on ln, at most Limits.MaxConns connections at once, until
// ctx ends; then it takes no new connection and gives the exchanges in
// flight grace to finish. Those still unfinished after it are cut, and
// counted in the *UnfinishedError returned.
func (p *Proxy) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := p.Server()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(serverlimits.LimitListener(ln, p.limits.MaxConns)) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		n := p.inFlight.Load()
		_ = srv.Close()
		<-done
		if n == 0 {
			return fmt.Errorf("stop: %w", err)
		}
		return &UnfinishedError{InFlight: n}
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}

// plural is "1 request", "2 requests".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
