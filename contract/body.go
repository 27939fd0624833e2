package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// DefaultMaxBodyBytes bounds one body as the checks read it, after its
// Content-Encoding is decoded: the largest legitimate body of this API (an
// ApiError naming many fields) is a few kilobytes, so 16 MiB is generous
// while keeping a compressed "bomb" or a runaway recording from exhausting
// memory. [MaxBodyBytes] changes it.
const DefaultMaxBodyBytes = 16 << 20

// jsonText is the verdict on a body as one JSON text (RFC 8259): its
// value, or what keeps it from being one.
type jsonText struct {
	// value is the decoded value: when ok, once jsonValue has decoded it,
	// or, for a body that is JSON but for a repeated name or invalid UTF-8,
	// as encoding/json (and so kin-openapi) reads it, so the rest of the
	// body is still checked.
	value   any
	ok      bool
	decoded bool // jsonValue has run
	problem jsonProblem
	where   string // the problem's JSON pointer; its byte offset for a syntax error
}

type jsonProblem int

const (
	jsonOK        jsonProblem = iota
	jsonSyntax                // not JSON at all, or data after the value
	jsonDuplicate             // a member name twice in one object
	jsonUTF8                  // a string that is not valid UTF-8
)

// parseJSON reads data as exactly one JSON text, refusing what
// encoding/json lets through: a member name twice in one object (two
// parsers can then read one body differently, which is how request
// smuggling starts), invalid UTF-8 (JSON text is UTF-8, RFC 8259 §8.1), and
// anything after the value.
//
// github.com/go-json-experiment/json is the reference implementation of
// Go's coming encoding/json/v2; it does all three in the one pass that
// decodes the value, and says where. kin-openapi itself switches to it
// (encoding/json/v2) for duplicate names once Go ships it.
//
// A body that is valid I-JSON (RFC 7493: the same three rules) is only
// scanned here, not decoded: kin-openapi decodes it for its own checks, and
// the few rules that need the value decode it when they do (jsonValue).
func parseJSON(data []byte) jsonText {
	if jsontext.Value(data).IsValid() {
		return jsonText{ok: true}
	}
	var value any
	err := jsonv2.Unmarshal(data, &value)
	if err == nil {
		return jsonText{value: value, ok: true}
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return jsonText{problem: jsonSyntax, where: err.Error()}
	}
	ptr := string(se.JSONPointer)
	var t jsonText
	switch {
	case errors.Is(se.Err, jsontext.ErrDuplicateName):
		t = jsonText{problem: jsonDuplicate, where: ptr}
	case se.Err != nil && strings.Contains(se.Err.Error(), "invalid UTF-8"):
		t = jsonText{problem: jsonUTF8, where: ptr}
	default:
		return jsonText{problem: jsonSyntax, where: fmt.Sprintf("%s at byte %d", syntaxReason(se), se.ByteOffset)}
	}
	if json.Unmarshal(data, &t.value) != nil {
		t.value = nil
	}
	return t
}

// jsonValue is the text's value, decoded on first use; nil when there is
// none (or it does not decode into Go values: a number out of float64's
// range, which kin-openapi's decoder then reports).
func (t *jsonText) jsonValue(data []byte) any {
	if t.ok && !t.decoded {
		t.decoded = true
		if jsonv2.Unmarshal(data, &t.value) != nil {
			t.value = nil
		}
	}
	return t.value
}

// syntaxReason is the library's reason without its own "jsontext:" prefix
// and location, which the violation states its own way, and without the
// text it quotes after a broken escape ("invalid surrogate pair
// `\ud800abcdef`"), which inside a link-token is the secret.
func syntaxReason(se *jsontext.SyntacticError) string {
	if se.Err != nil {
		if errors.Is(se.Err, io.ErrUnexpectedEOF) {
			return "unexpected end of input"
		}
		return safetext.JSONReason(se.Err.Error())
	}
	return "syntax error"
}
