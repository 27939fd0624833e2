package atlastest

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Operation ids, as the contract names them; they key [Stats.Requests].
const (
	OpCreateLinkToken = "createLinkToken"
	OpDeleteLinkToken = "deleteLinkToken"
	OpOAuthToken      = "oauthToken" // the service-account token endpoint
	OpUnknown         = "unknown"    // no operation of the contract
)

// API versions, by base path.
const (
	BasePathV2 = "/api/atlas/v2"
	BasePathV1 = "/api/atlas/v1.0"
)

// Media types of request and success bodies.
const (
	MediaTypeV2 = "application/vnd.atlas.2023-01-01+json"
	MediaTypeV1 = "application/json"
	// mediaTypeV2Sent is what the live service sends for success bodies on v2.
	mediaTypeV2Sent = MediaTypeV2 + ";charset=utf-8"
)

// Exchange describes one request and its response, for logs and tests. It
// never holds a secret: no private key, digest response, bearer token or
// link-token.
type Exchange struct {
	Method    string
	Path      string // the request URI, query included
	Operation string // one of the Op… constants
	OrgID     string
	// Principal is the public key or service-account client id that
	// authenticated, empty if none did.
	Principal string
	// Status is the real status; Enveloped says it went out as 200.
	Status    int
	Enveloped bool
	// Fault names the injected fault, if any.
	Fault    string
	Duration time.Duration
}

func (x Exchange) attrs() []any {
	a := []any{
		slog.String("method", x.Method),
		slog.String("path", x.Path),
		slog.String("op", x.Operation),
		slog.Int("status", x.Status),
		slog.Duration("took", x.Duration),
	}
	if x.Principal != "" {
		a = append(a, slog.String("principal", x.Principal))
	}
	if x.Enveloped {
		a = append(a, slog.Bool("enveloped", true))
	}
	if x.Fault != "" {
		a = append(a, slog.String("fault", x.Fault))
	}
	return a
}

// exchange is the per-request state the layers of the service share.
type exchange struct {
	version   string // BasePathV2, BasePathV1 or ""
	op        string
	orgID     string
	envelope  bool
	pretty    bool
	principal string
	bearer    bool
	// rate-limit state reported in headers; rlSet once the bucket was drawn from.
	rlRemaining      int
	rlSet            bool
	fault            *Fault
	methodNotAllowed bool
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	if x == nil {
		return &exchange{}
	}
	return x
}

// classify works out which operation, version and organization a request is
// for, before anything else runs, so that every layer (and every counter)
// agrees on it.
func classify(r *http.Request) *exchange {
	x := &exchange{op: OpUnknown}
	p := r.URL.Path
	if p == "/api/oauth/token" {
		x.op = OpOAuthToken
		return x
	}
	var rest string
	switch {
	case strings.HasPrefix(p, BasePathV2+"/"):
		x.version, rest = BasePathV2, strings.TrimPrefix(p, BasePathV2)
	case strings.HasPrefix(p, BasePathV1+"/"):
		x.version, rest = BasePathV1, strings.TrimPrefix(p, BasePathV1)
	default:
		return x
	}
	q := r.URL.Query()
	x.envelope = q.Get("envelope") == "true"
	x.pretty = q.Get("pretty") == "true"
	parts := strings.Split(rest, "/")
	// "", "orgs", id, "liveMigrations", "linkTokens"
	if len(parts) != 5 || parts[1] != "orgs" || parts[2] == "" || parts[3] != "liveMigrations" || parts[4] != "linkTokens" {
		return x
	}
	x.orgID = parts[2]
	switch r.Method {
	case http.MethodPost:
		x.op = OpCreateLinkToken
	case http.MethodDelete:
		x.op = OpDeleteLinkToken
	default:
		x.methodNotAllowed = true
	}
	return x
}
