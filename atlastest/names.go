package atlastest

import "github.com/seed-5c49e0d7/linktoken/internal/wire"

// Names the contract gives the link-token operations, for the tests and
// programs that call the service. The service itself learns every one of
// them from the contract (package contract); nothing in its pipeline uses
// these constants, so that an operation added to the contract needs only
// its handler (see links.go).

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
	// MediaTypeV2 is the v2 resource version of the link-token operations:
	// what a v2 client sends in Accept, and the Content-Type (with
	// ";charset=utf-8", as live) of v2 success bodies. v2 request bodies may
	// also be MediaTypeV1.
	MediaTypeV2 = wire.MediaTypeV2 // "application/vnd.atlas.2023-01-01+json"
	// MediaTypeV1 is plain JSON: v1.0 bodies both ways, and every error body.
	MediaTypeV1 = wire.MediaTypeJSON // "application/json"
)
