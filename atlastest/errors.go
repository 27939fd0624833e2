package atlastest

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/seed-5c49e0d7/linktoken/generated/server"
)

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

// newAPIError builds an error body as the live service sends it: every field
// present, "parameters" null unless there are some.
func newAPIError(status int, code, detail string, params ...any) server.ApiError {
	reason := http.StatusText(status)
	e := server.ApiError{
		Error:     int32(status),
		ErrorCode: &code,
		Detail:    &detail,
		Reason:    &reason,
	}
	if len(params) > 0 {
		e.Parameters = &params
	}
	return e
}

// writeAPIError sends e as plain application/json with the code mirrored in
// X-Error-Code. The finishing layer (response.go) adds rate-limit headers,
// the envelope and pretty-printing.
func writeAPIError(w http.ResponseWriter, e server.ApiError) {
	body, err := json.Marshal(e)
	if err != nil { // cannot happen: ApiError holds only JSON-safe values
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.ErrorCode != nil {
		h.Set("X-Error-Code", *e.ErrorCode)
	}
	w.WriteHeader(int(e.Error))
	_, _ = w.Write(body)
}

func writeValidationError(w http.ResponseWriter, detail string, fields ...server.FieldViolation) {
	e := newAPIError(http.StatusBadRequest, CodeValidation, detail)
	if len(fields) > 0 {
		e.BadRequestDetail = &server.BadRequestDetail{Fields: &fields}
	}
	writeAPIError(w, e)
}

func writeRetryAfter(h http.Header, seconds int) {
	h.Set("Retry-After", strconv.Itoa(seconds))
}
