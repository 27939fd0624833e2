package atlastest

import (
	"net/http"
	"strconv"

	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
	"github.com/seed-5c49e0d7/linktoken/internal/wire"
)

// Error codes the service answers with; the texts follow the live service
// and the contract's examples.
const (
	CodeValidation         = wire.CodeValidation         // "VALIDATION_ERROR"
	CodeUnauthorized       = wire.CodeUnauthorized       // "NOT_ORG_GROUP_CREATOR"
	CodeForbidden          = wire.CodeForbidden          // "USER_UNAUTHORIZED"
	CodeUnexpected         = wire.CodeUnexpected         // "UNEXPECTED_ERROR"
	CodeResourceNotFound   = wire.CodeResourceNotFound   // "RESOURCE_NOT_FOUND"
	CodeInvalidVersionDate = wire.CodeInvalidVersionDate // "INVALID_VERSION_DATE"
	CodeUnsupportedMedia   = wire.CodeUnsupportedMedia   // "UNSUPPORTED_MEDIA_TYPE"
	CodeActiveMigration    = wire.CodeActiveMigration    // "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"
	CodeRateLimited        = wire.CodeRateLimited        // "RATE_LIMITED"
	CodeServiceUnavailable = wire.CodeServiceUnavailable // "SERVICE_UNAVAILABLE"
	CodeMethodNotAllowed   = wire.CodeMethodNotAllowed   // "METHOD_NOT_ALLOWED"
)

func writeValidationError(w http.ResponseWriter, detail string, fields ...server.FieldViolation) {
	apierror.Write(w, apierror.WithFields(apierror.New(http.StatusBadRequest, CodeValidation, detail), fields))
}

func writeRetryAfter(h http.Header, seconds int) {
	h.Set("Retry-After", strconv.Itoa(seconds))
}
