// Package apierror builds and sends Atlas's error body, the contract's
// ApiError as oapi-codegen generates it, for the servers of this module
// that answer with one: the in-memory service (atlastest), the contract's
// middleware and linktoken proxy --enforce. Each then answers as the live
// service does, from the one type the contract declares.
package apierror

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/wire"
)

// New builds an error body as the live service sends it: every field
// present, "parameters" null unless there are some.
func New(status int, code, detail string, params ...any) server.ApiError {
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

// Write sends e with its status as plain JSON, the code mirrored in
// X-Error-Code.
func Write(w http.ResponseWriter, e server.ApiError) {
	body, err := json.Marshal(e)
	if err != nil { // cannot happen: ApiError holds only JSON-safe values
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", wire.MediaTypeJSON)
	if e.ErrorCode != nil {
		h.Set(wire.ErrorCodeHeader, *e.ErrorCode)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(int(e.Error))
	_, _ = w.Write(body)
}

// MaxFields bounds the fields a refusal lists in badRequestDetail.fields:
// a small body can break the contract in thousands of places (13,000 bad
// entries in 52 KB), and a server must not answer it with megabytes. The
// detail says how many more there were.
const MaxFields = 100

// Refusal is the error body of a request refused for breaking the
// contract: status and code, the first MaxFields of fields, and the
// contract's sentence, saying how many of found were left out.
func Refusal(status int, code string, fields []server.FieldViolation, found int) server.ApiError {
	if len(fields) > MaxFields {
		fields = fields[:MaxFields]
	}
	detail := "The request does not conform to the API specification."
	if found > len(fields) {
		detail += fmt.Sprintf(" %d more violations are not listed.", found-len(fields))
	}
	return WithFields(New(status, code, detail), fields)
}

// WithFields is e listing fields in its badRequestDetail; with nil
// fields, e as it is.
func WithFields(e server.ApiError, fields []server.FieldViolation) server.ApiError {
	if fields != nil {
		e.BadRequestDetail = &server.BadRequestDetail{Fields: &fields}
	}
	return e
}
