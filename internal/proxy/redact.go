package proxy

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/redact"
	"github.com/seed-5c49e0d7/linktoken/internal/secretjson"
	"github.com/seed-5c49e0d7/linktoken/internal/specmarks"
)

// redact.Exchange finds secrets where the contract's schemas put
// them, by their exact names, in the bodies of the statuses that declare
// them. A client decoding with encoding/json reads {"LinkToken": …} as the
// linkToken, and a server may echo a token in a 401 or a 500: the archive
// must not keep in clear what a client would take for a secret. So, after
// Redact, the proxy blanks the string value of every member whose name is
// a secret's in any case, at any depth, in every body it records.

// secretNames are the lower-cased names of the properties the contract
// marks as secrets (format: password).
func secretNames(doc *openapi3.T) map[string]bool {
	names := map[string]bool{}
	_ = doc.WalkSchemas(func(_ string, ref *openapi3.SchemaRef) error {
		for name, p := range ref.Value.Properties {
			if specmarks.Secret(p.Value) {
				names[strings.ToLower(name)] = true
			}
		}
		return nil
	})
	return names
}

// redactAnyCase blanks, in a redacted exchange, what redact.Exchange leaves because
// its name or its status is not the contract's.
func (p *Proxy) redactAnyCase(ex *contract.Exchange) {
	if ex.Request != nil {
		ex.Request.Body = blankSecretMembers(ex.Request.Body, p.secrets)
	}
	if ex.Response != nil {
		ex.Response.Body = blankSecretMembers(ex.Response.Body, p.secrets)
	}
}

// blankSecretMembers replaces the string value of every member named as
// one of names (lower-cased), and every string inside one, by
// redact.Redacted, keeping every other byte. A body that is not one JSON text but names a secret is replaced
// whole.
func blankSecretMembers(data []byte, names map[string]bool) []byte {
	if len(data) == 0 || !mentions(data, names) {
		return data
	}
	// A secret sent as an array or object ({"linkToken":["…"]}) is one too.
	named := func(inSecret bool, name string) bool { return inSecret || names[strings.ToLower(name)] }
	// What breaks JSON's rules (redact.Exchange's stand-in for a secret that
	// did) still does: the recording checks as the exchange did.
	blank := func(secret bool, _ jsontext.Token, raw []byte) (string, bool) {
		return secretjson.AsBroken(redact.Redacted, raw), secret
	}
	out, rest := secretjson.Rewrite(data, false, named, blank)
	if rest >= 0 {
		return []byte(fmt.Sprintf("<%d bytes redacted: not JSON, and they name a secret>", len(data)))
	}
	return out
}

// mentions reports whether data holds any of names, in any case.
func mentions(data []byte, names map[string]bool) bool {
	lower := bytes.ToLower(data)
	for name := range names {
		if bytes.Contains(lower, []byte(name)) {
			return true
		}
	}
	return false
}
