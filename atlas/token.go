package atlas

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every printing, encoding and logging path shows in place of
// a link-token.
const redacted = "[REDACTED link-token]"

// LinkToken is the secret Atlas returns on create: base64 of a JSON document
// holding an organization id and name and an API key pair. It redacts itself
// in every fmt verb, in JSON and text encoding and as an slog value; the
// secret is reachable only through [LinkToken.Reveal].
//
// The secret sits behind a pointer so that even reflection-based printing of
// an enclosing struct with an unexported LinkToken field (where fmt cannot
// call methods) shows an address, never the token.
type LinkToken struct {
	secret *string
}

// NewLinkToken wraps a token obtained elsewhere (for example from a file or a
// test server) so that it gets the same protection as one the client returns.
func NewLinkToken(secret string) LinkToken { return LinkToken{secret: &secret} }

// Reveal returns the token in clear. Call it only where the token is the
// point (handing it to Cloud Manager, printing it because the user asked).
func (t LinkToken) Reveal() string {
	if t.secret == nil {
		return ""
	}
	return *t.secret
}

// IsZero reports whether t holds no token.
func (t LinkToken) IsZero() bool { return t.secret == nil || *t.secret == "" }

// String returns a redaction marker, never the token.
func (t LinkToken) String() string { return redacted }

// GoString returns a redaction marker, never the token.
func (t LinkToken) GoString() string { return "atlas.LinkToken(" + redacted + ")" }

// Format implements fmt.Formatter so that every verb and flag (%v %+v %#v %s
// %q %x %X %d ...) prints the redaction marker.
func (t LinkToken) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, t.GoString())
	case verb == 'q':
		_, _ = fmt.Fprintf(f, "%q", redacted)
	default:
		_, _ = io.WriteString(f, redacted)
	}
}

// MarshalJSON encodes the redaction marker, so a LinkToken inside a logged or
// serialized struct never leaks.
func (t LinkToken) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText encodes the redaction marker (encoders other than JSON use it).
func (t LinkToken) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer with the redaction marker.
func (t LinkToken) LogValue() slog.Value { return slog.StringValue(redacted) }
