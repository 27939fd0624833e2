package serverlimits_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/internal/serverlimits"
)

func TestNewServerIsBoundedByDefault(t *testing.T) {
	d := serverlimits.Default()
	for _, v := range []time.Duration{d.ReadHeader, d.Read, d.Write, d.Idle} {
		if v <= 0 {
			t.Fatalf("a default limit is unbounded: %+v", d)
		}
	}
	if d.MaxHeaderBytes <= 0 || d.MaxConns <= 0 {
		t.Fatalf("no default header cap: %+v", d)
	}
	h := http.NotFoundHandler()
	srv := serverlimits.NewServer(h)
	if srv.ReadHeaderTimeout != d.ReadHeader || srv.ReadTimeout != d.Read || srv.WriteTimeout != d.Write ||
		srv.IdleTimeout != d.Idle || srv.MaxHeaderBytes != d.MaxHeaderBytes {
		t.Errorf("NewServer = %+v, want the defaults %+v", srv, d)
	}
}
