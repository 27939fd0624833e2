package atlas_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

// startAtlas serves an in-memory Atlas on loopback for the examples (tests
// would use atlastest.NewServer(t), which also stops it). Under the secret
// scan it records what it meets, as this module's tests do.
func startAtlas() (*atlastest.Service, *httptest.Server) {
	svc, err := atlastest.New(atlastest.WithSecretLog(secretlog.FromEnv()))
	if err != nil {
		panic(err)
	}
	return svc, httptest.NewServer(svc)
}

func ExampleClient_CreateLinkToken() {
	svc, srv := startAtlas()
	defer srv.Close()

	client, err := atlas.NewClient(
		atlas.WithBaseURL(srv.URL), // the service root; default https://cloud.mongodb.com/
		atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()),
	)
	if err != nil {
		panic(err)
	}
	token, err := client.CreateLinkToken(context.Background(), "4888442a3354817a7320eb61", "192.0.2.10", "10.0.0.0/24")
	if err != nil {
		panic(err)
	}
	// The token redacts itself; Reveal is the only way to the secret.
	fmt.Println(token)
	fmt.Println(len(token.Reveal()) > 0)
	// Output:
	// [REDACTED link-token]
	// true
}

func ExampleClient_DeleteLinkToken() {
	svc, srv := startAtlas()
	defer srv.Close()
	client, _ := atlas.NewClient(atlas.WithBaseURL(srv.URL), atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()))
	ctx := context.Background()
	const org = "4888442a3354817a7320eb61"

	if _, err := client.CreateLinkToken(ctx, org); err != nil {
		panic(err)
	}
	fmt.Println("first remove:", client.DeleteLinkToken(ctx, org))
	err := client.DeleteLinkToken(ctx, org)
	fmt.Println("second remove is not found:", errors.Is(err, atlas.ErrNotFound))
	// Output:
	// first remove: <nil>
	// second remove is not found: true
}

func ExampleAPIError() {
	svc, srv := startAtlas()
	defer srv.Close()
	client, _ := atlas.NewClient(atlas.WithBaseURL(srv.URL), atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()))
	ctx := context.Background()
	const org = "4888442a3354817a7320eb61"
	_, _ = client.CreateLinkToken(ctx, org)
	svc.SetMigrationActive(org, true)

	err := client.DeleteLinkToken(ctx, org)
	var apiErr *atlas.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.ErrorCode)
	}
	fmt.Println(errors.Is(err, atlas.ErrConflict))
	fmt.Println(atlas.IsErrorCode(err, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"))

	// Bad input never reaches the service.
	_, err = client.CreateLinkToken(ctx, org, "10.0.0.1/24")
	fmt.Println(err)
	// Output:
	// 409 CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK
	// true
	// true
	// linktoken: invalid accessListIps[0]: "10.0.0.1/24" has host bits set: did you mean 10.0.0.0/24? (refused by this client, not by the contract)
}

func ExampleWithHTTPClient() {
	svc, srv := startAtlas()
	defer srv.Close()

	// Your own client: its timeout and transport are kept, and digest is
	// layered onto a copy; neither it nor http.DefaultClient is modified.
	mine := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	client, err := atlas.NewClient(
		atlas.WithBaseURL(srv.URL),
		atlas.WithHTTPClient(mine),
		atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()),
	)
	if err != nil {
		panic(err)
	}
	_, err = client.CreateLinkToken(context.Background(), "4888442a3354817a7320eb61")
	fmt.Println(err, mine.Transport.(*http.Transport).MaxIdleConnsPerHost)
	// Output: <nil> 4
}

// Validating traffic in tests: put contract.NewTransport on the wire (below
// digest, so it sees the 401 challenge too). In a test, contract.TestTransport(t, next)
// fails t on any violation.
func ExampleWithWireTransport() {
	svc, srv := startAtlas()
	defer srv.Close()
	v, err := contract.New(contract.Strict())
	if err != nil {
		panic(err)
	}
	violations := 0
	client, _ := atlas.NewClient(
		atlas.WithBaseURL(srv.URL),
		atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()),
		atlas.WithWireTransport(func(next http.RoundTripper) http.RoundTripper {
			return contract.NewTransport(v, next, func(vs contract.Violations) { violations += len(vs) })
		}),
	)
	ctx := context.Background()
	_, _ = client.CreateLinkToken(ctx, "4888442a3354817a7320eb61", "192.0.2.10")
	_ = client.DeleteLinkToken(ctx, "4888442a3354817a7320eb61")
	_ = client.DeleteLinkToken(ctx, "4888442a3354817a7320eb61") // 404, which the contract declares
	fmt.Println("exchanges:", svc.Stats().Exchanges, "violations:", violations)
	// Output: exchanges: 4 violations: 0
}

func ExampleRetryPolicy() {
	svc, srv := startAtlas()
	defer srv.Close()
	svc.InjectFault(1, atlastest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})

	policy := atlas.DefaultRetryPolicy()
	policy.OnRetry = func(e atlas.RetryEvent) {
		fmt.Printf("retrying %s after %s (Retry-After %s)\n", e.Operation, e.Reason, e.RetryAfter)
	}
	// Tests can skip the real wait.
	policy.Sleep = func(context.Context, time.Duration) error { return nil }
	client, _ := atlas.NewClient(
		atlas.WithBaseURL(srv.URL),
		atlas.WithDigest(svc.PublicKey(), svc.PrivateKey()),
		atlas.WithRetryPolicy(policy),
	)
	_, err := client.CreateLinkToken(context.Background(), "4888442a3354817a7320eb61")
	fmt.Println(err)
	// Output:
	// retrying create after 429 Too Many Requests (Retry-After 1s)
	// <nil>
}

func ExampleLinkToken() {
	token := atlas.NewLinkToken("c2VjcmV0")
	fmt.Printf("%v %s %q %x %+v\n", token, token, token, token, struct{ T atlas.LinkToken }{token})
	// Output: [REDACTED link-token] [REDACTED link-token] "[REDACTED link-token]" [REDACTED link-token] {T:[REDACTED link-token]}
}

// NewDigestTransport authenticates a plain http.Client (or the generated
// client) the way a Client built WithDigest does: one exchange per call
// after the first challenge.
func ExampleNewDigestTransport() {
	svc, srv := startAtlas()
	defer srv.Close()
	hc := &http.Client{Transport: atlas.NewDigestTransport(svc.PublicKey(), svc.PrivateKey(), nil)}
	for range 3 {
		req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", nil)
		req.Header.Set("Accept", "application/vnd.atlas.2023-01-01+json")
		resp, err := hc.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	st := svc.Stats()
	fmt.Println("exchanges:", st.Exchanges, "challenges:", st.Challenges)
	// Output:
	// 404
	// 404
	// 404
	// exchanges: 4 challenges: 1
}
