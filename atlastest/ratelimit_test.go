package atlastest_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestRateLimitPerOrganization(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithRateLimit(3, time.Hour))
	c := newClient(t, srv, clientOpts{})
	for i := range 3 {
		r := remove(t, c, orgA, nil)
		if r.StatusCode() != 404 {
			t.Fatalf("call %d: %d", i, r.StatusCode())
		}
		h := r.HTTPResponse.Header
		if h.Get("RateLimit-Limit") != "3" || h.Get("RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Errorf("call %d: limit %s remaining %s", i, h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"))
		}
	}
	r := remove(t, c, orgA, nil)
	if r.StatusCode() != 429 || r.JSON429 == nil || errorCode(r.JSON429) != "RATE_LIMITED" {
		t.Fatalf("4th call: %d %s", r.StatusCode(), r.Body)
	}
	if ra, err := strconv.Atoi(r.HTTPResponse.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", r.HTTPResponse.Header.Get("Retry-After"))
	}
	if r.HTTPResponse.Header.Get("RateLimit-Remaining") != "0" {
		t.Errorf("remaining %s", r.HTTPResponse.Header.Get("RateLimit-Remaining"))
	}
	// Another organization has its own bucket.
	if r := remove(t, c, orgB, nil); r.StatusCode() != 404 {
		t.Errorf("other org: %d", r.StatusCode())
	}
	// The handshake's 401 does not draw from the bucket but reports it.
	r = remove(t, newClient(t, srv, clientOpts{noAuth: true}), orgB, nil)
	if r.StatusCode() != 401 || r.HTTPResponse.Header.Get("RateLimit-Remaining") != "2" {
		t.Errorf("401: %d remaining %s", r.StatusCode(), r.HTTPResponse.Header.Get("RateLimit-Remaining"))
	}
}

// TestRateLimitRefills: a bucket refills one request per interval of the
// service's clock, and Retry-After says how long that is.
func TestRateLimitRefills(t *testing.T) {
	clock := newFakeClock()
	srv := testatlas.NewServer(t, atlastest.WithRateLimit(1, 90*time.Second), atlastest.WithClock(clock.Now))
	c := newClient(t, srv, clientOpts{})
	remove(t, c, orgA, nil)
	r := remove(t, c, orgA, nil)
	if r.StatusCode() != 429 || r.HTTPResponse.Header.Get("Retry-After") != "90" {
		t.Fatalf("second call: %d, Retry-After %q, want 429 and 90", r.StatusCode(), r.HTTPResponse.Header.Get("Retry-After"))
	}
	clock.Advance(60 * time.Second)
	if r := remove(t, c, orgA, nil); r.StatusCode() != 429 || r.HTTPResponse.Header.Get("Retry-After") != "30" {
		t.Fatalf("a minute later: %d, Retry-After %q, want 429 and 30", r.StatusCode(), r.HTTPResponse.Header.Get("Retry-After"))
	}
	clock.Advance(30 * time.Second)
	if r := remove(t, c, orgA, nil); r.StatusCode() != 404 {
		t.Errorf("after the refill: %d", r.StatusCode())
	}
}

// TestRateLimitBucketIsTheDecodedResource: a path parameter sent
// percent-encoded names the same resource as sent plain (the contract
// judges it decoded), so it draws from the same bucket: encoding the orgId
// does not buy a fresh one.
func TestRateLimitBucketIsTheDecodedResource(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithRateLimit(1, time.Hour))
	c := &http.Client{Transport: atlas.NewDigestTransport(srv.PublicKey(), srv.PrivateKey(), http.DefaultTransport), Timeout: 10 * time.Second}
	remove := func(org string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodDelete, srv.URL()+atlastest.BasePathV2+"/orgs/"+org+"/liveMigrations/linkTokens", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", atlastest.MediaTypeV2)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if st := remove(orgA); st != http.StatusNotFound {
		t.Fatalf("plain: %d, want 404 (no link)", st)
	}
	encoded := fmt.Sprintf("%%%02X", orgA[0]) + orgA[1:]
	if st := remove(encoded); st != http.StatusTooManyRequests {
		t.Fatalf("the same organization percent-encoded (%s): %d, want 429 from the same bucket", encoded, st)
	}
}
