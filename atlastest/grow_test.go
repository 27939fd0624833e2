package atlastest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
	"github.com/seed-5c49e0d7/linktoken/generated/server"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
	"github.com/seed-5c49e0d7/linktoken/internal/growncontract"
	"github.com/seed-5c49e0d7/linktoken/internal/proxy"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

// The service grows with the contract: an operation added to the contract
// is served once it has a handler, and the service's pipeline learns the
// rest from the contract. The grown contract (internal/growncontract) adds
// the next steps of a push live migration, realistically unlike the
// link-token operations: their own resource version (2024-05-30), bodies
// with a status member, a property with a default, two patterned path
// parameters, a GET answering 200, and v2 only through servers on their
// path items.

// grownContract is the validator of the grown contract.
func grownContract(t *testing.T) (*contract.Validator, *openapi3.T) {
	t.Helper()
	specformats.Register()
	doc, err := growncontract.Doc()
	if err != nil {
		t.Fatal(err)
	}
	v, err := contract.New(contract.WithDocument(doc))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := growncontract.Doc() // the case generator's own copy
	if err != nil {
		t.Fatal(err)
	}
	return v, cases
}

// migrations is the grown operations' handlers: all a maintainer writes
// for them in atlastest.
type migrations struct {
	mu     sync.Mutex
	byID   map[string]map[string]any // by group and id
	params []string                  // groupId/liveMigrationId each handler read
}

