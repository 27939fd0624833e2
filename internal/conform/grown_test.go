package conform_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
)

// A test copy of the contract with three more resources: widgets, which a
// POST creates and a link from its answer names the DELETE and the GET of
// (by the id in the answer); gadgets, which a POST creates and nothing
// removes.
const (
	createWidget = "createWidget"
	getWidget    = "getWidget"
	deleteWidget = "deleteWidget"
	createGadget = "createGadget"
)

// grownContract returns the grown contract as a document (what conform
// derives its requests from) and a validator (what the in-memory Atlas
// serves).
func grownContract(t *testing.T) (*openapi3.T, *contract.Validator) {
	t.Helper()
	raw, err := spec.GetSpecJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	linkTokens := paths["/orgs/{orgId}/liveMigrations/linkTokens"].(map[string]any)
	deep := func(v any) map[string]any {
		b, _ := json.Marshal(v)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return out
	}
	ref := func(s string) map[string]any { return map[string]any{"$ref": s} }
	widget := map[string]any{"type": "object", "required": []any{"id"}, "additionalProperties": false,
		"properties": map[string]any{"id": map[string]any{"type": "string", "pattern": "^[0-9a-f]{24}$", "example": "5f0c00000000000000000001"}}}
	content := func(schema any) map[string]any {
		return map[string]any{atlastest.MediaTypeV2: map[string]any{"schema": schema}, atlastest.MediaTypeV1: map[string]any{"schema": schema}}
	}
	rateHeaders := map[string]any{
		"RateLimit-Limit":     ref("#/components/headers/RateLimitLimit"),
		"RateLimit-Remaining": ref("#/components/headers/RateLimitRemaining"),
	}
	widgetID := map[string]any{"name": "widgetId", "in": "path", "required": true, "example": "5f0c00000000000000000001",
		"schema": map[string]any{"type": "string", "pattern": "^[0-9a-f]{24}$"}}

	create := deep(linkTokens["post"])
	create["operationId"] = createWidget
	created := create["responses"].(map[string]any)["201"].(map[string]any)
	created["content"] = content(widget)
	created["links"] = map[string]any{
		"remove": map[string]any{"operationId": deleteWidget, "parameters": map[string]any{"widgetId": "$response.body#/id"}},
		"read":   map[string]any{"operationId": getWidget, "parameters": map[string]any{"widgetId": "$response.body#/id"}},
	}
	paths["/orgs/{orgId}/widgets"] = map[string]any{"parameters": linkTokens["parameters"], "post": create}

	errors := map[string]any{}
	for code, name := range map[string]string{"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
		"406": "NotAcceptable", "429": "TooManyRequests", "500": "InternalServerError", "503": "ServiceUnavailable"} {
		errors[code] = ref("#/components/responses/" + name)
	}
	get := map[string]any{"operationId": getWidget, "responses": deep(errors)}
	get["responses"].(map[string]any)["200"] = map[string]any{"description": "The widget.", "headers": rateHeaders,
		"content": content(map[string]any{"oneOf": []any{widget, ref("#/components/schemas/ResponseEnvelope")}})}
	remove := deep(linkTokens["delete"])
	remove["operationId"] = deleteWidget
	paths["/orgs/{orgId}/widgets/{widgetId}"] = map[string]any{
		"parameters": append(append([]any{}, linkTokens["parameters"].([]any)...), widgetID),
		"get":        get, "delete": remove,
	}

	gadget := deep(linkTokens["post"])
	gadget["operationId"] = createGadget
	paths["/orgs/{orgId}/gadgets"] = map[string]any{"parameters": linkTokens["parameters"], "post": gadget}

	grown, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(grown)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Validate(t.Context()); err != nil {
		t.Fatal(err)
	}
	v, err := contract.New(contract.WithDocument(loaded))
	if err != nil {
		t.Fatal(err)
	}
	return loaded, v
}

// widgetStore is the state of the grown contract's handlers.
type widgetStore struct {
	mu      sync.Mutex
	next    int
	widgets map[string]bool // orgId/widgetId
	gadgets int
	reads   map[int]int // status → count of GETs of a widget
}

