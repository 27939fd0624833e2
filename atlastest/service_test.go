package atlastest_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestCreateThenRemoveOnBothVersions(t *testing.T) {
	for _, tc := range []struct {
		version, wantType string
	}{
		{atlastest.BasePathV2, "application/vnd.atlas.2023-01-01+json;charset=utf-8"},
		{atlastest.BasePathV1, "application/json"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			srv := testatlas.NewServer(t)
			c := newClient(t, srv, clientOpts{version: tc.version})

			res := create(t, c, tc.version, orgA, nil, "192.0.2.10", "2001:db8::/32")
			if res.StatusCode() != http.StatusCreated || res.JSON201 == nil {
				t.Fatalf("create: %d %s", res.StatusCode(), res.Body)
			}
			if got := res.HTTPResponse.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			tok, err := atlastest.DecodeLinkToken(res.JSON201.LinkToken)
			if err != nil {
				t.Fatal(err)
			}
			if tok.OrgID != orgA || tok.OrgName == "" || tok.PublicAPIKey == "" || tok.PrivateAPIKey == "" ||
				strings.Join(tok.AccessListIPs, ",") != "192.0.2.10,2001:db8::/32" {
				t.Errorf("token content = %+v", tok)
			}
			if tok.PublicAPIKey == srv.PublicKey() || tok.PrivateAPIKey == srv.PrivateKey() {
				t.Error("the token carries the caller's own key")
			}
			if got, ok := srv.LinkToken(orgA); !ok || got != res.JSON201.LinkToken {
				t.Errorf("stored link = %v", ok)
			}

			del := remove(t, c, orgA, nil)
			if del.StatusCode() != http.StatusNoContent || len(del.Body) != 0 {
				t.Fatalf("remove: %d %q", del.StatusCode(), del.Body)
			}
			if got := del.HTTPResponse.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("204 Content-Type = %q, want %q like the recording", got, tc.wantType)
			}
			if srv.LinkCount() != 0 {
				t.Error("link still there after remove")
			}
		})
	}
}

func TestCreateReplacesThePreviousLink(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	first := create(t, c, atlastest.BasePathV2, orgA, nil)
	second := create(t, c, atlastest.BasePathV2, orgA, nil)
	if first.JSON201 == nil || second.JSON201 == nil || first.JSON201.LinkToken == second.JSON201.LinkToken {
		t.Fatalf("second create did not mint a new token")
	}
	if got, _ := srv.LinkToken(orgA); got != second.JSON201.LinkToken {
		t.Error("the stored link is not the latest")
	}
	if srv.LinkCount() != 1 {
		t.Errorf("LinkCount = %d", srv.LinkCount())
	}
}

// TestRemoveWithoutLinkMatchesTheRecording compares the 404 byte for byte
// with the response recorded from the live service.
func TestRemoveWithoutLinkMatchesTheRecording(t *testing.T) {
	recorded, err := os.ReadFile("../testdata/recorded/v2-delete-404-no-link.http")
	if err != nil {
		t.Fatal(err)
	}
	_, wantBody, ok := strings.Cut(string(recorded), "\r\n\r\n")
	if !ok {
		t.Fatal("recording has no body")
	}
	srv := testatlas.NewServer(t)
	res := remove(t, newClient(t, srv, clientOpts{}), orgA, nil)
	if res.StatusCode() != http.StatusNotFound {
		t.Fatalf("status %d", res.StatusCode())
	}
	if string(res.Body) != wantBody {
		t.Errorf("body\n got %s\nwant %s", res.Body, wantBody)
	}
	h := res.HTTPResponse.Header
	if h.Get("Content-Type") != "application/json" || h.Get("X-Error-Code") != "UNEXPECTED_ERROR" {
		t.Errorf("headers %v", h)
	}
	if res.JSON404 == nil || errorCode(res.JSON404) != "UNEXPECTED_ERROR" || res.JSON404.Parameters != nil {
		t.Errorf("typed 404 = %+v", res.JSON404)
	}
}

