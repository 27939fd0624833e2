package atlas

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/seed-5c49e0d7/linktoken/generated/client"
)

// Sentinels for the outcomes callers branch on. Every *APIError (and
// *UnexpectedResponseError) matches the sentinel of its status with errors.Is.
var (
	ErrUnauthorized = errors.New("unauthorized (401)")
	ErrForbidden    = errors.New("forbidden (403)")
	ErrNotFound     = errors.New("not found (404)")
	ErrConflict     = errors.New("conflict (409)")
	ErrRateLimited  = errors.New("rate limited (429)")
	// ErrInvalidInput matches every *InputError: the client refused the call
	// before sending a byte.
	ErrInvalidInput = errors.New("invalid input")
)

// sentinelFor maps a status to the sentinel errors.Is should match.
func sentinelFor(status int) error {
	switch status {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusConflict:
		return ErrConflict
	case http.StatusTooManyRequests:
		return ErrRateLimited
	}
	return nil
}

// FieldError is one entry of an ApiError's badRequestDetail.fields: the
// generated client's type, so a field the contract adds reaches callers
// without a copy to keep in step.
type FieldError = client.FieldViolation

// APIError is an error the service answered with an Atlas ApiError body.
// Reach it with errors.As; its status also matches the sentinels with errors.Is.
type APIError struct {
	// Operation is "create" or "delete".
	Operation string
	// StatusCode is the HTTP status (the envelope's status when enveloped).
	StatusCode int
	// ErrorCode is the body's errorCode, or the X-Error-Code header when the
	// body sent null (as the live service did in 2025).
	ErrorCode string
	Detail    string
	Reason    string
	// Parameters fill the error's message template; nil when the service sent null.
	Parameters []any
	// BadRequestFields names each offending field of a 400.
	BadRequestFields []FieldError
	// RetryAfter is the Retry-After header's value; zero when absent.
	RetryAfter time.Duration
}

// Error says what failed, with status and errorCode. The detail is redacted
// defensively: it is server text that ends up in logs.
func (e *APIError) Error() string {
	var b strings.Builder
	// Every field is server text; an error code keeps its usual shape
	// (often 32 or more of [A-Z_], which redactText would blank out).
	fmt.Fprintf(&b, "linktoken: %s link-token: %d %s", e.Operation, e.StatusCode, statusText(e.StatusCode, redactText(e.Reason, 100)))
	if e.ErrorCode != "" {
		code := e.ErrorCode
		if !errorCodeShape.MatchString(code) {
			code = redactText(code, 100)
		}
		fmt.Fprintf(&b, " (%s)", code)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", redactText(e.Detail, 300))
	}
	for i, f := range e.BadRequestFields {
		if i == maxPrintedFields {
			// BadRequestFields holds them all; the text stays short whatever
			// the server sent.
			fmt.Fprintf(&b, "; and %d more fields", len(e.BadRequestFields)-i)
			break
		}
		fmt.Fprintf(&b, "; %s: %s", redactText(f.Field, 100), redactText(f.Description, 200))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// maxPrintedFields bounds the bad-request fields an error's text names.
const maxPrintedFields = 10

// errorCodeShape is what Atlas error codes look like: printed as they are.
var errorCodeShape = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,99}$`)

// Is matches the sentinel of the status.
func (e *APIError) Is(target error) bool {
	s := sentinelFor(e.StatusCode)
	return s != nil && s == target
}

// UnexpectedResponseError is a response the contract does not describe: an
// undeclared status, or a body that does not decode. Excerpt is short and
// redacted (no link-token, no credentials).
type UnexpectedResponseError struct {
	Operation   string
	StatusCode  int
	ContentType string
	// Problem says what was wrong ("undecodable body", "unexpected status").
	Problem string
	// Excerpt is at most a couple of hundred redacted bytes of the body.
	Excerpt string
}

// Error reports the status, the problem and the redacted excerpt.
func (e *UnexpectedResponseError) Error() string {
	msg := fmt.Sprintf("linktoken: %s link-token: %s: HTTP %d", e.Operation, e.Problem, e.StatusCode)
	if e.ContentType != "" {
		msg += " (" + redactText(e.ContentType, 100) + ")"
	}
	if e.Excerpt != "" {
		msg += ": " + e.Excerpt
	}
	return msg
}

// Is matches the sentinel of the status, so a 404 with an HTML body still
// answers errors.Is(err, ErrNotFound).
func (e *UnexpectedResponseError) Is(target error) bool {
	s := sentinelFor(e.StatusCode)
	return s != nil && s == target
}

// IsErrorCode reports whether err is (or wraps) an *APIError with the given
// Atlas errorCode.
func IsErrorCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.ErrorCode == code
}

// StatusCode returns the HTTP status of an *APIError or
// *UnexpectedResponseError in err's chain, or 0.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	var ue *UnexpectedResponseError
	if errors.As(err, &ue) {
		return ue.StatusCode
	}
	return 0
}

func statusText(code int, reason string) string {
	if reason != "" {
		return reason
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "status"
}
