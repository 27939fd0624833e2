// Package wire holds the facts of Atlas's wire format that the client
// (package atlas), the in-memory service (atlastest) and the contract's
// middleware each need: the media types and the error codes. It imports
// nothing, so the client can use it: the client imports neither
// kin-openapi, nor the contract, nor the generated server.
package wire

// Media types of request and success bodies.
const (
	// MediaTypeV2 is the v2 resource version of the link-token operations:
	// what a v2 client sends in Accept and Content-Type, and the
	// Content-Type (with ";charset=utf-8", as live) of v2 success bodies.
	MediaTypeV2 = "application/vnd.atlas.2023-01-01+json"
	// MediaTypeJSON is plain JSON: v1.0 bodies both ways, v2 request bodies
	// too, and every error body.
	MediaTypeJSON = "application/json"
)

// ErrorCodeHeader mirrors an error body's errorCode.
const ErrorCodeHeader = "X-Error-Code"

// Error codes the service answers with; the texts follow the live service
// and the contract's examples.
const (
	CodeValidation         = "VALIDATION_ERROR"
	CodeUnauthorized       = "NOT_ORG_GROUP_CREATOR"
	CodeForbidden          = "USER_UNAUTHORIZED"
	CodeUnexpected         = "UNEXPECTED_ERROR"
	CodeResourceNotFound   = "RESOURCE_NOT_FOUND"
	CodeInvalidVersionDate = "INVALID_VERSION_DATE"
	CodeUnsupportedMedia   = "UNSUPPORTED_MEDIA_TYPE"
	CodeActiveMigration    = "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"
	CodeRateLimited        = "RATE_LIMITED"
	CodeServiceUnavailable = "SERVICE_UNAVAILABLE"
	CodeMethodNotAllowed   = "METHOD_NOT_ALLOWED"
)
