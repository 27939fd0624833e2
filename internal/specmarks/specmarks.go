// Package specmarks reads what openapi/linktoken.yaml marks by its own
// convention rather than by OpenAPI's: which values are secrets, and which
// schema is a response's envelope. The judge (contract), redaction
// (contract/redact) and the proxy's recording all read these marks, so each
// is written here once.
package specmarks

import "github.com/getkin/kin-openapi/openapi3"

// Secret reports whether a schema's values are secrets: the contract marks
// them with format: password, as on linkToken.
func Secret(s *openapi3.Schema) bool { return s != nil && s.Format == "password" }

// EnvelopeName is the component schema of an enveloped body (a request
// with envelope=true), whose content may be any response of the operation.
const EnvelopeName = "ResponseEnvelope"

// Envelope is doc's envelope schema, nil when the document has none.
func Envelope(doc *openapi3.T) *openapi3.Schema {
	if ref := doc.Components.Schemas[EnvelopeName]; ref != nil {
		return ref.Value
	}
	return nil
}
