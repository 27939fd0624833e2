package atlastest

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/internal/accesslist"
	"github.com/seed-5c49e0d7/linktoken/internal/orgid"
)

// The strict server is what the generated code calls once a request has
// passed authentication, rate limiting, media-type negotiation and validation.
var _ server.StrictServerInterface = (*linkService)(nil)

// linkService holds the per-organization state: the current link, and
// whether a live migration is active.
type linkService struct {
	orgs       map[string]bool // nil: every well-formed orgId exists
	mu         sync.Mutex
	links      map[string]string // orgId → link-token
	migrations map[string]bool
}

func newLinkService(orgs map[string]bool) *linkService {
	return &linkService{orgs: orgs, links: map[string]string{}, migrations: map[string]bool{}}
}

// orgProblem checks the orgId the way the live service does: malformed is a
// 400 naming the field, unknown a 404.
func (l *linkService) orgProblem(orgID string) (status int, e server.ApiError) {
	if !orgid.Valid(orgID) {
		e = newAPIError(http.StatusBadRequest, CodeValidation, "The request does not conform to the API specification.")
		e.BadRequestDetail = &server.BadRequestDetail{Fields: &[]server.FieldViolation{{
			Field:       "orgId",
			Description: fmt.Sprintf("%q is not 24 lower-case hexadecimal digits", orgID),
		}}}
		return http.StatusBadRequest, e
	}
	if l.orgs != nil && !l.orgs[orgID] {
		return http.StatusNotFound, newAPIError(http.StatusNotFound, CodeResourceNotFound,
			fmt.Sprintf("No organization with ID %s exists.", orgID), orgID)
	}
	return 0, e
}

// CreateLinkToken replaces any link the organization had and answers 201,
// as the live service does.
func (l *linkService) CreateLinkToken(ctx context.Context, req server.CreateLinkTokenRequestObject) (server.CreateLinkTokenResponseObject, error) {
	if status, e := l.orgProblem(req.OrgId); status != 0 {
		if status == http.StatusBadRequest {
			return server.CreateLinkToken400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e, Headers: server.BadRequestResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
		}
		return server.CreateLinkToken404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: e, Headers: server.NotFoundResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	body := req.ApplicationVndAtlas20230101PlusJSONBody
	if body == nil {
		body = req.JSONBody
	}
	if fields := checkTargetOrgRequest(body); len(fields) > 0 {
		e := newAPIError(http.StatusBadRequest, CodeValidation, "The request body does not conform to the API specification.")
		e.BadRequestDetail = &server.BadRequestDetail{Fields: &fields}
		return server.CreateLinkToken400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e, Headers: server.BadRequestResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	token := newLinkToken(req.OrgId, body.AccessListIps)
	l.mu.Lock()
	l.links[req.OrgId] = token
	l.mu.Unlock()
	out := server.TargetOrg{LinkToken: token}
	if exchangeFrom(ctx).version == BasePathV1 {
		return server.CreateLinkToken201JSONResponse{Body: out}, nil
	}
	return server.CreateLinkToken201ApplicationVndAtlas20230101PlusJSONResponse{Body: out}, nil
}

// DeleteLinkToken removes the link: 204, or the recorded 404 when there is
// none, or 409 while a live migration is active.
func (l *linkService) DeleteLinkToken(_ context.Context, req server.DeleteLinkTokenRequestObject) (server.DeleteLinkTokenResponseObject, error) {
	if status, e := l.orgProblem(req.OrgId); status != 0 {
		if status == http.StatusBadRequest {
			return server.DeleteLinkToken400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse{Body: e, Headers: server.BadRequestResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
		}
		return server.DeleteLinkToken404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: e, Headers: server.NotFoundResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.migrations[req.OrgId] {
		e := newAPIError(http.StatusConflict, CodeActiveMigration, "Cannot delete the organization link while a live migration is active.")
		return server.DeleteLinkToken409JSONResponse{ConflictJSONResponse: server.ConflictJSONResponse{Body: e, Headers: server.ConflictResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	if _, ok := l.links[req.OrgId]; !ok {
		e := newAPIError(http.StatusNotFound, CodeUnexpected, detailNoLink)
		return server.DeleteLinkToken404JSONResponse{NotFoundJSONResponse: server.NotFoundJSONResponse{Body: e, Headers: server.NotFoundResponseHeaders{XErrorCode: e.ErrorCode}}}, nil
	}
	delete(l.links, req.OrgId)
	return server.DeleteLinkToken204Response{}, nil
}

// checkTargetOrgRequest applies the contract's rules for the body, so the
// service refuses bad input even when no contract validator runs in front.
func checkTargetOrgRequest(body *server.TargetOrgRequest) []server.FieldViolation {
	if body == nil {
		return []server.FieldViolation{{Field: "/", Description: "a request body is required"}}
	}
	if body.AccessListIps == nil {
		return []server.FieldViolation{{Field: "/accessListIps", Description: "property \"accessListIps\" is missing"}}
	}
	var fields []server.FieldViolation
	for i, ip := range body.AccessListIps {
		if err := accesslist.CheckEntry(ip); err != nil {
			fields = append(fields, server.FieldViolation{Field: fmt.Sprintf("/accessListIps/%d", i), Description: err.Error()})
		}
	}
	return fields
}

func (l *linkService) setMigrationActive(orgID string, active bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if active {
		l.migrations[orgID] = true
	} else {
		delete(l.migrations, orgID)
	}
}

func (l *linkService) linkToken(orgID string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.links[orgID]
	return t, ok
}

func (l *linkService) linkCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.links)
}
