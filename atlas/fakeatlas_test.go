package atlas_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/icholy/digest"

	"github.com/seed-5c49e0d7/linktoken/internal/secretlog"
)

// fakeAtlas is a small, scriptable Atlas for the client's unit tests: real
// digest authentication (so handshake counts are real), a bearer-token
// endpoint, and a queue of faults applied to authenticated requests. It is
// mounted under a non-empty path (/svc/) so absolute-URL bugs show.
type fakeAtlas struct {
	t       testing.TB
	srv     *httptest.Server
	public  string
	private string

	mu       sync.Mutex
	nonceGen int
	nonce    string
	oldNonce map[string]bool
	links    map[string]string
	faults   []fault
	reqs     []fakeRequest
	// notOwner answers 403 to authenticated requests (a key without the role).
	notOwner bool
	// bearer is the service-account token the fake issued, if any.
	bearer   string
	tokenReq int
}

// fakeRequest is what the fake saw of one exchange.
type fakeRequest struct {
	Method, Path, Query    string
	Accept, ContentType    string
	UserAgent, Auth        string
	Body                   string
	Status                 int
	Authorized, Challenged bool
}

// fault handles an authenticated request instead of the normal logic.
type fault func(w http.ResponseWriter, r *http.Request) int

const fakeRoot = "/svc/"

func newFakeAtlas(t testing.TB) *fakeAtlas {
	t.Helper()
	f := &fakeAtlas{t: t, public: "pubkey01", private: "0123-private-key-secret-4567",
		oldNonce: map[string]bool{}, links: map[string]string{}}
	secretlog.Record(f.private) // for the suite's secret scan (make secret-scan)
	f.rotateNonce()
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// root is the service root the client is given.
func (f *fakeAtlas) root() string { return f.srv.URL + fakeRoot }

func (f *fakeAtlas) rotateNonce() {
	if f.nonce != "" {
		f.oldNonce[f.nonce] = true
	}
	f.nonceGen++
	f.nonce = fmt.Sprintf("bm9uY2U%04d", f.nonceGen)
}

// push queues faults for the next authenticated requests, in order.
func (f *fakeAtlas) push(fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fs...)
}

// requests returns a copy of what the fake saw.
func (f *fakeAtlas) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.reqs...)
}

// count counts exchanges with the given method (all when empty).
func (f *fakeAtlas) count(method string) int {
	n := 0
	for _, r := range f.requests() {
		if method == "" || r.Method == method {
			n++
		}
	}
	return n
}

// authorizedCount counts authenticated exchanges with the given method.
func (f *fakeAtlas) authorizedCount(method string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Authorized && (method == "" || r.Method == method) {
			n++
		}
	}
	return n
}

func (f *fakeAtlas) setLink(orgID, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links[orgID] = token
}

func (f *fakeAtlas) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := fakeRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Accept: r.Header.Get("Accept"),
		ContentType: r.Header.Get("Content-Type"), UserAgent: r.Header.Get("User-Agent"),
		Auth: r.Header.Get("Authorization"), Body: string(body)}
	sw := &statusWriter{ResponseWriter: w}
	// Record on arrival (faults that hang or cut may outlive the client's
	// call); fill in the outcome when the handler ends.
	f.mu.Lock()
	idx := len(f.reqs)
	f.reqs = append(f.reqs, rec)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		rec.Status = sw.status
		f.reqs[idx] = rec
		f.mu.Unlock()
	}()

	if r.URL.Path == fakeRoot+"api/oauth/token" {
		f.issueToken(sw, r)
		return
	}
	ok, stale := f.authorized(r)
	if !ok {
		rec.Challenged = true
		f.challenge(sw, stale)
		return
	}
	rec.Authorized = true
	f.mu.Lock()
	f.reqs[idx].Authorized = true
	f.mu.Unlock()

	f.mu.Lock()
	var next fault
	if len(f.faults) > 0 {
		next, f.faults = f.faults[0], f.faults[1:]
	}
	notOwner := f.notOwner
	f.mu.Unlock()
	if next != nil {
		if next(sw, r) != 0 {
			return
		}
	}
	if notOwner {
		writeAPIError(sw, r, 403, "USER_UNAUTHORIZED", "", "The API key does not have the Organization Owner role in this organization.")
		return
	}
	f.operate(sw, r, body)
}

// authorized checks a digest or bearer Authorization header; stale reports a
// correct response to a nonce the fake no longer accepts.
func (f *fakeAtlas) authorized(r *http.Request) (ok, stale bool) {
	h := r.Header.Get("Authorization")
	f.mu.Lock()
	defer f.mu.Unlock()
	if tok, found := strings.CutPrefix(h, "Bearer "); found {
		return f.bearer != "" && tok == f.bearer, false
	}
	if !digest.IsDigest(h) {
		return false, false
	}
	cred, err := digest.ParseCredentials(h)
	if err != nil || cred.Username != f.public {
		return false, false
	}
	chal := &digest.Challenge{Realm: "MMS Public API", Nonce: cred.Nonce, Algorithm: "MD5", QOP: []string{"auth"}}
	want, err := digest.Digest(chal, digest.Options{Method: r.Method, URI: cred.URI, Count: cred.Nc, Cnonce: cred.Cnonce,
		Username: f.public, Password: f.private})
	if err != nil || want.Response != cred.Response || cred.URI != r.URL.RequestURI() {
		return false, false
	}
	if cred.Nonce != f.nonce {
		return false, f.oldNonce[cred.Nonce]
	}
	return true, false
}