func (s *widgetStore) left() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.widgets {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *widgetStore) options() []atlastest.Option {
	s.widgets, s.reads = map[string]bool{}, map[int]int{}
	notFound := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Error-Code", "RESOURCE_NOT_FOUND")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":404,"errorCode":"RESOURCE_NOT_FOUND","detail":"No such widget.","reason":"Not Found","parameters":[]}`))
	}
	return []atlastest.Option{
		atlastest.WithOperationHandler(createWidget, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.next++
			id := fmt.Sprintf("%024x", s.next)
			s.widgets[r.PathValue("orgId")+"/"+id] = true
			s.mu.Unlock()
			w.Header().Set("Content-Type", atlastest.NegotiatedMediaType(r.Context()))
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%q}`, id)
		})),
		atlastest.WithOperationHandler(getWidget, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			ok := s.widgets[r.PathValue("orgId")+"/"+r.PathValue("widgetId")]
			if ok {
				s.reads[200]++
			} else {
				s.reads[404]++
			}
			s.mu.Unlock()
			if !ok {
				notFound(w)
				return
			}
			w.Header().Set("Content-Type", atlastest.NegotiatedMediaType(r.Context()))
			fmt.Fprintf(w, `{"id":%q}`, r.PathValue("widgetId"))
		})),
		atlastest.WithOperationHandler(deleteWidget, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.PathValue("orgId") + "/" + r.PathValue("widgetId")
			s.mu.Lock()
			ok := s.widgets[key]
			delete(s.widgets, key)
			s.mu.Unlock()
			if !ok {
				notFound(w)
				return
			}
			w.Header().Set("Content-Type", atlastest.NegotiatedMediaType(r.Context()))
			w.WriteHeader(http.StatusNoContent)
		})),
		atlastest.WithOperationHandler(createGadget, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.gadgets++
			s.mu.Unlock()
			w.Header().Set("Content-Type", atlastest.NegotiatedMediaType(r.Context()))
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"linkToken":"Z2FkZ2V0"}`))
		})),
	}
}

// serveGrown serves the grown contract from store, in memory, and returns
// the server, its service, and the options of a run against it: the grown
// contract, with room for every request it derives.
func serveGrown(t *testing.T, store *widgetStore) (*httptest.Server, *atlastest.Service, conform.Options) {
	t.Helper()
	doc, v := grownContract(t)
	srv, svc := serve(t, nil, append(store.options(), atlastest.WithContractValidator(v))...)
	o := options(t, srv, svc)
	o.Document, o.Validator, o.MaxRequests = doc, v, 2000
	return srv, svc, o
}

// TestCleanupCoversEveryOperationThatCreates: against a contract with
// another resource that a POST creates, the run removes every one it
// created (by the link from the create's answer to the DELETE), a
// positive GET of one reads what the run created and must be a 200, and
// an operation nothing removes is still exercised on loopback, said so.
func TestCleanupCoversEveryOperationThatCreates(t *testing.T) {
	var store widgetStore
	_, svc, o := serveGrown(t, &store)
	rep, err := conform.Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	failures(t, rep)
	if left := store.left(); len(left) > 0 {
		t.Errorf("left %d widgets behind: %v (%s)", len(left), left, rep.Cleanup)
	}
	if _, ok := svc.LinkToken(org); ok {
		t.Error("left a link behind")
	}
	if rep.Verdict != conform.VerdictPass || rep.LeftBehind != 0 {
		t.Errorf("verdict %s: %s; %s", rep.Verdict, rep.Summary(), rep.Cleanup)
	}
	gets := 0
	for _, out := range rep.Outcomes {
		if out.Kind == conform.Positive && strings.HasPrefix(out.Case, getWidget+" ") {
			gets++
			if out.Status != http.StatusOK {
				t.Errorf("%s: %d, want the widget the run created", out.Case, out.Status)
			}
		}
	}
	if gets == 0 || store.reads[200] < gets {
		t.Errorf("%d positive GETs, %d answered 200", gets, store.reads[200])
	}
	if store.gadgets == 0 || !strings.Contains(strings.Join(rep.Notes, "\n"), createGadget+" is exercised although") {
		t.Errorf("the unremovable operation on loopback: %d gadgets, notes %q", store.gadgets, rep.Notes)
	}
}

// TestUnremovableOperationNeedsConsentOffLoopback: against a host not on
// loopback, an operation whose creations the contract gives no way to
// remove is not sent at all, unless named.
func TestUnremovableOperationNeedsConsentOffLoopback(t *testing.T) {
	var store widgetStore
	srv, svc, grown := serveGrown(t, &store)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	t.Cleanup(tr.CloseIdleConnections)
	for _, allow := range []bool{false, true} {
		o := optionsAt(t, "http://atlas.example/", svc, tr)
		o.Document, o.Validator, o.MaxRequests = grown.Document, grown.Validator, grown.MaxRequests
		if allow {
			o.AllowUnremovable = []string{createGadget}
		}
		rep, err := conform.Run(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		failures(t, rep)
		notes := strings.Join(rep.Notes, "\n")
		if got := store.gadgets > 0; got != allow || allow != strings.Contains(notes, createGadget+" is exercised although") ||
			allow == strings.Contains(notes, createGadget+" not exercised") {
			t.Errorf("allowed %v: %d gadgets created, notes %q", allow, store.gadgets, notes)
		}
		if left := store.left(); len(left) > 0 || rep.Verdict != conform.VerdictPass {
			t.Errorf("allowed %v: %d widgets left, verdict %s", allow, len(left), rep.Verdict)
		}
	}
}

// failures reports every failed check and error of a run.
func failures(t *testing.T, rep *conform.Report) {
	t.Helper()
	for _, o := range rep.Outcomes {
		for _, f := range o.Failures {
			t.Errorf("%s %s: %s: %s\n  %s", o.Kind, o.Case, f.Check, f.Detail, o.Request)
		}
		if o.Err != "" {
			t.Errorf("%s: %s", o.Case, o.Err)
		}
	}
}

// TestPathParamsComeFromTheOptions: a path parameter the options name
// takes their value; one the contract does not have stops the run before
// anything is sent.
func TestPathParamsComeFromTheOptions(t *testing.T) {
	var store widgetStore
	_, _, o := serveGrown(t, &store)
	const mine = "abcdefabcdefabcdefabcdef"
	o.Params["widgetId"] = mine
	rep, err := conform.Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	used := false
	for _, out := range rep.Outcomes {
		used = used || out.Kind == conform.Positive && strings.Contains(out.Request, "DELETE") && strings.Contains(out.Request, "/widgets/"+mine)
	}
	if !used {
		t.Error("no positive DELETE of the widget named in the options")
	}
	o.Params = map[string]string{"orgId": org, "noSuchId": "1"}
	if rep, err := conform.Run(t.Context(), o); err == nil || rep != nil || !strings.Contains(err.Error(), `no parameter "noSuchId"`) {
		t.Errorf("an unknown parameter: %v", err)
	}
}
