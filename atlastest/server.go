package atlastest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/internal/digestauth"
)

// Server is a [Service] listening on loopback for one test.
type Server struct {
	*Service
	srv *httptest.Server
}

// NewServer starts a service on 127.0.0.1 and stops it when tb ends. It fails
// tb if an option is invalid; it reads no environment variable (a suite that
// scans its output for secrets passes [WithSecretLog]). The server has the same connection limits as linktoken serve (5 s for headers,
// 30 s for a request and for its answer, 2 minutes idle, 32 KiB of headers),
// so a slow or stuck client cannot hold a connection forever.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	svc, err := New(opts...)
	if err != nil {
		tb.Fatalf("atlastest.NewServer: %v", err)
	}
	srv := httptest.NewUnstartedServer(svc)
	svc.cfg.limits.Apply(srv.Config)
	srv.Start()
	tb.Cleanup(srv.Close)
	return &Server{Service: svc, srv: srv}
}

// URL is the service root, such as http://127.0.0.1:PORT; append
// [BasePathV2] or [BasePathV1] for an API base URL.
func (s *Server) URL() string { return s.srv.URL }

// DigestClient is a new HTTP client that authenticates with the Organization
// Owner key, through the project's own digest transport (the one
// atlas.NewDigestTransport returns): each client keeps its own pool of
// challenges, one held by each request in flight, so nonce counts reach
// the server in order however many goroutines share the client, and after
// the first challenge each call costs one exchange.
func (s *Server) DigestClient() *http.Client {
	return &http.Client{Transport: digestauth.New(s.PublicKey(), s.PrivateKey(), s.srv.Client().Transport)}
}

// Close stops the server early; cleanup would otherwise do it.
func (s *Server) Close() { s.srv.Close() }
