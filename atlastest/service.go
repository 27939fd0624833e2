package atlastest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

// sharedValidator loads the contract once for every service in the process.
var sharedValidator = sync.OnceValues(func() (*contract.Validator, error) { return contract.New() })

// Service is the in-memory Atlas: an [http.Handler] serving the link-token
// operations under both [BasePathV2] and [BasePathV1], and the
// service-account token endpoint when one is configured. It is safe for
// concurrent use.
type Service struct {
	cfg     config
	keys    map[string]APIKey
	owner   APIKey
	links   *linkService
	nonces  *nonceStore
	tokens  *tokenStore
	limiter *rateLimiter
	faults  faultQueue
	stats   *statsCollector
	api     http.Handler // the generated router over the strict server
	// validate, when set, runs after authentication and before the handler.
	validate func(http.Handler) http.Handler
}

// New builds a service. Without [WithAPIKey] it generates one Organization
// Owner key pair, available from [Service.PublicKey] and [Service.PrivateKey].
func New(opts ...Option) (*Service, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Service{
		cfg:     cfg,
		keys:    map[string]APIKey{},
		links:   newLinkService(cfg.orgs),
		nonces:  newNonceStore(cfg.nonceTTL, cfg.maxNonces, cfg.ncWindow),
		tokens:  newTokenStore(cfg.tokenTTL),
		limiter: newRateLimiter(cfg.rateCapacity, cfg.rateRefillEvery),
		stats:   newStats(),
	}
	if len(cfg.keys) == 0 {
		cfg.keys = []APIKey{GenerateAPIKey()}
	}
	for _, k := range cfg.keys {
		if _, dup := s.keys[k.Public]; dup {
			return nil, fmt.Errorf("atlastest: public key %q configured twice", k.Public)
		}
		s.keys[k.Public] = k
		secretlog.Record(k.Private)
		if k.OrgOwner && s.owner.Public == "" {
			s.owner = k
		}
	}
	s.cfg.keys = cfg.keys

	strict := server.NewStrictHandlerWithOptions(s.links, nil, server.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  requestError,
		ResponseErrorHandlerFunc: responseError,
	})
	mux := http.NewServeMux()
	for _, base := range []string{BasePathV2, BasePathV1} {
		server.HandlerWithOptions(strict, server.StdHTTPServerOptions{
			BaseURL:          base,
			BaseRouter:       mux,
			ErrorHandlerFunc: paramError,
		})
	}
	s.api = mux
	v := cfg.validator
	if v == nil && !cfg.noValidation {
		var err error
		if v, err = sharedValidator(); err != nil {
			return nil, err
		}
	}
	if v != nil {
		// No response report: responses are shaped (charset, rate-limit
		// headers, envelope) only after the handler, so they are checked on
		// the wire instead (see the package's tests).
		s.validate = contract.Middleware(v)
	}
	return s, nil
}

// GenerateAPIKey makes a random Organization Owner key pair shaped like
// Atlas's: an 8-letter public key and a UUID private key.
func GenerateAPIKey() APIKey {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := randomBytes(8)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return APIKey{Public: string(b), Private: randomUUID(), OrgOwner: true}
}

// PublicKey is the public part of the first Organization Owner key.
func (s *Service) PublicKey() string { return s.owner.Public }

// PrivateKey is the private part of the first Organization Owner key. It is a
// secret: tests may use it, programs must not log it.
func (s *Service) PrivateKey() string { return s.owner.Private }

// SetMigrationActive marks a live migration into orgID as running (remove
// then answers 409) or finished.
func (s *Service) SetMigrationActive(orgID string, active bool) {
	s.links.setMigrationActive(orgID, active)
}

// LinkToken is the organization's current link-token, if it has one.
func (s *Service) LinkToken(orgID string) (string, bool) { return s.links.linkToken(orgID) }

// LinkCount is how many organizations have a link.
func (s *Service) LinkCount() int { return s.links.linkCount() }

// InjectFault queues f for the next n authenticated requests to the
// link-token operations.
func (s *Service) InjectFault(n int, f Fault) { s.faults.push(n, f) }

// PendingFaults is how many queued faults have not met a request yet.
func (s *Service) PendingFaults() int { return s.faults.pending() }

// ClearFaults drops every queued fault.
func (s *Service) ClearFaults() { s.faults.clear() }

// ExpireNonces makes every outstanding nonce stale now: a client reusing one
// gets a 401 with stale=true and must take the fresh challenge. Service
// account tokens expire too.
func (s *Service) ExpireNonces() {
	s.nonces.expireAll()
	s.tokens.expireAll()
}

// OutstandingNonces is how many issued nonces the service still remembers.
func (s *Service) OutstandingNonces() int { return s.nonces.size() }

// SetRateLimit replaces every organization's bucket with a fresh one of
// capacity requests refilled one per refillEvery.
func (s *Service) SetRateLimit(capacity int, refillEvery time.Duration) {
	s.limiter.set(capacity, refillEvery)
}

// Stats is a snapshot of the counters.
func (s *Service) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the counters.
func (s *Service) ResetStats() { s.stats.reset() }

