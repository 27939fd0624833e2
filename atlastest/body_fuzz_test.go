package atlastest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// fzMaxBody is the body cap of FuzzCreateBody's service, small so that the
// fuzzer reaches it.
const fzMaxBody = 512

var (
	fzStrict = contract.MustNew(contract.Strict())
	fzLax    = contract.MustNew()
)

// fzShortBody is a body whose sender stopped before its Content-Length,
// as net/http presents one: the bytes, then io.ErrUnexpectedEOF.
type fzShortBody struct{ r io.Reader }

func (b fzShortBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// FuzzCreateBody: arbitrary create bodies, content types and declared
// lengths (negative: none, as with chunked encoding) on either version,
// with or without envelope=true. The service never answers 5xx (no fault is
// injected); its answer conforms to the contract, strictly; and it creates
// a link only for a body the contract accepts, within the size cap.
// Authentication is off: FuzzDigestAuthorization covers it, and here it
// would only double the cost of each run.
func FuzzCreateBody(f *testing.F) {
	const v2 = atlastest.MediaTypeV2
	paths, err := filepath.Glob("../contract/testdata/*/createLinkToken/*.http")
	if err != nil || len(paths) < 10 {
		f.Fatalf("fixtures: %v, %d files", err, len(paths))
	}
	for _, p := range paths {
		exs, err := recorded.ReadHTTPFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, ex := range exs {
			if r := ex.Request; r != nil && r.Method == http.MethodPost {
				v1 := strings.HasPrefix(r.URL.Path, atlastest.BasePathV1)
				f.Add(v1, r.URL.Query().Get("envelope") == "true", r.Header.Get("Content-Type"), r.Body, int64(len(r.Body)))
			}
		}
	}
	for _, s := range []struct {
		ct   string
		body string
	}{
		{v2, `{"accessListIps":["192.0.2.10","2001:db8::/32"]}`},
		{v2, `{}`},
		{v2, ``},
		{v2, `null`},
		{v2, `[]`},
		{v2, `{"accessListIps":null}`},
		{v2, `{"accessListIps":[""]}`},
		{v2, `{"accessListIps":["999.0.0.1","10.0.0.0/33","::/129"]}`},
		{v2, `{"accessListIps":[]} {"accessListIps":[]}`},
		{v2, `{"accessListIps":["192.0.2.10"],"accessListIps":[1]}`},
		{v2, `{"accessListIps":["192.0.2.10"],"extra":true}`},
		{v2, "\xef\xbb\xbf{}"},
		{v2, "{\"accessListIps\":[\"\xff\"]}"},
		{v2, strings.Repeat("[", 600) + strings.Repeat("]", 600)},
		{v2, `{"accessListIps":["` + strings.Repeat("1", fzMaxBody) + `"]}`},
		{v2 + ";charset=utf-8", `{}`},
		{"application/json", `{}`},
		{"application/json; charset=utf-16", `{}`},
		{"text/plain", `{}`},
		{"", `{}`},
		{"application/vnd.atlas.2023-01-01+json, application/json", `{}`},
		{"multipart/form-data; boundary=x", "--x\r\n\r\n{}\r\n--x--"},
	} {
		f.Add(false, false, s.ct, []byte(s.body), int64(len(s.body)))
	}
	f.Add(false, true, v2, []byte(`{"accessListIps":["192.0.2.10"]}`), int64(-1))
	f.Add(false, false, v2, []byte(`{"accessListIps":["192.0.2.10"]}`), int64(10))
	f.Add(false, false, v2, []byte(`{}`), int64(100))
	f.Add(true, false, "application/json", []byte(`{}`), int64(1<<40))
	f.Add(false, false, v2, []byte(`{}`), int64(fzMaxBody+1))

	svc := fzService(f, atlastest.WithoutAuthentication(), atlastest.WithMaxBodyBytes(fzMaxBody))
	f.Fuzz(func(t *testing.T, v1, envelope bool, contentType string, body []byte, declared int64) {
		base, accept := atlastest.BasePathV2, atlastest.MediaTypeV2
		if v1 {
			base, accept = atlastest.BasePathV1, atlastest.MediaTypeV1
		}
		uri := base + "/orgs/" + fzOrg + "/liveMigrations/linkTokens"
		if envelope {
			uri += "?envelope=true"
		}
		// What the handler can read, as net/http would present it: a
		// declared length cuts the body, or runs short of it.
		sent := body
		var r io.Reader = bytes.NewReader(body)
		switch {
		case declared < 0:
			declared = -1
		case declared < int64(len(body)):
			sent = body[:declared]
			r = bytes.NewReader(sent)
		case declared > int64(len(body)):
			r = fzShortBody{r}
		}
		req := httptest.NewRequest(http.MethodPost, uri, nil)
		req.Body, req.ContentLength = io.NopCloser(r), declared
		req.Header.Set("Accept", accept)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if declared >= 0 {
			req.Header.Set("Content-Length", strconv.FormatInt(declared, 10))
		} else {
			req.TransferEncoding = []string{"chunked"}
		}
		before := svc.LinkCount()
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("%d for %q %q (declared %d): %s", rec.Code, contentType, body, declared, rec.Body)
		}
		ex := &contract.Exchange{
			Request:  &contract.Request{Method: http.MethodPost, URL: req.URL, Header: req.Header, Body: sent},
			Response: &contract.Response{StatusCode: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()},
		}
		res, err := fzStrict.Check(ex)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range res.Violations {
			if v.Side == contract.SideResponse {
				t.Fatalf("answer breaks the contract: %v\nresponse %d %v %s", v, rec.Code, rec.Header(), rec.Body)
			}
		}
		created := rec.Code == http.StatusCreated || envelope && rec.Code == http.StatusOK && bytes.Contains(rec.Body.Bytes(), []byte(`"status":201`))
		if !created {
			return
		}
		if declared > fzMaxBody || int64(len(sent)) > fzMaxBody {
			t.Fatalf("created a link from a %d-byte body (declared %d), cap %d", len(sent), declared, fzMaxBody)
		}
		if declared > int64(len(body)) {
			t.Fatalf("created a link from a body cut short (%d of %d bytes)", len(body), declared)
		}
		if svc.LinkCount() < max(before, 1) {
			t.Fatalf("answered 201 but holds %d links", svc.LinkCount())
		}
		laxRes, _ := fzLax.Check(ex)
		for _, v := range laxRes.Violations {
			if v.Side == contract.SideRequest && v.Rule != contract.RuleSecurity {
				t.Fatalf("created a link from a body the contract refuses: %v\nbody %q", v, sent)
			}
		}
	})
}
