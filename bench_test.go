package linktoken_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/seed-5c49e0d7/linktoken"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
)

// BenchmarkCreateLinkToken measures a create through the full client against
// atlastest on loopback, with the plain wire as the baseline and with contract
// validation on the wire, and reports HTTP exchanges per call (1 once the
// digest challenge is cached).
func BenchmarkCreateLinkToken(b *testing.B) {
	v, err := contract.New(contract.Strict())
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		wire func(http.RoundTripper) http.RoundTripper
	}{
		{"baseline", func(next http.RoundTripper) http.RoundTripper { return next }},
		{"validated", func(next http.RoundTripper) http.RoundTripper {
			return contract.NewTransport(v, next, func(vs contract.Violations) { b.Errorf("violation: %v", vs) })
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := atlastest.NewServer(b, atlastest.WithRateLimit(1<<30, 1))
			c, err := linktoken.NewClient(linktoken.WithBaseURL(srv.URL()), linktoken.WithDigest(srv.PublicKey(), srv.PrivateKey()),
				linktoken.WithWireTransport(tc.wire))
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseIdleConnections()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.CreateLinkToken(ctx, testOrg, "192.0.2.10"); err != nil {
					b.Fatal(err)
				}
			}
			st := srv.Stats()
			b.ReportMetric(float64(st.Exchanges)/float64(st.Successes), "exchanges/call")
		})
	}
}