// ServeHTTP answers one request: authentication, then a queued fault, then
// the rate limit, media-type negotiation, the body cap, validation, and the
// generated strict server; then the response is shaped and sent.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := classify(r)
	r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x))
	rec := newRecorder()
	s.serve(rec, r, x)
	delay := s.cfg.latency
	if x.fault != nil {
		delay += x.fault.Latency
	}
	if delay > 0 {
		s.extendDeadlines(w, delay)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	s.finish(w, x, rec, func(status int) {
		s.stats.record(x.op, status)
		if s.cfg.logExchange == nil {
			return
		}
		ex := Exchange{
			Method: r.Method, Path: r.URL.RequestURI(), Operation: x.op, OrgID: x.orgID,
			Principal: x.principal, Status: status, Duration: time.Since(start),
			Enveloped: x.envelope && status != http.StatusUnauthorized && x.version != "",
		}
		if x.fault != nil {
			ex.Fault = x.fault.String()
		}
		s.cfg.logExchange(ex)
	})
}

func (s *Service) serve(w *recorder, r *http.Request, x *exchange) {
	if x.op == OpOAuthToken {
		if len(s.cfg.serviceAccounts) == 0 {
			writeAPIError(w, newAPIError(http.StatusNotFound, CodeResourceNotFound, "No service accounts are configured."))
			return
		}
		s.serveToken(w, r)
		return
	}
	if x.version == "" {
		writeAPIError(w, newAPIError(http.StatusNotFound, CodeResourceNotFound, "Cannot find resource "+r.URL.Path+"."))
		return
	}
	if !s.authenticate(w, r, x) {
		return
	}
	if x.op == OpUnknown {
		if x.methodNotAllowed {
			w.Header().Set("Allow", "POST, DELETE")
			writeAPIError(w, newAPIError(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Method "+r.Method+" is not allowed."))
			return
		}
		writeAPIError(w, newAPIError(http.StatusNotFound, CodeResourceNotFound, "Cannot find resource "+r.URL.Path+"."))
		return
	}
	if f, ok := s.nextFault(); ok {
		x.fault = &f
		s.stats.fault()
		if f.Status != 0 && !f.AfterHandler {
			writeFault(w, f)
			return
		}
	}
	remaining, retryAfter, ok := s.limiter.take(x.orgID)
	x.rlRemaining, x.rlSet = remaining, true
	if !ok {
		writeRetryAfter(w.Header(), retryAfter)
		writeAPIError(w, newAPIError(http.StatusTooManyRequests, CodeRateLimited,
			fmt.Sprintf("Resource %s is limited to %d requests; retry in %d seconds.", r.URL.Path, s.limiter.capacity, retryAfter)))
		return
	}
	if !negotiate(w, r, x) {
		return
	}
	if r.ContentLength > s.cfg.maxBodyBytes {
		writeValidationError(w, fmt.Sprintf("The request body exceeds %d bytes.", s.cfg.maxBodyBytes),
			server.FieldViolation{Field: "/", Description: "request body too large"})
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBodyBytes)
	}
	h := s.api
	if s.validate != nil {
		h = s.validate(h)
	}
	h.ServeHTTP(w, r)
	if f := x.fault; f != nil && f.Status != 0 && f.AfterHandler {
		w.reset()
		writeFault(w, *f)
	}
}

// authenticate admits a request with valid digest credentials (both
// versions) or a live service-account bearer token (v2 only). Anything else
// gets a 401 with a fresh challenge, or 403 for a key without the role.
func (s *Service) authenticate(w http.ResponseWriter, r *http.Request, x *exchange) bool {
	if s.cfg.noAuth {
		x.principal = s.owner.Public
		return true
	}
	// More than one Authorization header is ambiguous credentials, which
	// are no credentials: a fresh challenge, whatever either one says.
	values := r.Header.Values("Authorization")
	header := ""
	if len(values) == 1 {
		header = values[0]
	}
	res := authChallenge
	// Scheme names are case-insensitive (RFC 9110 §11.1): "digest" and
	// "BEARER" are the same schemes, and the credential after them is
	// checked exactly as it would be otherwise.
	scheme, rest, _ := strings.Cut(header, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer") && x.version == BasePathV2:
		if id, ok := s.tokens.check(rest); ok {
			x.principal, x.bearer = id, true
			return true
		}
	case header != "":
		var principal string
		principal, res = s.checkDigest(r, header)
		x.principal = principal
	}
	switch res {
	case authOK:
		return true
	case authForbidden:
		writeAPIError(w, newAPIError(http.StatusForbidden, CodeForbidden,
			"The API key does not have the Organization Owner role in this organization."))
		return false
	}
	w.Header().Set("WWW-Authenticate", s.challenge(res == authStale))
	writeAPIError(w, newAPIError(http.StatusUnauthorized, CodeUnauthorized, "You are not authorized for this resource."))
	return false
}

// paramError answers a query or path parameter the generated router could
// not bind (envelope=maybe) with a 400 naming it.
func paramError(w http.ResponseWriter, _ *http.Request, err error) {
	field := "request"
	var pe *server.InvalidParamFormatError
	if errors.As(err, &pe) {
		field = pe.ParamName
	}
	writeValidationError(w, "The request does not conform to the API specification.",
		server.FieldViolation{Field: field, Description: "not a valid value for this parameter"})
}

// requestError answers a body the strict server could not decode: malformed
// JSON, or one beyond the size cap.
func requestError(w http.ResponseWriter, _ *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeValidationError(w, fmt.Sprintf("The request body exceeds %d bytes.", tooBig.Limit),
			server.FieldViolation{Field: "/", Description: "request body too large"})
		return
	}
	writeValidationError(w, "The request body is not valid JSON.",
		server.FieldViolation{Field: "/", Description: "malformed JSON"})
}

func responseError(w http.ResponseWriter, _ *http.Request, _ error) {
	writeAPIError(w, newAPIError(http.StatusInternalServerError, CodeUnexpected, "Unexpected error."))
}