func (f *fakeAtlas) challenge(w http.ResponseWriter, stale bool) {
	f.mu.Lock()
	nonce := f.nonce
	f.mu.Unlock()
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="MMS Public API", domain="", nonce="%s", algorithm=MD5, qop="auth", stale=%t`, nonce, stale))
	writeAPIError(w, nil, 401, "NOT_ORG_GROUP_CREATOR", "", "You are not authorized for this resource.")
}

// expireNonce makes the current nonce stale: the next request using it gets
// a 401 with stale=true.
func (f *fakeAtlas) expireNonce() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rotateNonce()
}

func (f *fakeAtlas) issueToken(w http.ResponseWriter, r *http.Request) {
	id, secret, _ := r.BasicAuth()
	if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" || id != "mdb_sa_id_1" || secret != "mdb_sa_sk_secret" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	f.mu.Lock()
	f.tokenReq++
	f.bearer = fmt.Sprintf("bearer-token-%d", f.tokenReq)
	tok := f.bearer
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":3600}`, tok)
}

// operate is the normal behaviour of the two operations.
func (f *fakeAtlas) operate(w http.ResponseWriter, r *http.Request, body []byte) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, fakeRoot), "/")
	// api/atlas/<v>/orgs/<id>/liveMigrations/linkTokens
	if len(parts) != 7 || parts[0] != "api" || parts[1] != "atlas" || parts[3] != "orgs" || parts[5] != "liveMigrations" || parts[6] != "linkTokens" {
		writeAPIError(w, r, 404, "RESOURCE_NOT_FOUND", "", "no such path")
		return
	}
	org := parts[4]
	media := "application/vnd.atlas.2023-01-01+json"
	if parts[2] == "v1.0" {
		media = "application/json"
	}
	switch r.Method {
	case http.MethodPost:
		var req struct {
			AccessListIps *[]string `json:"accessListIps"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.AccessListIps == nil {
			writeAPIError(w, r, 400, "VALIDATION_ERROR", "", "accessListIps is required")
			return
		}
		token := fmt.Sprintf("dG9rZW4tZm9yLW9yZy0%sLXNlY3JldC1wYXlsb2Fk", org)
		secretlog.Record(token)
		f.setLink(org, token)
		writeBody(w, r, media, 201, map[string]any{"linkToken": token})
	case http.MethodDelete:
		f.mu.Lock()
		_, ok := f.links[org]
		delete(f.links, org)
		f.mu.Unlock()
		if !ok {
			writeAPIError(w, r, 404, "UNEXPECTED_ERROR", "", "Could not find the requested external organization link.")
			return
		}
		writeBody(w, r, media+";charset=utf-8", 204, nil)
	default:
		writeAPIError(w, r, 405, "METHOD_NOT_ALLOWED", "", "method not allowed")
	}
}

func enveloped(r *http.Request) bool { return r != nil && r.URL.Query().Get("envelope") == "true" }

// writeBody sends a body, or its envelope when the request asked for one.
func writeBody(w http.ResponseWriter, r *http.Request, contentType string, status int, body any) {
	w.Header().Set("RateLimit-Limit", "500")
	w.Header().Set("RateLimit-Remaining", "498")
	if enveloped(r) {
		env := map[string]any{"status": status}
		if body != nil {
			env["content"] = body
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(200)
		_ = json.NewEncoder(w).Encode(env)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	if body != nil {
		_ = json.NewEncoder(w).Encode(body)
	}
}

// writeAPIError sends an Atlas ApiError; retryAfter "" sends no header.
func writeAPIError(w http.ResponseWriter, r *http.Request, status int, code, retryAfter, detail string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("X-Error-Code", code)
	writeBody(w, r, "application/json", status, map[string]any{
		"error": status, "errorCode": code, "detail": detail, "reason": http.StatusText(status), "parameters": nil,
	})
}

// Faults.

func failWith(status int, code, retryAfter string) fault {
	return func(w http.ResponseWriter, r *http.Request) int {
		writeAPIError(w, r, status, code, retryAfter, "injected "+http.StatusText(status))
		return status
	}
}

func rawResponse(status int, contentType, body string) fault {
	return func(w http.ResponseWriter, _ *http.Request) int {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return status
	}
}

// hang never answers; the client's timeout (or context) ends the exchange.
func hang() fault {
	return func(w http.ResponseWriter, r *http.Request) int {
		<-r.Context().Done()
		return -1
	}
}

// cut closes the connection without an answer.
func cut() fault {
	return func(w http.ResponseWriter, _ *http.Request) int {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return -1
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type (
	responseWriter = http.ResponseWriter
	request        = *http.Request
)
