package atlastest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
)

// The generated client against the in-memory service: a digest transport for
// the API key, and the versioned Accept header the generator leaves out.
func Example() {
	svc, err := atlastest.New()
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	defer srv.Close()

	httpClient := &http.Client{Transport: &digest.Transport{Username: svc.PublicKey(), Password: svc.PrivateKey()}}
	c, err := client.NewClientWithResponses(srv.URL+atlastest.BasePathV2,
		client.WithHTTPClient(httpClient),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Accept", atlastest.MediaTypeV2)
			return nil
		}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	const org = "4888442a3354817a7320eb61"

	created, err := c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(ctx, org, nil,
		client.TargetOrgRequest{AccessListIps: []string{"192.0.2.10"}})
	if err != nil {
		log.Fatal(err)
	}
	content, _ := atlastest.DecodeLinkToken(created.JSON201.LinkToken)
	fmt.Println("create:", created.StatusCode(), "token for", content.OrgID)

	removed, _ := c.DeleteLinkTokenWithResponse(ctx, org, nil)
	fmt.Println("remove:", removed.StatusCode())
	again, _ := c.DeleteLinkTokenWithResponse(ctx, org, nil)
	fmt.Println("remove again:", again.StatusCode(), *again.JSON404.ErrorCode)
	fmt.Printf("exchanges per success: %.2f\n", svc.Stats().ExchangesPerSuccess())
	// Output:
	// create: 201 token for 4888442a3354817a7320eb61
	// remove: 204
	// remove again: 404 UNEXPECTED_ERROR
	// exchanges per success: 2.00
}

// In a test, NewServer starts the service on loopback and stops it at the
// end; faults and counters are set per test.
func ExampleNewServer() {
	var t *testing.T // the test's own *testing.T
	srv := atlastest.NewServer(t, atlastest.WithOrganizations("4888442a3354817a7320eb61"))
	srv.InjectFault(1, atlastest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 1e9})

	c, _ := client.NewClientWithResponses(srv.URL()+atlastest.BasePathV2, client.WithHTTPClient(srv.DigestClient()),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Accept", atlastest.MediaTypeV2)
			return nil
		}))
	_, _ = c.DeleteLinkTokenWithResponse(context.Background(), "4888442a3354817a7320eb61", nil)
	_ = srv.Stats().Count(atlastest.OpDeleteLinkToken, http.StatusServiceUnavailable) // 1
}
