package atlastest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// NewServer applies the connection limits linktoken serve has; this
// package's tests may shorten one and keep the rest.
func TestServerLimitsDefaultsAndOverrides(t *testing.T) {
	d := serverlimits.Default()
	srv := testatlas.NewServer(t)
	if hs := atlastest.HTTPServerOf(srv); hs.ReadHeaderTimeout != d.ReadHeader || hs.ReadTimeout != d.Read ||
		hs.WriteTimeout != d.Write || hs.IdleTimeout != d.Idle || hs.MaxHeaderBytes != d.MaxHeaderBytes {
		t.Errorf("NewServer's server = %+v, want the defaults %+v", hs, d)
	}
	if got := atlastest.ServerLimitsOf(srv.Service); got != d {
		t.Errorf("the limits the service extends its deadlines from = %+v, want %+v", got, d)
	}
	svc, err := atlastest.New(atlastest.WithServerLimits(func(l *serverlimits.Limits) { l.Read = time.Second }))
	if err != nil {
		t.Fatal(err)
	}
	if got := atlastest.ServerLimitsOf(svc); got.Read != time.Second || got.ReadHeader != d.ReadHeader || got.MaxHeaderBytes != d.MaxHeaderBytes {
		t.Errorf("one field set: %+v", got)
	}
}

// An injected delay longer than the read and write timeouts is still a
// delay: the service moves its own exchange's deadlines, so the client gets
// its answer late rather than a cut connection or a cancelled request.
func TestInjectedLatencyOutlastsTheServerTimeouts(t *testing.T) {
	t.Parallel() // it mostly waits out the injected delay
	srv := testatlas.NewServer(t, atlastest.WithServerLimits(func(l *serverlimits.Limits) {
		l.Read, l.Write = time.Second, time.Second
	}))
	c := newClient(t, srv, clientOpts{})
	if r := create(t, c, atlastest.BasePathV2, orgA, nil); r.StatusCode() != http.StatusCreated {
		t.Fatalf("create: %d", r.StatusCode())
	}
	srv.InjectFault(1, atlastest.Fault{Latency: 2 * time.Second})
	start := time.Now()
	if r := remove(t, c, orgA, nil); r.StatusCode() != http.StatusNoContent {
		t.Fatalf("remove after a 2s delay: %d", r.StatusCode())
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("answered after %s: the delay was cut short", took)
	}
	if n := srv.LinkCount(); n != 0 {
		t.Errorf("%d links after the remove", n)
	}
}
