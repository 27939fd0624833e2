package atlastest_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/generated/client"
)

const (
	orgA = "a0123456789abcdef012345a"
	orgB = "4888442a3354817a7320eb61"
)

// clientOpts sets up one generated client against a test server.
type clientOpts struct {
	version   string // atlastest.BasePathV2 (default) or BasePathV1
	public    string // defaults to the server's owner key
	private   string
	noAuth    bool
	accept    string // overrides the version's media type; "-" sends none
	transport http.RoundTripper
}

// newClient is the generated client as an importer would set it up: its own
// digest transport (challenge cache per client), and an Accept header the
// generator does not send by itself.
func newClient(t testing.TB, srv *atlastest.Server, o clientOpts) *client.ClientWithResponses {
	t.Helper()
	if o.version == "" {
		o.version = atlastest.BasePathV2
	}
	if o.public == "" {
		o.public, o.private = srv.PublicKey(), srv.PrivateKey()
	}
	accept := atlastest.MediaTypeV2
	if o.version == atlastest.BasePathV1 {
		accept = atlastest.MediaTypeV1
	}
	if o.accept != "" {
		accept = o.accept
	}
	base := o.transport
	if base == nil {
		base = wireTransport(t)
	}
	rt := base
	if !o.noAuth {
		rt = &digest.Transport{Username: o.public, Password: o.private, Transport: base}
	}
	c, err := client.NewClientWithResponses(srv.URL()+o.version,
		client.WithHTTPClient(&http.Client{Transport: rt}),
		client.WithRequestEditorFn(acceptHeader(accept)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// create is a v2 or v1.0 create with the version's own media type.
func create(t testing.TB, c *client.ClientWithResponses, version, org string, params *client.CreateLinkTokenParams, ips ...string) *client.CreateLinkTokenResponse {
	t.Helper()
	if ips == nil {
		ips = []string{}
	}
	body := client.TargetOrgRequest{AccessListIps: ips}
	var (
		res *client.CreateLinkTokenResponse
		err error
	)
	if version == atlastest.BasePathV1 {
		res, err = c.CreateLinkTokenWithResponse(context.Background(), org, params, body)
	} else {
		res, err = c.CreateLinkTokenWithApplicationVndAtlas20230101PlusJSONBodyWithResponse(context.Background(), org, params, body)
	}
	if err != nil {
		t.Fatalf("create %s: %v", org, err)
	}
	return res
}

func remove(t testing.TB, c *client.ClientWithResponses, org string, params *client.DeleteLinkTokenParams) *client.DeleteLinkTokenResponse {
	t.Helper()
	res, err := c.DeleteLinkTokenWithResponse(context.Background(), org, params)
	if err != nil {
		t.Fatalf("remove %s: %v", org, err)
	}
	return res
}

func ptr[T any](v T) *T { return &v }

func errorCode(e *client.ApiError) string {
	if e == nil || e.ErrorCode == nil {
		return "<none>"
	}
	return *e.ErrorCode
}

// acceptHeader sets the Accept header the generated client leaves out ("-": none).
func acceptHeader(accept string) client.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		if accept != "-" {
			req.Header.Set("Accept", accept)
		}
		return nil
	}
}

// acceptFor is the Accept header of a version's media type.
func acceptFor(version string) client.RequestEditorFn {
	if version == atlastest.BasePathV1 {
		return acceptHeader(atlastest.MediaTypeV1)
	}
	return acceptHeader(atlastest.MediaTypeV2)
}

// fakeClock is a clock a test moves by hand (atlastest.WithClock): expiry
// and refills are then exact, whatever the machine's load.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// exchangeLog keeps what atlastest.WithExchangeLog reports.
type exchangeLog struct {
	mu  sync.Mutex
	all []atlastest.Exchange
}

func (l *exchangeLog) option() atlastest.Option {
	return atlastest.WithExchangeLog(func(x atlastest.Exchange) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.all = append(l.all, x)
	})
}

func (l *exchangeLog) exchanges() []atlastest.Exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]atlastest.Exchange(nil), l.all...)
}

// faults names the fault each logged exchange met ("" for none), in order.
func (l *exchangeLog) faults() []string {
	var out []string
	for _, x := range l.exchanges() {
		out = append(out, x.Fault)
	}
	return out
}
