package atlastest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/apierror"
	"github.com/seed-5c49e0d7/linktoken/internal/orgid"
)

// The link-token operations: the one hand-written implementation of the
// generated strict interface, and the state it keeps. Everything else a
// request meets (authentication, faults, the rate limit, content
// negotiation, validation, the envelope, charset and rate-limit headers)
// is the service's, learnt from the contract, the same for every
// operation; a handler gets a request that passed all of it and returns
// the generated typed response for the negotiated media type.
var _ server.StrictServerInterface = (*linkService)(nil)

// detailNoLink is the live service's text, recorded August 2026.
const detailNoLink = "Could not find the requested external organization link."

// linkService holds the per-organization state: the current link, and
// whether a live migration is active. The state is bounded
// (withMaxResources): the organization used least recently is dropped
// first.
type linkService struct {
	orgs  map[string]bool // nil: every well-formed orgId exists
	mu    sync.Mutex
	state *lru[string, orgState]
	// record receives each link-token minted (WithSecretLog).
	record func(...string)
}

type orgState struct {
	link      string // "" for none
	migrating bool
}

func newLinkService(orgs map[string]bool, maxOrgs int, record func(...string)) *linkService {
	return &linkService{orgs: orgs, state: newLRU[string, orgState](maxOrgs), record: record}
}

// WithOrganizations restricts the organizations that exist to ids; any other
// well-formed orgId is answered 404 RESOURCE_NOT_FOUND. By default every
// well-formed orgId exists.
func WithOrganizations(ids ...string) Option {
	return func(c *config) error {
		if c.orgs == nil {
			c.orgs = map[string]bool{}
		}
		for _, id := range ids {
			if !orgid.Valid(id) {
				return fmt.Errorf("atlastest: organization id %q is not 24 lower-case hex digits", id)
			}
			c.orgs[id] = true
		}
		return nil
	}
}

// orgProblem answers an orgId the service does not know 404, with the
// body of both operations' 404. (The contract refused a malformed one.)
func (l *linkService) orgProblem(orgID string) (server.NotFoundJSONResponse, bool) {
	if l.orgs == nil || l.orgs[orgID] {
		return server.NotFoundJSONResponse{}, false
	}
	e := apierror.New(http.StatusNotFound, CodeResourceNotFound, fmt.Sprintf("No organization with ID %s exists.", orgID), orgID)
	return server.NotFoundJSONResponse{Body: e, Headers: server.NotFoundResponseHeaders{XErrorCode: e.ErrorCode}}, true
}

// CreateLinkToken replaces any link the organization had and answers 201,
// as the live service does.
func (l *linkService) CreateLinkToken(ctx context.Context, req server.CreateLinkTokenRequestObject) (server.CreateLinkTokenResponseObject, error) {
	req.OrgId = strings.ToLower(req.OrgId) // the contract takes upper-case hex (assumed): the same organization
	if nf, ok := l.orgProblem(req.OrgId); ok {
		return server.CreateLinkToken404JSONResponse{NotFoundJSONResponse: nf}, nil
	}
	body := req.ApplicationVndAtlas20230101PlusJSONBody
	if body == nil {
		body = req.JSONBody
	}
	if body == nil {
		// Only in this package's benchmarks, which turn validation off:
		// the contract requires a body.
		e := apierror.Refusal(http.StatusBadRequest, CodeValidation, []server.FieldViolation{{Field: "/", Description: "a request body is required"}}, 1)
		return server.CreateLinkToken400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e, Headers: server.BadRequestResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	token := newLinkToken(req.OrgId, body.AccessListIps, l.record)
	l.mu.Lock()
	st, _ := l.state.get(req.OrgId)
	st.link = token
	l.state.put(req.OrgId, st)
	l.mu.Unlock()
	out := server.TargetOrg{LinkToken: token}
	if NegotiatedMediaType(ctx) == MediaTypeV2 {
		return server.CreateLinkToken201ApplicationVndAtlas20230101PlusJSONResponse{Body: out}, nil
	}
	return server.CreateLinkToken201JSONResponse{Body: out}, nil
}

// DeleteLinkToken removes the link: 204, or the recorded 404 when there is
// none, or 409 while a live migration is active.
func (l *linkService) DeleteLinkToken(ctx context.Context, req server.DeleteLinkTokenRequestObject) (server.DeleteLinkTokenResponseObject, error) {
	req.OrgId = strings.ToLower(req.OrgId)
	if nf, ok := l.orgProblem(req.OrgId); ok {
		return server.DeleteLinkToken404JSONResponse{NotFoundJSONResponse: nf}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	st, _ := l.state.get(req.OrgId)
	if st.migrating {
		e := apierror.New(http.StatusConflict, CodeActiveMigration, "Cannot delete the organization link while a live migration is active.")
		return server.DeleteLinkToken409JSONResponse{ConflictJSONResponse: server.ConflictJSONResponse{Body: e, Headers: server.ConflictResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	if st.link == "" {
		e := apierror.New(http.StatusNotFound, CodeUnexpected, detailNoLink)
		return server.DeleteLinkToken404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: e, Headers: server.NotFoundResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	l.state.remove(req.OrgId)
	// The content type of a 204 is the service's (see response.go).
	return server.DeleteLinkToken204Response{}, nil
}

func (l *linkService) setMigrationActive(orgID string, active bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, _ := l.state.get(orgID)
	st.migrating = active
	if st == (orgState{}) {
		l.state.remove(orgID)
		return
	}
	l.state.put(orgID, st)
}

func (l *linkService) linkToken(orgID string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, _ := l.state.peek(orgID)
	return st.link, st.link != ""
}

func (l *linkService) linkCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.state.items {
		if e.Value.(*lruEntry[string, orgState]).val.link != "" {
			n++
		}
	}
	return n
}

func (l *linkService) orgCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state.len()
}

// SetMigrationActive marks a live migration into orgID as running (remove
// then answers 409) or finished.
func (s *Service) SetMigrationActive(orgID string, active bool) {
	s.links.setMigrationActive(orgID, active)
}

// LinkToken is the organization's current link-token, if it has one.
func (s *Service) LinkToken(orgID string) (string, bool) { return s.links.linkToken(orgID) }

// LinkCount is how many organizations have a link.
func (s *Service) LinkCount() int { return s.links.linkCount() }
