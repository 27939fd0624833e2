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
// which returns an [http.Handler], and [Service.NewHTTPServer] to serve it.
//
// The service is meant to withstand hostile clients, not only careless ones.
// Connections are bounded by [ServerTimeouts] (slow headers, slow or endless
// bodies, idle keep-alives, oversized headers), request bodies by
// [WithMaxBodyBytes], and the memory spent on nonces by [WithMaxNonces]:
// nothing an unauthenticated client sends makes the service remember more.
// Credentials are refused, with a fresh challenge, when they are ambiguous
// (two Authorization headers, whichever is right), replayed (a nonce count
// that does not rise), or signed for another realm, URI or method.
// Authentication scheme names are matched case-insensitively, as RFC 9110
// §11.1 says ("digest" is "Digest"); the credential after the name is
// checked the same either way. A create with two Content-Type headers is
// refused 415 like one with a wrong type. [WithoutAuthentication] turns
// authentication off, for benchmarks and tests only.
package atlastest
