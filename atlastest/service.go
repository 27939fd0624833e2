package atlastest

import (
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/server"
)

// sharedValidator loads the contract once for every service in the process.
var sharedValidator = sync.OnceValues(func() (*contract.Validator, error) { return contract.New() })

// Service is the in-memory Atlas: an [http.Handler] serving the contract's
// operations under each of its servers' base paths ([BasePathV2] and
// [BasePathV1]), and the service-account token endpoint when one is
// configured. It is safe for concurrent use.
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
	// contract routes every request; validate says it validates them too.
	contract *contract.Validator
	validate bool
	// api dispatches a matched request to its operation's handler.
	api *registry
}

// New builds a service. Without [WithAPIKey] it generates one Organization
// Owner key pair, available from [Service.PublicKey] and [Service.PrivateKey].
// It fails if an option is invalid, or if an operation of the contract has
// no handler (see [WithOperationHandler]).
func New(opts ...Option) (*Service, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	stats := newStats()
	s := &Service{
		cfg:     cfg,
		keys:    map[string]APIKey{},
		links:   newLinkService(cfg.orgs, cfg.maxResources, cfg.recordSecret),
		nonces:  newNonceStore(cfg.nonceTTL, cfg.maxNonces, cfg.ncWindow, cfg.now),
		tokens:  newTokenStore(tokenTTL, cfg.maxResources, cfg.now, cfg.recordSecret),
		limiter: newRateLimiter(cfg.rateCapacity, cfg.rateRefillEvery, cfg.maxResources, cfg.now),
		stats:   stats,
	}
	if len(cfg.keys) == 0 {
		cfg.keys = []APIKey{GenerateAPIKey()}
	}
	for _, k := range cfg.keys {
		if _, dup := s.keys[k.Public]; dup {
			return nil, fmt.Errorf("atlastest: public key %q configured twice", k.Public)
		}
		s.keys[k.Public] = k
		cfg.recordSecret(k.Private)
		if k.OrgOwner && s.owner.Public == "" {
			s.owner = k
		}
	}
	s.cfg.keys = cfg.keys
	for _, secret := range cfg.serviceAccounts {
		cfg.recordSecret(secret)
	}

	s.contract, s.validate = cfg.validator, !cfg.noValidation
	if s.contract == nil {
		var err error
		if s.contract, err = sharedValidator(); err != nil {
			return nil, err
		}
	}
	strict := server.NewStrictHandlerWithOptions(s.links, nil, server.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  requestError,
		ResponseErrorHandlerFunc: responseError,
	})
	api, err := newRegistry(s.contract, strict, cfg.handlers)
	if err != nil {
		return nil, err
	}
	s.api = api
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
	return APIKey{Public: string(b), Private: uuid.NewString(), OrgOwner: true}
}

// PublicKey is the public part of the first Organization Owner key.
func (s *Service) PublicKey() string { return s.owner.Public }

// PrivateKey is the private part of the first Organization Owner key. It is a
// secret: tests may use it, programs must not log it.
func (s *Service) PrivateKey() string { return s.owner.Private }

// InjectFault queues f for the next n authenticated requests to operations
// of the contract.
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

// Stats is a snapshot of the counters.
func (s *Service) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the counters.
func (s *Service) ResetStats() { s.stats.reset() }
