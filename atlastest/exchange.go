package atlastest

import (
	"context"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// Exchange describes one request and its response, for logs and tests. It
// never holds a secret: no private key, digest response, bearer token or
// link-token.
type Exchange struct {
	Method string
	Path   string // the request URI, query included
	// Operation is the contract's operationId, or OpUnknown, or OpOAuthToken.
	Operation string
	// PathParams are the operation's path parameters, unescaped; nil when
	// the request is for no operation.
	PathParams map[string]string
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

// exchange is what the layers of the service know about one request, found
// once, when the request is matched against the contract, and filled in
// as it passes through them.
type exchange struct {
	// match is the request's place in the contract; nil when its path is
	// no operation's. match.Operation is "" for a method the path does not
	// declare.
	match *contract.Match
	// server is the base path the request is under ("" for none), op the
	// operation id (or OpUnknown, OpOAuthToken).
	server string
	op     string
	// resource keys the rate limit: the matched path template with its
	// path parameters' values, so one bucket per resource, shared by the
	// resource's operations and versions.
	resource string
	envelope bool
	pretty   bool
	// mediaType is what serverside.Negotiate chose for a success body.
	mediaType string
	principal string
	// rate-limit state reported in headers; rlSet once the bucket was drawn from.
	rlRemaining int
	rlSet       bool
	fault       *Fault
	// raw: the response is a fault's verbatim body, sent unshaped.
	raw bool
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	if x == nil {
		return &exchange{}
	}
	return x
}

// NegotiatedMediaType is the media type the service chose, from the
// contract and the request's Accept header, for the success body of the
// request whose context is ctx: a handler answers in it (the generated
// typed response of that media type). Empty outside the service.
func NegotiatedMediaType(ctx context.Context) string { return exchangeFrom(ctx).mediaType }
