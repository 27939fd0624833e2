package atlas_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestErrorStatusesAreTyped(t *testing.T) {
	tests := []struct {
		name     string
		fault    atlastest.Fault
		sentinel error
		status   int
		code     string
	}{
		{"400", atlastest.Fault{Status: 400, ErrorCode: "VALIDATION_ERROR"}, nil, 400, "VALIDATION_ERROR"},
		{"403 missing role", atlastest.Fault{Status: 403, ErrorCode: "USER_UNAUTHORIZED"}, atlas.ErrForbidden, 403, "USER_UNAUTHORIZED"},
		{"404", atlastest.Fault{Status: 404, ErrorCode: "RESOURCE_NOT_FOUND"}, atlas.ErrNotFound, 404, "RESOURCE_NOT_FOUND"},
		{"406", atlastest.Fault{Status: 406, ErrorCode: "INVALID_VERSION_DATE"}, nil, 406, "INVALID_VERSION_DATE"},
		{"409", atlastest.Fault{Status: 409, ErrorCode: "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"}, atlas.ErrConflict, 409, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK"},
		{"415", atlastest.Fault{Status: 415, ErrorCode: "UNSUPPORTED_MEDIA_TYPE"}, nil, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"errorCode null falls back to X-Error-Code", atlastest.Fault{Status: 500, ContentType: "application/json",
			Body:   `{"error":500,"errorCode":null,"detail":"boom","reason":"Internal Server Error","parameters":null}`,
			Header: http.Header{"X-Error-Code": {"UNEXPECTED_ERROR"}}}, nil, 500, "UNEXPECTED_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testatlas.NewServer(t)
			c := newLenientClient(t, srv) // a 409 on create breaks the contract, on purpose
			srv.InjectFault(1, tt.fault)
			_, err := c.CreateLinkToken(context.Background(), testOrg)
			var ae *atlas.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if ae.StatusCode != tt.status || ae.ErrorCode != tt.code || !atlas.IsErrorCode(err, tt.code) {
				t.Errorf("got %d %q, want %d %q", ae.StatusCode, ae.ErrorCode, tt.status, tt.code)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			if errors.Is(err, atlas.ErrNotFound) != (tt.status == 404) {
				t.Errorf("ErrNotFound match wrong for %d", tt.status)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.code) || !strings.Contains(msg, ae.Reason) {
				t.Errorf("message %q lacks status or code", msg)
			}
			if atlas.StatusCode(err) != tt.status {
				t.Errorf("StatusCode = %d", atlas.StatusCode(err))
			}
			if len(c.sleeps.got()) != 0 {
				t.Errorf("retried a %d on create", tt.status)
			}
		})
	}
}

func TestRemoveWithoutLinkIsNotFound(t *testing.T) {
	c := newTestClient(t, testatlas.NewServer(t))
	err := c.DeleteLinkToken(context.Background(), testOrg)
	if !errors.Is(err, atlas.ErrNotFound) || !atlas.IsErrorCode(err, "UNEXPECTED_ERROR") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadRequestFieldsAndParametersAreExposed(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv)
	srv.InjectFault(1, atlastest.Fault{Status: 400, ContentType: "application/json", Body: `{"error":400,"errorCode":"VALIDATION_ERROR","detail":"The request body does not conform.",` +
		`"reason":"Bad Request","parameters":["a",2],"badRequestDetail":{"fields":[{"field":"/accessListIps/0","description":"not an IP address"}]}}`})
	_, err := c.CreateLinkToken(context.Background(), testOrg, "192.0.2.1")
	var ae *atlas.APIError
	if !errors.As(err, &ae) {
		t.Fatal(err)
	}
	if len(ae.BadRequestFields) != 1 || ae.BadRequestFields[0].Field != "/accessListIps/0" || len(ae.Parameters) != 2 {
		t.Errorf("got %+v", ae)
	}
	if !strings.Contains(err.Error(), "/accessListIps/0: not an IP address") {
		t.Errorf("message %q does not name the field", err)
	}
}

func TestRetryAfterIsExposed(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv, atlas.WithRetryPolicy(atlas.RetryPolicy{MaxAttempts: 1}))
	srv.InjectFault(1, atlastest.Fault{Status: 429, RetryAfter: 7 * time.Second})
	_, err := c.CreateLinkToken(context.Background(), testOrg)
	var ae *atlas.APIError
	if !errors.As(err, &ae) || ae.RetryAfter != 7*time.Second || !errors.Is(err, atlas.ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
}

func TestUnexpectedResponsesKeepStatusAndARedactedExcerpt(t *testing.T) {
	leak := "c2VjcmV0LXRva2VuLXRoYXQtbXVzdC1uZXZlci1sZWFrLW91dA=="
	tests := []struct {
		name    string
		fault   atlastest.Fault
		status  int
		problem string
	}{
		{"html 502", raw(502, "text/html", "<html><body>Bad gateway</body></html>"), 502, "undecodable error body"},
		{"201 not json", raw(201, "application/vnd.atlas.2023-01-01+json", "not json at all"), 201, "undecodable body"},
		{"201 empty token", raw(201, "application/json", `{"linkToken":""}`), 201, "response without a linkToken"},
		{"201 token under another case", raw(201, "application/json", `{"LinkToken":"`+leak+`"}`), 201, "response without a linkToken"},
		{"201 token as a number", raw(201, "application/json", `{"linkToken":12}`), 201, "response without a linkToken"},
		{"201 token twice", raw(201, "application/json", `{"linkToken":"`+leak+`","linkToken":"`+leak+`"}`), 201, "response with more than one linkToken"},
		{"201 then more", raw(201, "application/json", `{"linkToken":"`+leak+`"} {}`), 201, "undecodable body"},
		{"undeclared 302", raw(302, "text/plain", "moved"), 302, "unexpected status"},
		{"error echoing a token", raw(500, "text/plain", `{"linkToken":"`+leak+`"} token=`+leak), 500, "undecodable error body"},
		{"404 html still matches ErrNotFound", raw(404, "text/html", "<h1>not here</h1>"), 404, "undecodable error body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testatlas.NewServer(t)
			c := newLenientClient(t, srv)
			srv.InjectFault(1, tt.fault)
			_, err := c.CreateLinkToken(context.Background(), testOrg)
			var ue *atlas.UnexpectedResponseError
			if !errors.As(err, &ue) || ue.StatusCode != tt.status || ue.Problem != tt.problem {
				t.Fatalf("err = %v, want an *UnexpectedResponseError %d %q", err, tt.status, tt.problem)
			}
			if strings.Contains(err.Error(), leak) || strings.Contains(err.Error(), "dG9r") {
				t.Errorf("error leaks a token: %v", err)
			}
			if !strings.Contains(err.Error(), "HTTP ") || len(ue.Excerpt) > 170 {
				t.Errorf("message %q / excerpt %d bytes", err, len(ue.Excerpt))
			}
			if tt.status == 404 && !errors.Is(err, atlas.ErrNotFound) {
				t.Error("a 404 without ApiError body does not match ErrNotFound")
			}
		})
	}
}

// raw is a fault that answers with a body no Atlas sends.
func raw(status int, contentType, body string) atlastest.Fault {
	return atlastest.Fault{Status: status, ContentType: contentType, Body: body}
}
