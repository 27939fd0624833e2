package atlastest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated"
)

// BenchmarkCreateRemove measures one create and one remove through the
// generated client and a caching digest transport over loopback. The
// baseline, in the same run, is the service without contract validation of
// requests, so the difference is the middleware's cost.
func BenchmarkCreateRemove(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []atlastest.Option
	}{
		{"baseline-no-validation", []atlastest.Option{atlastest.WithoutContractValidation(), atlastest.WithRateLimit(1<<30, 1)}},
		{"contract-validated", []atlastest.Option{atlastest.WithRateLimit(1<<30, 1)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := atlastest.NewServer(b, bc.opts...)
			hc := &http.Client{Transport: &digest.Transport{Username: srv.PublicKey(), Password: srv.PrivateKey()}}
			c, err := generated.NewClientWithResponses(srv.URLV2(), generated.WithHTTPClient(hc), generated.WithRequestEditorFn(acceptFor(atlastest.BasePathV2)))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			body := generated.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}}
			b.ReportAllocs()
			for b.Loop() {
				r, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(ctx, orgA, nil, body)
				if err != nil || r.StatusCode() != 201 {
					b.Fatalf("create: %v", err)
				}
				d, err := c.DeleteLinkTokenWithResponse(ctx, orgA, nil)
				if err != nil || d.StatusCode() != 204 {
					b.Fatalf("remove: %v", err)
				}
			}
		})
	}
}
