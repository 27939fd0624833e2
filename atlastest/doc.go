// Package atlastest is an in-memory stand-in for the MongoDB Atlas link-token
// operations, built on the strict server that oapi-codegen generates from
// openapi/linktoken.yaml.
//
// Nobody can call the real Atlas from a test, and mock servers driven by the
// contract alone cannot complete a digest handshake. This service behaves like
// the live one where a client can tell the difference: real RFC 7616 digest
// authentication with expiring server nonces, both API versions with their
// media types, per-organization state, the recorded error bodies, rate-limit
// headers, the envelope and pretty query parameters, and faults a test can
// inject (failing statuses, latency, cut connections, truncated bodies, stale
// nonces) with counters to assert on.
//
// Tests use [NewServer]; long-running programs (linktoken serve) use [New],
// which returns an [http.Handler].
package atlastest
