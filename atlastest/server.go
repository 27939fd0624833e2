package atlastest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/icholy/digest"
)

// Server is a [Service] listening on loopback for one test.
type Server struct {
	*Service
	srv *httptest.Server
}

// NewServer starts a service on 127.0.0.1 and stops it when tb ends. It fails
// tb if an option is invalid. The server applies the service's
// [ServerTimeouts], so a slow or stuck client cannot hold a connection forever.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	svc, err := New(opts...)
	if err != nil {
		tb.Fatalf("atlastest.NewServer: %v", err)
	}
	srv := httptest.NewUnstartedServer(svc)
	svc.configure(srv.Config)
	srv.Start()
	tb.Cleanup(srv.Close)
	return &Server{Service: svc, srv: srv}
}

// URL is the service root, such as http://127.0.0.1:PORT; append
// [BasePathV2] or [BasePathV1] for an API base URL.
func (s *Server) URL() string { return s.srv.URL }

// URLV2 is the v2 base URL.
func (s *Server) URLV2() string { return s.srv.URL + BasePathV2 }

// URLV1 is the v1.0 base URL.
func (s *Server) URLV1() string { return s.srv.URL + BasePathV1 }

// DigestClient is a new HTTP client that authenticates with the Organization
// Owner key. Each call returns a client with its own challenge cache:
// icholy/digest caches challenges per host name, so clients of two servers
// on 127.0.0.1 must not share one.
func (s *Server) DigestClient() *http.Client {
	return &http.Client{Transport: &digest.Transport{
		Username:  s.PublicKey(),
		Password:  s.PrivateKey(),
		Transport: s.srv.Client().Transport,
	}}
}

// Close stops the server early; cleanup would otherwise do it.
func (s *Server) Close() { s.srv.Close() }
