// Package atlastest is an in-memory stand-in for the MongoDB Atlas link-token
// operations, built on the strict server that oapi-codegen generates from
// openapi/linktoken.yaml, and driven by the contract itself (package
// contract).
//
// Nobody can call the real Atlas from a test, and mock servers driven by the
// contract alone cannot complete a digest handshake. This service behaves like
// the live one where a client can tell the difference: real RFC 7616 digest
// authentication with expiring server nonces, both API versions with their
// media types, per-organization state, the recorded error bodies, rate-limit
// headers, the envelope and pretty query parameters, and faults a test can
// inject (failing statuses, chosen error codes or raw bodies, latency, cut
// connections, truncated bodies, stale nonces) with counters to assert on.
//
// Tests use [NewServer]; long-running programs (linktoken serve) use [New],
// which returns an [http.Handler] for the program to serve.
//
// # One match, one validation, one shaping
//
// Each request is matched against the contract once ([contract.Validator.Match],
// under any host and mount prefix), and every layer works from that match:
// authentication with the schemes the operation accepts on its server
// (digest on both versions, service-account bearer tokens on v2, as the
// contract's x-atlas-servers says), a queued fault, the rate limit of the
// resource (the operation's path with its path parameters: one bucket per
// organization), content negotiation (406 only when no resource version
// fits Accept: a later date is served by the newest version not after it),
// the body cap (413), validation against the match (400, 405, 415 with
// the contract's refusal, at most 100 fields listed),
// and dispatch to the operation's handler, found by the match's method and
// path template among those the generated router registered (or given by
// [WithOperationHandler]). Handlers return the generated typed responses in
// [NegotiatedMediaType]; the service then shapes every response the one way
// the live service does: the envelope (status line 200, but for the plain
// 401 challenge), pretty-printing, ";charset=utf-8" on versioned success
// types and a Content-Type on a 204 (as recorded), rate-limit headers. So
// an operation added to the contract needs its handler and nothing else
// (see [WithContractValidator]).
//
// # Hostile clients
//
// The service is meant to withstand hostile clients, not only careless ones.
// NewServer's connections are bounded (slow headers, slow or endless bodies,
// idle keep-alives, oversized headers), as linktoken serve's are; a program
// serving [New]'s handler bounds its own [http.Server]. What only the
// service itself holds is bounded inside it, by fixed bounds that are no
// option: request bodies (64 KiB, answered 413), the nonces it remembers
// (4,096), its state per resource (10,000 rate-limit buckets and
// organizations' links) and the bearer tokens it issued (10,000), the
// least recently used dropped first. Nothing an
// unauthenticated client sends makes the service remember more, and an
// authenticated one meets a bound. Credentials
// are refused, with a fresh challenge, when they are ambiguous (two
// Authorization headers, whichever is right), replayed (a nonce count that
// does not rise), or signed for another realm, URI or method.
// Authentication scheme names are matched case-insensitively, as RFC 9110
// §11.1 says ("digest" is "Digest"); the credential after the name is
// checked the same either way. A body with two Content-Type headers is
// refused 415, like one of a type the contract refuses. [WithoutAuthentication]
// turns authentication off, for benchmarks and tests only; [WithClock]
// drives nonce and token expiry and rate-limit refills from a test's clock.
package atlastest
