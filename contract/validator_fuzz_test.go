package contract_test

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// fzSecret stands for a credential or a link-token: the fuzzer writes
// {secret} and the target puts this in its place, where the contract
// package promises never to copy it into a violation.
const fzSecret = "c2VjcmV0LWxpbmstdG9rZW4tZnV6ei1zZWNyZXQ"

// fzLinkTokenSecret finds the secret as a linkToken value; what is left of a
// body without those is text a violation may quote.
var fzLinkTokenSecret = regexp.MustCompile(`"linkToken"\s*:\s*"` + fzSecret + `"`)

// fzHeader parses "Name: value" lines; lines without a colon are skipped.
func fzHeader(block string) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(block, "\n") {
		name, value, ok := strings.Cut(strings.TrimSuffix(line, "\r"), ":")
		if !ok {
			continue
		}
		h.Add(strings.TrimSpace(name), strings.TrimLeft(value, " \t"))
	}
	return h
}

// fzHeaderBlock is the inverse of fzHeader, for seeds.
func fzHeaderBlock(h http.Header) string {
	var b strings.Builder
	for name, values := range h {
		for _, v := range values {
			b.WriteString(name + ": " + v + "\n")
		}
	}
	return b.String()
}

var fzLax = contract.MustNew()

// FuzzValidateExchange: the validator, lax and strict, on arbitrary
// exchanges (method, path, query, headers, bodies, status; status 0 means no
// response, an empty method a response alone). It never panics; the verdict
// is the same twice; the strict verdict is never laxer; every violation
// prints on one line; an error only ever means "not a link-token
// operation"; and a secret in the Authorization header or as the linkToken
// never reaches a violation.
func FuzzValidateExchange(f *testing.F) {
	add := func(ex *contract.Exchange) {
		method, path, query, reqH, reqBody := "", "", "", "", []byte(nil)
		if r := ex.Request; r != nil {
			method, path, query, reqH, reqBody = r.Method, r.URL.Path, r.URL.RawQuery, fzHeaderBlock(r.Header), r.Body
		}
		status, respH, respBody := 0, "", []byte(nil)
		if r := ex.Response; r != nil {
			status, respH, respBody = r.StatusCode, fzHeaderBlock(r.Header), r.Body
		}
		f.Add(method, path, query, reqH, reqBody, status, respH, respBody)
	}
	for _, dir := range []string{"testdata/conforming/createLinkToken", "testdata/conforming/deleteLinkToken", "testdata/violations/createLinkToken", "testdata/violations/deleteLinkToken"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".http") || strings.HasSuffix(e.Name(), recorded.RequestFileSuffix) {
				continue
			}
			exs, err := recorded.ReadHTTPFile(dir + "/" + e.Name())
			if err != nil {
				f.Fatal(err)
			}
			for _, ex := range exs {
				add(ex)
			}
		}
	}
	const create = "/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"
	const v2 = "application/vnd.atlas.2023-01-01+json"
	auth := `Authorization: Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="` + create + `", algorithm=MD5, response="{secret}", qop=auth, nc=00000001, cnonce="Y25vbmNl"` + "\n"
	f.Add("POST", create, "", auth+"Content-Type: "+v2+"\nAccept: "+v2, []byte(`{"accessListIps":["192.0.2.10"]}`), 201, "Content-Type: "+v2, []byte(`{"linkToken":"{secret}"}`))
	f.Add("POST", create, "envelope=true&pretty=true", auth+"Content-Type: "+v2+"\nAccept: "+v2, []byte(`{}`), 200, "Content-Type: "+v2, []byte(`{"status":201,"content":{"linkToken":"{secret}"}}`))
	f.Add("DELETE", create, "", "Authorization: Bearer {secret}\nAccept: "+v2, []byte(nil), 204, "", []byte(nil))
	f.Add("DELETE", strings.Replace(create, "/v2/", "/v1.0/", 1), "", "Authorization: digest {secret}\nAccept: application/json", []byte(nil), 0, "", []byte(nil))
	f.Add("GET", "/api/atlas/v2/orgs/\n/liveMigrations/linkTokens", "x=\n", "Accept: "+v2, []byte(nil), 405, "Content-Type: "+v2, []byte("{\"a\nb\":1}"))
	f.Add("POST", create, "", auth+"Content-Type: "+v2, []byte("{\"accessListIps\":[\"x\"],\"a\\nb\":{\"c\\rd\":1}}"), 400, "Content-Type: "+v2, []byte(`{"error":400,"detail":"x\ny"}`))
	f.Add("", "", "", "", []byte(nil), 201, "Content-Type: "+v2, []byte(`{"linkToken":{"x":"{secret}"}}`))
	f.Add("PATCH", "/other", "", "", []byte(nil), 200, "", []byte(nil))

	f.Fuzz(func(t *testing.T, method, path, query, reqH string, reqBody []byte, status int, respH string, respBody []byte) {
		reqHeader := fzHeader(reqH)
		for i, v := range reqHeader["Authorization"] {
			reqHeader["Authorization"][i] = strings.ReplaceAll(v, "{secret}", fzSecret)
		}
		respBody = []byte(strings.ReplaceAll(string(respBody), "{secret}", fzSecret))
		build := func() *contract.Exchange {
			ex := &contract.Exchange{Source: "fuzz"}
			if method != "" {
				ex.Request = &contract.Request{Method: method, URL: &url.URL{Path: path, RawQuery: query}, Header: reqHeader.Clone(), Body: reqBody}
			}
			if status != 0 || method == "" {
				ex.Response = &contract.Response{StatusCode: status, Header: fzHeader(respH), Body: respBody}
			}
			return ex
		}
		check := func(v *contract.Validator) (contract.Violations, bool) {
			ex := build()
			if ex.Request == nil {
				return v.CheckResponseAlone(ex), true
			}
			res, err := v.Check(ex)
			if err != nil {
				if !errors.Is(err, contract.ErrNotInContract) {
					t.Fatalf("Check: %v, not ErrNotInContract", err)
				}
				if res != nil {
					t.Fatalf("Check: %v with a result %v", err, res)
				}
				return nil, false
			}
			return res.Violations, true
		}
		mayQuoteBody := strings.Contains(fzLinkTokenSecret.ReplaceAllString(string(respBody), ""), fzSecret)
		for _, v := range []*contract.Validator{fzLax, strict} {
			vs, linkToken := check(v)
			again, linkToken2 := check(v)
			if vs.Error() != again.Error() || linkToken != linkToken2 {
				t.Fatalf("verdict changed between two checks:\n%v\n---\n%v", vs, again)
			}
			for _, x := range vs {
				line := x.Error()
				if strings.ContainsAny(line, "\r\n") {
					t.Fatalf("violation on more than one line: %q", line)
				}
				if x.Rule == "" || x.Side == "" || x.Part == "" {
					t.Fatalf("incomplete violation %q", line)
				}
				if strings.Contains(line, fzSecret) && !mayQuoteBody {
					t.Fatalf("violation copies a secret: %q", line)
				}
			}
			if got, want := strings.Count(vs.Error(), "\n"), max(len(vs)-1, 0); got != want {
				t.Fatalf("%d violations print on %d lines", len(vs), got+1)
			}
			if v == strict {
				laxVs, _ := check(fzLax)
				if len(vs) == 0 && len(laxVs) != 0 {
					t.Fatalf("strict passes what lax refuses:\n%v", laxVs)
				}
			}
		}
		// The error form agrees with the slice form.
		if method != "" {
			res, _ := strict.Check(build())
			err := strict.ValidateExchange(build())
			if res != nil && (err == nil) != (len(res.Violations) == 0) && !errors.Is(err, contract.ErrNotInContract) {
				t.Fatalf("ValidateExchange %v, Check %d violations", err, len(res.Violations))
			}
		}
	})
}
