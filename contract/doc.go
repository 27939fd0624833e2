// Package contract checks HTTP exchanges against the link-token contract,
// openapi/linktoken.yaml, as embedded in package generated/spec.
//
// A Validator checks an Exchange (a request, its response, or a response
// recorded alone) with Check, and returns a Result: every way it breaks the
// contract, as Violations, and Notices, findings that do not fail a check.
// The judge is kin-openapi's own engine (its router, openapi3filter and its
// schema validator), with the contract's rules on top, each listed with its
// source in contract/README.md: each API version's media types and the
// resource version Accept asked for, well-formed credentials, the digest
// handshake and the 401's challenge, the envelope (envelope=true), a query
// and a Content-Type read whole, no body on a 204, and bodies decoded and
// read as one JSON text within a size bound. Undeclared response properties
// and query parameters are notices, and violations with the Strict option.
// Credentials are checked for form, never for correctness.
//
// The drop-in forms are NewTransport and TestTransport for clients and
// Middleware for servers; Validator.Match tells a server where a request
// leads in the contract. Package contract/recorded reads recorded traffic
// and tallies its check in a Report; package contract/redact makes a copy
// of an exchange safe to record, which checks as the original did.
package contract