func (m *migrations) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClusterName string `json:"clusterName"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError) // validated before: cannot happen
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	group := r.PathValue("groupId")
	m.params = append(m.params, group)
	mig := map[string]any{"id": growncontract.MigrationID, "status": "NEW", "clusterName": req.ClusterName}
	m.byID[group+"/"+growncontract.MigrationID] = mig
	w.Header().Set("Content-Type", atlastest.NegotiatedMediaType(r.Context()))
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(mig)
}

func (m *migrations) get(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	group, id := r.PathValue("groupId"), r.PathValue("liveMigrationId")
	m.params = append(m.params, group+"/"+id)
	mig, ok := m.byID[group+"/"+id]
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Error-Code", atlastest.CodeResourceNotFound)
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": 404, "errorCode": atlastest.CodeResourceNotFound,
			"detail": "No such migration.", "reason": "Not Found"})
		return
	}
	w.Header().Set("Content-Type", atlastest.NegotiatedMediaType(r.Context()))
	_ = json.NewEncoder(w).Encode(mig)
}

// TestAnOperationAddedToTheContractNeedsOnlyItsHandler serves the grown
// contract with only the new operations' handlers added, and runs on it
// everything that claims to be generic: the contract check on the wire
// (contract.Transport, on every exchange below), the service's pipeline
// (authenticated, rate limited, negotiated by the operation's own resource
// version, validated, enveloped, served on v2 only, counted and logged),
// conform with the cases derived from the grown contract, and the check
// of the recorded archive (contract.CheckFile, what linktoken check runs).
// The contract check against plain openapi3filter on the grown contract is
// contract's TestAGrownContractIsJudgedAsPlainOpenapi3filterJudgesIt.
func TestAnOperationAddedToTheContractNeedsOnlyItsHandler(t *testing.T) {
	v, doc := grownContract(t)
	if _, err := atlastest.New(atlastest.WithContractValidator(v)); err == nil ||
		!strings.Contains(err.Error(), growncontract.CreateOp) || !strings.Contains(err.Error(), growncontract.GetOp) {
		t.Fatalf("contract operations without a handler: err = %v, want one naming both", err)
	}
	if _, err := atlastest.New(atlastest.WithOperationHandler("noSuchOperation", http.NotFoundHandler())); err == nil ||
		!strings.Contains(err.Error(), "noSuchOperation") {
		t.Fatalf("a handler for no operation: err = %v", err)
	}

	var (
		calls atomic.Int32
		log   exchangeLog
		rec   recorder
	)
	m := &migrations{byID: map[string]map[string]any{}}
	counted := func(h http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1); h(w, r) })
	}
	srv := testatlas.NewServer(t, atlastest.WithContractValidator(v), log.option(),
		atlastest.WithOperationHandler(growncontract.CreateOp, counted(m.create)),
		atlastest.WithOperationHandler(growncontract.GetOp, counted(m.get)))
	wire := &checkedTransport{t: t, v: v, base: &rec}
	rec.base = http.DefaultTransport.(*http.Transport).Clone()
	authed := &http.Client{Transport: atlas.NewDigestTransport(srv.PublicKey(), srv.PrivateKey(), wire), Timeout: hsDeadline}
	plain := &http.Client{Transport: wire, Timeout: hsDeadline}
	const (
		group     = growncontract.GroupID
		created   = "/groups/" + group + "/liveMigrations"
		migration = created + "/" + growncontract.MigrationID
		served    = growncontract.MediaType + ";charset=utf-8"
		body      = `{"clusterName":"Cluster0","dropDestinationData":null}`
	)
	do := func(c *http.Client, method, url, accept, ctype, body string) (*http.Response, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+url, rd)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, strings.TrimSpace(string(b))
	}
	v2, v1 := atlastest.BasePathV2, atlastest.BasePathV1
	const mig = `{"clusterName":"Cluster0","id":"` + growncontract.MigrationID + `","status":"NEW"}`
	for _, tc := range []struct {
		name                string
		client              *http.Client
		method, url         string
		accept, ctype, body string
		status              int
		rctype, rbody       string
		header              string // "Name: value" the response must carry
	}{
		{"create: its own resource version, a null for a default", authed, "POST", v2 + created, growncontract.MediaType, "application/json", body,
			201, served, mig, ""},
		{"create: the versioned request type", authed, "POST", v2 + created, growncontract.MediaType, growncontract.MediaType, `{"clusterName":"Cluster0"}`,
			201, served, mig, ""},
		{"create: a later version date gets the newest version", authed, "POST", v2 + created, "application/vnd.atlas.2025-03-12+json", "application/json", body,
			201, served, mig, ""},
		{"create: a version before the resource's first", authed, "POST", v2 + created, "application/vnd.atlas.2023-01-01+json", "application/json", body,
			406, "application/json", "", "X-Error-Code: " + atlastest.CodeInvalidVersionDate},
		{"create: validated (no clusterName)", authed, "POST", v2 + created, growncontract.MediaType, "application/json", `{"dropDestinationData":true}`,
			400, "application/json", "", "X-Error-Code: " + atlastest.CodeValidation},
		{"get: answers 200 with the status member", authed, "GET", v2 + migration, growncontract.MediaType, "", "",
			200, served, mig, ""},
		{"get: enveloped", authed, "GET", v2 + migration + "?envelope=true", growncontract.MediaType, "", "",
			200, served, `{"status":200,"content":` + mig + `}`, ""},
		{"get: a second patterned parameter, validated", authed, "GET", v2 + created + "/XYZ", growncontract.MediaType, "", "",
			400, "application/json", "", "X-Error-Code: " + atlastest.CodeValidation},
		{"get: an unknown migration, the handler's own 404", authed, "GET", v2 + created + "/" + strings.Repeat("0", 24), growncontract.MediaType, "", "",
			404, "application/json", "", "X-Error-Code: " + atlastest.CodeResourceNotFound},
		{"get: v2 only (servers on its path item)", authed, "GET", v1 + migration, "application/json", "", "",
			404, "application/json", "", ""},
		{"a method the path does not declare", authed, "PUT", v2 + migration, growncontract.MediaType, "", "",
			405, "application/json", "", "Allow: GET"},
		{"unauthenticated", plain, "GET", v2 + migration, growncontract.MediaType, "", "",
			401, "application/json", "", "RateLimit-Limit: 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			res, got := do(tc.client, tc.method, tc.url, tc.accept, tc.ctype, tc.body)
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != tc.rctype {
				t.Fatalf("%d %s %s, want %d %s", res.StatusCode, res.Header.Get("Content-Type"), got, tc.status, tc.rctype)
			}
			if tc.rbody != "" && got != tc.rbody {
				t.Errorf("body %s, want %s", got, tc.rbody)
			}
			if name, value, ok := strings.Cut(tc.header, ": "); ok && res.Header.Get(name) != value {
				t.Errorf("%s: %q, want %q", name, res.Header.Get(name), value)
			}
			reached := calls.Load() > before
			if want := tc.status < 300 || tc.status == http.StatusNotFound && strings.HasPrefix(tc.url, v2); reached != want {
				t.Errorf("the handler ran: %v, want %v", reached, want)
			}
		})
	}
	st := srv.Stats()
	if st.Count(growncontract.CreateOp, 201) != 3 || st.Count(growncontract.GetOp, 200) != 2 {
		t.Errorf("Stats: %v", st.Requests)
	}
	var logged int
	for _, x := range log.exchanges() {
		if x.Operation == growncontract.GetOp && x.Status == 200 && x.PathParams["liveMigrationId"] == growncontract.MigrationID {
			logged++
		}
	}
	if logged != 2 {
		t.Errorf("%d exchanges of %s logged with 200 and its path parameters, want 2", logged, growncontract.GetOp)
	}
	m.mu.Lock()
	if len(m.params) != 6 || m.params[3] != group+"/"+growncontract.MigrationID {
		t.Errorf("the handlers read %v", m.params)
	}
	m.mu.Unlock()

	t.Run("conform", func(t *testing.T) {
		client, err := atlas.NewClient(atlas.WithBaseURL(srv.URL()), atlas.WithDigest(srv.PublicKey(), srv.PrivateKey()))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := conform.Run(t.Context(), conform.Options{
			Root: srv.URL(), Clients: map[string]*http.Client{v2: client.HTTPClient()}, Raw: &http.Client{Timeout: hsDeadline},
			Params: map[string]string{"orgId": orgA, "groupId": group}, Seed: 1, MaxRequests: 2000,
			Validator: v, Document: doc, Sleep: func(context.Context, time.Duration) error { return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		var grown int
		for _, o := range rep.Outcomes {
			if strings.Contains(o.Case, growncontract.CreateOp) || strings.Contains(o.Case, growncontract.GetOp) {
				grown++
			}
			for _, f := range o.Failures {
				t.Errorf("conform: %s: %s: %s", o.Case, f.Check, f.Detail)
			}
		}
		t.Logf("%s; %d of the grown operations", rep.Summary(), grown)
		if grown < 20 || rep.Truncated {
			t.Errorf("conform sent %d requests of the grown operations (truncated: %v)", grown, rep.Truncated)
		}
	})

	t.Run("proxy", func(t *testing.T) {
		grown, err := growncontract.Doc()
		if err != nil {
			t.Fatal(err)
		}
		up, err := proxy.ParseUpstream(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		p, err := proxy.New(proxy.Config{Upstream: up, Enforce: true, Document: grown})
		if err != nil {
			t.Fatal(err)
		}
		front := httptest.NewServer(p)
		defer front.Close()
		through := &http.Client{Transport: atlas.NewDigestTransport(srv.PublicKey(), srv.PrivateKey(), nil), Timeout: hsDeadline}
		send := func(method, path, ctype, body string) int {
			t.Helper()
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, err := http.NewRequestWithContext(t.Context(), method, front.URL+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", growncontract.MediaType)
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			res, err := through.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode
		}
		if got := send("POST", v2+created, "application/json", body); got != 201 {
			t.Errorf("create through the proxy: %d, want 201", got)
		}
		if got := send("GET", v2+migration, "", ""); got != 200 {
			t.Errorf("get through the proxy: %d, want 200", got)
		}
		// Enforced: a body the grown operation refuses never reaches it.
		before := calls.Load()
		if got := send("POST", v2+created, "application/json", `{"dropDestinationData":true}`); got != 400 || calls.Load() != before {
			t.Errorf("a create without clusterName through --enforce: %d, handler reached %v", got, calls.Load() != before)
		}
		// The proxy answers before it counts (its log line and recording
		// come after the flush), so the last exchange is counted a moment
		// after its answer arrives.
		st := p.Stats()
		for deadline := time.Now().Add(hsDeadline); st.Broke == 0 && time.Now().Before(deadline); st = p.Stats() {
			time.Sleep(time.Millisecond)
		}
		if st.Checked < 3 || st.Broke != 1 || st.Passed != 0 || st.Unknown != 0 {
			t.Errorf("proxy stats %+v: want the grown operations checked (one broken), none passed as unknown", st)
		}
	})

	t.Run("check a recorded archive", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "grown.har")
		n := rec.writeHAR(t, path)
		var r recorded.Report
		if err := recorded.CheckFile(v, &r, path); err != nil {
			t.Fatal(err)
		}
		// Skipped: the GET on v1.0 (and a challenge there, unless the
		// digest transport had one), which is not the contract's there.
		// Violations: only the requests the test broke on purpose, each
		// refused with a 4xx.
		if r.Exchanges+r.Skipped != n || r.Skipped == 0 || r.Skipped > 2 || r.Conform < n-6 {
			t.Errorf("%d recorded: %d checked (%d conform), %d skipped: %s", n, r.Exchanges, r.Conform, r.Skipped, r.Summary())
		}
		for _, x := range r.Violations {
			if x.Side != contract.SideRequest || !strings.Contains(x.Exchange, "→ 4") {
				t.Errorf("check: %v", &x)
			}
		}
	})
}

// TestNoOperationLiteralInThePlumbing: outside the files that implement
// or name the operations, no identifier or string of the service's code
// names an operation, its path, its parameters or its media types. The
// pipeline learns them from the contract; a new operation needs no edit
// there (see TestAnOperationAddedToTheContractNeedsOnlyItsHandler).
func TestNoOperationLiteralInThePlumbing(t *testing.T) {
	findings, checked, implementing := plumbingLiterals(t, ".")
	for _, f := range findings {
		t.Error(f)
	}
	if checked < 10 || implementing == 0 {
		t.Fatalf("only %d files checked; %d implement an operation", checked, implementing)
	}
}

// TestAHandlerInAFileOfItsOwnIsNoPlumbing: a new operation's handler in a
// file of its own may name its operation; a plumbing file may not, and is
// told where such code belongs.
func TestAHandlerInAFileOfItsOwnIsNoPlumbing(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"migrations.go": "package atlastest\n\nconst migrationsPath = \"/orgs/{orgId}/liveMigrations\"\n\n" +
			"func (s *svc) CreateLinkToken() string { return migrationsPath }\n",
		"pipeline.go": "package atlastest\n\nconst p = \"/orgs/{orgId}/liveMigrations\"\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	findings, checked, implementing := plumbingLiterals(t, dir)
	if checked != 1 || implementing != 1 || len(findings) == 0 {
		t.Fatalf("%d checked, %d implementing, findings %q", checked, implementing, findings)
	}
	for _, f := range findings {
		if !strings.HasPrefix(f, filepath.Join(dir, "pipeline.go")) || !strings.Contains(f, "StrictServerInterface") {
			t.Errorf("finding %q: want pipeline.go only, saying where operation code belongs", f)
		}
	}
}

// plumbingLiterals lists, for the non-test Go files of dir that implement
// no operation, each identifier or literal that names one of the
// contract's operations, paths, path parameters, resource versions or
// body schemas.
func plumbingLiterals(t *testing.T, dir string) (findings []string, checked, implementing int) {
	t.Helper()
	// A file that implements an operation (declares a method of the
	// generated strict interface) is an operation file however it is
	// named: a new operation's handler may have a file of its own.
	strict := reflect.TypeFor[server.StrictServerInterface]()
	implements := func(f *ast.File) bool {
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil {
				if _, ok := strict.MethodByName(fn.Name.Name); ok {
					return true
				}
			}
		}
		return false
	}
	operationFiles := map[string]bool{
		"token.go": true, // the link-token it mints
		"names.go": true, // the names the contract gives, for callers
	}
	forbidden := contractWords(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || operationFiles[filepath.Base(name)] {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution) // comments dropped: prose may name them
		if err != nil {
			t.Fatal(err)
		}
		if implements(f) {
			implementing++
			continue
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			var lit string
			switch n := n.(type) {
			case *ast.ImportSpec:
				return false // the module's own path names it
			case *ast.Ident:
				lit = n.Name
			case *ast.BasicLit:
				lit = n.Value
			default:
				return true
			}
			for _, bad := range forbidden {
				if strings.Contains(strings.ToLower(lit), bad) {
					findings = append(findings, fmt.Sprintf("%s: %s names an operation (%q): the plumbing must learn it from the contract "+
						"(a file that implements an operation, a method of the generated server.StrictServerInterface, may name it; "+
						"put what serves one operation in such a file)", fset.Position(n.Pos()), lit, bad))
				}
			}
			return true
		})
	}
	return findings, checked, implementing
}

// contractWords are the words, lower case, that name the contract's
// operations: operationIds, literal path segments, path parameters,
// resource versions and success bodies' schemas; and the Go names
// atlastest gives them and its API versions.
func contractWords(t *testing.T) []string {
	t.Helper()
	doc, err := spec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	// Today's words beside the derived ones: the derived catch a new
	// operation's, these the names the link-token ones go by in Go.
	words := map[string]bool{"basepathv": true, "mediatypev": true, "linktoken": true, "livemigration": true, "targetorg": true}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, seg := range strings.Split(path, "/") {
			switch {
			case strings.HasPrefix(seg, "{"):
				words[strings.ToLower(strings.Trim(seg, "{}"))] = true // orgId
			case seg != "":
				words["/"+strings.ToLower(seg)] = true // "/orgs" in a literal path
			}
		}
		for _, op := range item.Operations() {
			words[strings.ToLower(op.OperationID)] = true
			var content []openapi3.Content
			if op.RequestBody != nil {
				content = append(content, op.RequestBody.Value.Content)
			}
			for key, r := range op.Responses.Map() {
				if strings.HasPrefix(key, "2") { // error bodies are every operation's
					content = append(content, r.Value.Content)
				}
			}
			for _, c := range content {
				for mt, m := range c {
					if i := strings.Index(mt, "atlas."); i >= 0 && strings.HasSuffix(mt, "+json") {
						words[mt[i+len("atlas."):len(mt)-len("+json")]] = true
					}
					if m.Schema != nil && m.Schema.Ref != "" && !strings.HasSuffix(m.Schema.Ref, "/ResponseEnvelope") {
						words[strings.ToLower(m.Schema.Ref[strings.LastIndex(m.Schema.Ref, "/")+1:])] = true
					}
				}
			}
		}
	}
	out := make([]string, 0, len(words))
	for w := range words {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}
