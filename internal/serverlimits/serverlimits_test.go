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

func TestWithDefaults(t *testing.T) {
	d := serverlimits.Default()
	for _, tc := range []struct {
		name    string
		in      serverlimits.Limits
		want    serverlimits.Limits
		wantErr bool
	}{
		{"zero is the default", serverlimits.Limits{}, d, false},
		{"one field set", serverlimits.Limits{Read: time.Second},
			serverlimits.Limits{ReadHeader: d.ReadHeader, Read: time.Second, Write: d.Write, Idle: d.Idle, MaxHeaderBytes: d.MaxHeaderBytes, MaxConns: d.MaxConns}, false},
		{"negative timeout", serverlimits.Limits{Idle: -time.Second}, serverlimits.Limits{}, true},
		{"negative header cap", serverlimits.Limits{MaxHeaderBytes: -1}, serverlimits.Limits{}, true},
		{"negative connection cap", serverlimits.Limits{MaxConns: -1}, serverlimits.Limits{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.WithDefaults()
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %+v, %v; want %+v, error %t", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