func TestErrors(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithOrganizations(orgA))
	c := newClient(t, srv, clientOpts{})
	srv.SetMigrationActive(orgA, true)

	for _, tc := range []struct {
		name     string
		do       func() (int, []byte)
		status   int
		code     string
		contains string
	}{
		{"unknown organization on create", func() (int, []byte) {
			r := create(t, c, atlastest.BasePathV2, orgB, nil)
			return r.StatusCode(), r.Body
		}, 404, "RESOURCE_NOT_FOUND", `"parameters":["` + orgB + `"]`},
		{"unknown organization on remove", func() (int, []byte) {
			r := remove(t, c, orgB, nil)
			return r.StatusCode(), r.Body
		}, 404, "RESOURCE_NOT_FOUND", "No organization with ID"},
		{"remove during a live migration", func() (int, []byte) {
			create(t, c, atlastest.BasePathV2, orgA, nil)
			r := remove(t, c, orgA, nil)
			return r.StatusCode(), r.Body
		}, 409, "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK", `"parameters":null`},
		{"malformed orgId", func() (int, []byte) {
			r := remove(t, c, "ABC", nil)
			return r.StatusCode(), r.Body
		}, 400, "VALIDATION_ERROR", `"field":"orgId"`},
		{"bad access list entries", func() (int, []byte) {
			r := create(t, c, atlastest.BasePathV2, orgA, nil, "192.0.2.1", "not-an-ip", "10.0.0.1/24")
			return r.StatusCode(), r.Body
		}, 400, "VALIDATION_ERROR", `"field":"/accessListIps/1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := tc.do()
			if status != tc.status || !strings.Contains(string(body), `"errorCode":"`+tc.code+`"`) || !strings.Contains(string(body), tc.contains) {
				t.Errorf("got %d %s; want %d %s containing %s", status, body, tc.status, tc.code, tc.contains)
			}
		})
	}
	if _, ok := srv.LinkToken(orgA); !ok {
		t.Error("the link was removed during an active migration")
	}
	srv.SetMigrationActive(orgA, false)
	if r := remove(t, c, orgA, nil); r.StatusCode() != http.StatusNoContent {
		t.Errorf("remove after the migration: %d", r.StatusCode())
	}
}

// TestHostBitsPassTheServer: no MongoDB document says whether the service
// refuses a CIDR block with host bits set, so the in-memory service must
// not (the contract accepts it too; only the client refuses it, on its own
// account).
func TestHostBitsPassTheServer(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	r := create(t, c, atlastest.BasePathV2, orgA, nil, "10.0.0.1/24", "2001:db8::1/32")
	if r.StatusCode() != http.StatusCreated {
		t.Fatalf("%d %s", r.StatusCode(), r.Body)
	}
	if _, ok := srv.LinkToken(orgA); !ok {
		t.Error("no link after a 201")
	}
}

// TestCreateWithoutAccessListIsCarriedOut: MongoDB's v2 specification does
// not require accessListIps and MongoDB's Go SDK leaves it out when no list is
// set, so a body without it (or with null, read as absent: assumed) is a
// create, not a 400 the live service may never send.
func TestCreateWithoutAccessListIsCarriedOut(t *testing.T) {
	for _, body := range []string{`{}`, `{"accessListIps":null}`} {
		t.Run(body, func(t *testing.T) {
			srv := testatlas.NewServer(t)
			c := newClient(t, srv, clientOpts{})
			res, err := c.CreateLinkTokenWithBodyWithResponse(t.Context(), orgA, nil, atlastest.MediaTypeV2, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode() != http.StatusCreated {
				t.Fatalf("%d %s", res.StatusCode(), res.Body)
			}
			if _, ok := srv.LinkToken(orgA); !ok {
				t.Error("no link after a 201")
			}
		})
	}
}

// TestBadInputIsRefused: the contract refuses bad input, naming each field,
// before a handler meets it.
func TestBadInputIsRefused(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	r := create(t, c, atlastest.BasePathV2, orgA, nil, "x", "192.0.2.1", "10.0.0.0/33")
	if r.JSON400 == nil || r.JSON400.BadRequestDetail == nil {
		t.Fatalf("%d %s", r.StatusCode(), r.Body)
	}
	var fields []string
	for _, f := range *r.JSON400.BadRequestDetail.Fields {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, " "); got != "/accessListIps/0 /accessListIps/2" {
		t.Errorf("fields = %s", got)
	}
	if srv.LinkCount() != 0 {
		t.Error("a refused create left a link")
	}
	d := remove(t, c, "4888442A3354817A7320EZ61", nil)
	if d.JSON400 == nil || d.JSON400.BadRequestDetail == nil || (*d.JSON400.BadRequestDetail.Fields)[0].Field != "orgId" {
		t.Errorf("orgId not hex: %d %s", d.StatusCode(), d.Body)
	}
}

// TestUpperCaseOrgIDIsTheSameOrganization: MongoDB's specification writes
// the orgId pattern in lower case, but the Atlas CLI sends upper case as
// given and an ObjectId reads either; the live answer is not recorded, so
// the in-memory service must not refuse what the live one may carry out,
// and reads it as the organization it names.
func TestUpperCaseOrgIDIsTheSameOrganization(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	upper := strings.ToUpper(orgA)
	if r := create(t, c, atlastest.BasePathV2, upper, nil, "192.0.2.10"); r.StatusCode() != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode(), r.Body)
	}
	if _, ok := srv.LinkToken(orgA); !ok {
		t.Fatal("no link for the organization after a 201")
	}
	if d := remove(t, c, upper, nil); d.StatusCode() != http.StatusNoContent {
		t.Fatalf("remove: %d %s", d.StatusCode(), d.Body)
	}
	if _, ok := srv.LinkToken(orgA); ok {
		t.Error("the link is still there after a 204")
	}
}

// TestMediaTypeNegotiation: what the live service does with Accept and
// Content-Type, as MongoDB documents it (issue 10): v2 takes plain JSON
// bodies as well as the versioned type, a later version date in Accept is
// served by the newest version not after it (named in the Content-Type),
// 406 only when no version fits, 415 only for a type the contract refuses.
func TestMediaTypeNegotiation(t *testing.T) {
	const served = atlastest.MediaTypeV2 + ";charset=utf-8"
	srv := testatlas.NewServer(t)
	for _, tc := range []struct {
		name     string
		version  string
		accept   string
		ctype    string // create body's Content-Type
		status   int
		code     string // X-Error-Code, or the success body's Content-Type
		wantType string
	}{
		{"v2 body as plain JSON (MongoDB's curl samples)", atlastest.BasePathV2, "", "application/json", 201, "", served},
		{"v2 body as plain JSON with a charset", atlastest.BasePathV2, "", "application/json; charset=utf-8", 201, "", served},
		{"v2 asking for a later version date", atlastest.BasePathV2, "application/vnd.atlas.2025-03-12+json", atlastest.MediaTypeV2, 201, "", served},
		{"v2 asking for a date before the resource", atlastest.BasePathV2, "application/vnd.atlas.2022-01-01+json", atlastest.MediaTypeV2, 406, "INVALID_VERSION_DATE", ""},
		{"v2 asking for HTML only", atlastest.BasePathV2, "text/html", atlastest.MediaTypeV2, 406, "INVALID_VERSION_DATE", ""},
		{"v2 without Accept", atlastest.BasePathV2, "-", atlastest.MediaTypeV2, 201, "", served},
		{"v2 with plain JSON Accept", atlastest.BasePathV2, "application/json", atlastest.MediaTypeV2, 201, "", served},
		{"v2 with a list", atlastest.BasePathV2, "application/json, application/vnd.atlas.2023-01-01+json", atlastest.MediaTypeV2, 201, "", served},
		{"v2 body as text", atlastest.BasePathV2, "", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"v1.0 body as the v2 type", atlastest.BasePathV1, "", atlastest.MediaTypeV2, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"v1.0 asking for the v2 type", atlastest.BasePathV1, atlastest.MediaTypeV2, "application/json", 406, "INVALID_VERSION_DATE", ""},
		{"v1.0 without Accept", atlastest.BasePathV1, "-", "application/json", 201, "", "application/json"},
		{"v1.0 with a wildcard", atlastest.BasePathV1, "*/*", "application/json", 201, "", "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, srv, clientOpts{version: tc.version, accept: tc.accept})
			res, err := c.CreateLinkTokenWithBodyWithResponse(t.Context(), orgA, nil, tc.ctype, strings.NewReader(`{"accessListIps":[]}`))
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode() != tc.status {
				t.Fatalf("status %d %s, want %d", res.StatusCode(), res.Body, tc.status)
			}
			if tc.code != "" && res.HTTPResponse.Header.Get("X-Error-Code") != tc.code {
				t.Errorf("X-Error-Code = %q", res.HTTPResponse.Header.Get("X-Error-Code"))
			}
			if tc.wantType != "" && res.HTTPResponse.Header.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", res.HTTPResponse.Header.Get("Content-Type"), tc.wantType)
			}
		})
	}
	t.Run("remove on v2 asking for a date before the resource", func(t *testing.T) {
		res := remove(t, newClient(t, srv, clientOpts{accept: "application/vnd.atlas.2020-01-01+json"}), orgA, nil)
		if res.StatusCode() != 406 || res.JSON406 == nil {
			t.Errorf("%d %s", res.StatusCode(), res.Body)
		}
	})
}

// TestRequestBodiesAreReadAsTheContractSays: a body the contract refuses is
// refused with a 400 naming the field, before any handler runs: undeclared
// properties (MongoDB: invalid fields are rejected, not ignored) and
// duplicate member names (two parsers reading one body two ways); a CIDR
// block with host bits set is not refused (no source says the service
// refuses it).
func TestRequestBodiesAreReadAsTheContractSays(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"an undeclared property", `{"accessListIps":["192.0.2.10"],"ttl":1}`, 400, "/ttl"},
		{"a duplicate member name", `{"accessListIps":["192.0.2.10"],"accessListIps":[]}`, 400, "/accessListIps"},
		{"a duplicate name, the other order", `{"accessListIps":[],"accessListIps":["192.0.2.10"]}`, 400, "/accessListIps"},
		{"host bits set", `{"accessListIps":["10.0.0.1/24"]}`, 201, ""},
	} {
		for _, ctype := range []string{atlastest.MediaTypeV2, "application/json"} {
			t.Run(tc.name+" as "+ctype, func(t *testing.T) {
				before, _ := srv.LinkToken(orgA)
				res, err := c.CreateLinkTokenWithBodyWithResponse(t.Context(), orgA, nil, ctype, strings.NewReader(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				if res.StatusCode() != tc.status {
					t.Fatalf("%d %s, want %d", res.StatusCode(), res.Body, tc.status)
				}
				if tc.status != 400 {
					return
				}
				if res.JSON400 == nil || res.JSON400.BadRequestDetail == nil || len(*res.JSON400.BadRequestDetail.Fields) == 0 ||
					(*res.JSON400.BadRequestDetail.Fields)[0].Field != tc.field {
					t.Errorf("400 does not name %s: %s", tc.field, res.Body)
				}
				if after, _ := srv.LinkToken(orgA); after != before {
					t.Error("a refused create changed the link")
				}
			})
		}
	}
}

func TestMalformedAndOversizedBodies(t *testing.T) {
	srv := testatlas.NewServer(t, atlastest.WithMaxBodyBytes(64))
	c := newClient(t, srv, clientOpts{})
	for _, tc := range []struct {
		name, body, detail string
		status             int
	}{
		{"malformed JSON", `{"accessListIps":[`, "malformed JSON", 400},
		{"undeclared property", `{"accessListIps":[],"extra":1}`, `"field":"/extra"`, 400},
		{"too large", `{"accessListIps":["` + strings.Repeat("1", 100) + `"]}`, "exceeds 64 bytes", 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.CreateLinkTokenWithBodyWithResponse(t.Context(), orgA, nil, atlastest.MediaTypeV2, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode() != tc.status || !strings.Contains(string(res.Body), tc.detail) {
				t.Errorf("%d %s", res.StatusCode(), res.Body)
			}
		})
	}
	if srv.LinkCount() != 0 {
		t.Error("a refused create left a link")
	}
}

func TestParamsThatDoNotBind(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newClient(t, srv, clientOpts{})
	res, err := c.DeleteLinkTokenWithResponse(t.Context(), orgA, nil, func(_ context.Context, req *http.Request) error {
		req.URL.RawQuery = "envelope=maybe"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode() != 400 || res.JSON400 == nil || (*res.JSON400.BadRequestDetail.Fields)[0].Field != "envelope" {
		t.Errorf("%d %s", res.StatusCode(), res.Body)
	}
}
