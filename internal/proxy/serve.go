package proxy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

// UnfinishedError is Serve's answer when exchanges were still in flight
// after the grace period: they were cut, and none of them was checked.
type UnfinishedError struct {
	// InFlight is the number of requests cut.
	InFlight int64
}

func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("%s still in flight when the proxy stopped: cut, not checked", plural.Count(e.InFlight, "request"))
}

// Serve serves on ln, at most Limits.MaxConns connections at once, until
// ctx ends; then it takes no new connection and gives the exchanges in
// flight grace to finish. Those still unfinished after it are cut, and
// counted in the *UnfinishedError returned.
func (p *Proxy) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{Handler: p, ErrorLog: p.errorLog()}
	p.limits.Apply(srv)
	err := serverlimits.ServeUntil(ctx, srv, serverlimits.LimitListener(ln, p.limits.MaxConns), grace)
	if err != nil && ctx.Err() != nil {
		// Out of grace: count what is in flight, then cut it.
		n := p.inFlight.Load()
		_ = srv.Close()
		if n > 0 {
			return &UnfinishedError{InFlight: n}
		}
	}
	return err
}
