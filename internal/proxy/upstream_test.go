package proxy

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// TestAnAnswerCutShortIsNotJudgedWhole: an upstream that closes the
// connection before the body its Content-Length announced is complete
// gave no whole answer, however well what came reads: the exchange counts
// as one that could not be judged, never as conforming.
func TestAnAnswerCutShortIsNotJudgedWhole(t *testing.T) {
	// One JSON text that conforms, then the connection closes 100 bytes
	// short.
	upstream := rawUpstream(t, "HTTP/1.1 201 Created\r\nContent-Type: "+testMedia+"\r\nContent-Length: 124\r\n\r\n"+`{"linkToken":"c2VjcmV0"}`)
	p, addr := serving(t, upstream.URL, Config{})
	resp := postCreate(t, addr)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	waitFor(func() bool { return p.Stats().Checked+p.Stats().Unjudged() > 0 })
	if st := p.Stats(); st.Unjudged() != 1 {
		t.Errorf("stats %+v: want the exchange counted as not judged", st)
	}
}

// TestTheVerdictIsTheProxysOwn: verdict headers an upstream sends itself
// never reach the client beside the proxy's: a conforming exchange
// carries no violation line and no notice count but the proxy's.
func TestTheVerdictIsTheProxysOwn(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(HeaderViolation, "response body: forged")
		w.Header().Set(HeaderNotices, "7")
		w.Header().Set("Content-Type", testMedia)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"linkToken":"c2VjcmV0"}`)
	}))
	t.Cleanup(upstream.Close)
	_, addr := serving(t, upstream.URL, Config{})
	resp := postCreate(t, addr)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Header.Get(HeaderViolations) != "0" || resp.Header.Values(HeaderViolation) != nil || resp.Header.Get(HeaderNotices) != "" {
		t.Errorf("verdict headers %q %q %q; want 0 violations and nothing forged",
			resp.Header.Get(HeaderViolations), resp.Header.Values(HeaderViolation), resp.Header.Get(HeaderNotices))
	}
}

// TestAPassedThroughAnswerIsLoggedByItsFinalStatus: an informational
// response (103 Early Hints) the upstream sends before its answer to a
// request outside the contract is not that answer's status in the log.
func TestAPassedThroughAnswerIsLoggedByItsFinalStatus(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(upstream.Close)
	var log syncBuffer
	p, addr := serving(t, upstream.URL, Config{Log: &log})
	resp, err := http.Get("http://" + addr + "/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(func() bool { return p.Stats().Passed > 0 && strings.Contains(log.String(), "passed through") })
	if !strings.Contains(log.String(), "GET /elsewhere 418 ") {
		t.Errorf("log %q; want the answer's status, 418", log.String())
	}
}

// syncBuffer is a log the proxy writes from its handlers' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAnUpstreamsMalformedHeaderIsNotQuoted: net/http quotes the header
// line it could not parse, and the upstream's may hold a secret (a token
// echoed back); the log names the failure without the line.
func TestAnUpstreamsMalformedHeaderIsNotQuoted(t *testing.T) {
	upstream := rawUpstream(t, "HTTP/1.1 201 Created\r\nX-Echo: Bearer c2VjcmV0\x01\r\nContent-Length: 0\r\n\r\n")
	var log syncBuffer
	p, addr := serving(t, upstream.URL, Config{Log: &log})
	resp := postCreate(t, addr)
	resp.Body.Close()
	waitFor(func() bool { return p.Stats().Unanswered > 0 && strings.Contains(log.String(), "did not answer") })
	if s := log.String(); !strings.Contains(s, "malformed MIME header") || strings.Contains(s, "c2VjcmV0") {
		t.Errorf("log %q; want the failure named, the line not quoted", s)
	}
}

// rawUpstream answers every request with response, byte for byte, and
// closes the connection.
func rawUpstream(t *testing.T, response string) *httptest.Server {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request is read whole first: a reply and close while the
		// client still writes its body makes the client see its own write
		// fail, not the reply (a flake in CI).
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString(response)
		_ = buf.Flush()
	}))
	t.Cleanup(upstream.Close)
	return upstream
}

// TestAnAnswerCutShortIsRecordedAsPart: the archive of an answer whose body
// broke off says so as HAR says it, by a content.size larger than the text
// it holds, so that linktoken check reports the body as not judged rather
// than judging the part that came as whole; with a Content-Length the size
// is what it declared beyond what came, without one a byte more.
func TestAnAnswerCutShortIsRecordedAsPart(t *testing.T) {
	const part = `{"linkToken":"c2VjcmV0"}` // conforming, 24 bytes
	for _, tc := range []struct {
		name, response string
		missing        int
	}{
		{"Content-Length", "Content-Length: 124\r\n\r\n" + part, 100},
		{"chunked", "Transfer-Encoding: chunked\r\n\r\n18\r\n" + part + "\r\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upstream := rawUpstream(t, "HTTP/1.1 201 Created\r\nContent-Type: "+testMedia+"\r\n"+tc.response)
			har, path := newTestHAR(t)
			p, addr := serving(t, upstream.URL, Config{HAR: har})
			resp := postCreate(t, addr)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if !waitFor(func() bool { s := p.Stats(); return s.Cut == 1 && s.InFlight == 0 }) {
				t.Fatalf("stats %+v: the exchange was not counted as cut and recorded", p.Stats())
			}
			// The live verdict says it too: the part that came conforms,
			// and is not the answer.
			if got := resp.Header.Get(HeaderViolation); !strings.Contains(got, contract.RuleBodyTooLarge) || p.Stats().Broke != 0 || p.Stats().Unjudged() != 1 {
				t.Errorf("verdict header %q, stats %+v: want the cut body not judged (no verdict, not broke)", got, p.Stats())
			}
			entry, rep := readBack(t, har, path)
			// The part as recorded (redacted), and the size beside it.
			content := entry.Response.Content
			held := len(content.Text)
			if content.Size != held+tc.missing || !json.Valid([]byte(content.Text)) {
				t.Errorf("content.size %d beside %q; want %d more than the text", content.Size, content.Text, tc.missing)
			}
			want := fmt.Sprintf("%d bytes as recorded, of which the archive holds %d (not judged)", held+tc.missing, held)
			if rep.OK() || len(rep.Violations) != 1 || rep.Violations[0].Rule != contract.RuleBodyTooLarge || rep.Violations[0].Found != want {
				t.Errorf("violations %v; want the response body not judged: %q", rep.Violations, want)
			}
		})
	}
}

// readBack closes the archive har writes to path, and returns its one
// entry and linktoken check's report on it.
func readBack(t *testing.T, har *HARWriter, path string) (harEntry, *recorded.Report) {
	t.Helper()
	if err := har.Close(); err != nil {
		t.Fatal(err)
	}
	var rep recorded.Report
	if err := recorded.CheckFile(contract.MustNew(), &rep, path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var archive struct {
		Log struct{ Entries []harEntry }
	}
	if err := json.Unmarshal(data, &archive); err != nil || len(archive.Log.Entries) != 1 {
		t.Fatalf("archive %s: %v", data, err)
	}
	return archive.Log.Entries[0], &rep
}

// TestABodyNotHeldIsRecordedAsNotHeld: an answer the proxy did not hold,
// for want of room (Limits.MaxBuffered: passed on with no verdict) or over
// the cap (MaxBody: a body-size violation), is recorded as not there, by a
// content.size larger than the (empty) text, as a body that broke off is:
// linktoken check reports it not judged, where it judged a 201 without a
// body. The size is what the Content-Length declared; without one, a byte
// (unchecked) or the cap and a byte (over it).
func TestABodyNotHeldIsRecordedAsNotHeld(t *testing.T) {
	big := `{"linkToken":"` + strings.Repeat("A", 4000) + `"}`
	for _, tc := range []struct {
		name     string
		c        Config
		declared bool // the upstream sends a Content-Length
		size     int
		flag     string // named by the record's comment
	}{
		{"unchecked, Content-Length", Config{Limits: Limits{MaxBuffered: 1000}}, true, len(big), "--max-buffered-bytes"},
		{"unchecked, chunked", Config{Limits: Limits{MaxBuffered: 1000}}, false, 1, "--max-buffered-bytes"},
		{"over the cap, Content-Length", Config{MaxBody: 1000}, true, len(big), "--max-body-bytes"},
		{"over the cap, chunked", Config{MaxBody: 1000}, false, 1001, "--max-body-bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", testMedia)
				if tc.declared {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				}
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, big)
			}))
			t.Cleanup(upstream.Close)
			har, path := newTestHAR(t)
			tc.c.HAR = har
			p, addr := serving(t, upstream.URL, tc.c)
			resp := postCreate(t, addr)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// Not held, or over the cap: no verdict either way, never "broke".
			if !waitFor(func() bool { s := p.Stats(); return s.Unjudged() == 1 && s.Broke == 0 && s.InFlight == 0 }) {
				t.Fatalf("stats %+v: the exchange was not counted as not judged and recorded", p.Stats())
			}
			entry, rep := readBack(t, har, path)
			content := entry.Response.Content
			if entry.Response.Status != http.StatusCreated || content.Size != tc.size || content.Text != "" ||
				!strings.Contains(content.Comment, tc.flag) {
				t.Errorf("response %+v; want 201, content.size %d, no text, a comment naming %s", entry.Response, tc.size, tc.flag)
			}
			// The one finding: nothing was held, so no other is about the
			// answer (a "required: no body" would be the recorder's doing).
			want := plural.Count(tc.size, "byte") + " as recorded, of which the archive holds 0 (not judged)"
			if len(rep.Violations) != 1 || rep.Violations[0].Rule != contract.RuleBodyTooLarge || rep.Violations[0].Found != want {
				t.Errorf("violations %v; want only the response body not judged: %q", rep.Violations, want)
			}
		})
	}
}

// TestARequestBodyOverTheCapIsRecordedAsNotHeld: a request body over
// MaxBody, a body-size violation live, is recorded without postData and
// with a bodySize larger than nothing, so linktoken check reports that
// body not judged, as the proxy did, rather than a create without a body.
func TestARequestBodyOverTheCapIsRecordedAsNotHeld(t *testing.T) {
	har, path := newTestHAR(t)
	p, addr := serving(t, createdUpstream(t).URL, Config{MaxBody: 100, HAR: har})
	body := `{"accessListIps":["` + strings.Repeat("192.0.2.10\",\"", 30) + `192.0.2.10"]}`
	resp := postCreateBody(t, addr, body)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !waitFor(func() bool { s := p.Stats(); return s.TooLarge == 1 && s.Broke == 0 && s.InFlight == 0 }) {
		t.Fatalf("stats %+v: the exchange was not counted as not judged and recorded", p.Stats())
	}
	entry, rep := readBack(t, har, path)
	if entry.Request.PostData != nil || entry.Request.BodySize != len(body) {
		t.Errorf("request postData %v, bodySize %d; want none and %d", entry.Request.PostData, entry.Request.BodySize, len(body))
	}
	want := plural.Count(len(body), "byte") + " as recorded, of which the archive holds 0 (not judged)"
	if len(rep.Violations) != 1 || rep.Violations[0].Side != contract.SideRequest || rep.Violations[0].Rule != contract.RuleBodyTooLarge || rep.Violations[0].Found != want {
		t.Errorf("violations %v; want only the request body not judged: %q", rep.Violations, want)
	}
}

// TestACORSPreflightIsPassedThrough: a browser's preflight (OPTIONS with
// Access-Control-Request-Method) to a path of the contract is passed on
// unjudged, with --enforce too, as check skips it in a recording: it is no
// client calling an undeclared method.
func TestACORSPreflightIsPassedThrough(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Methods", "POST, DELETE")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(upstream.Close)
	for _, enforce := range []bool{false, true} {
		p, addr := serving(t, upstream.URL, Config{Enforce: enforce})
		req, err := http.NewRequest(http.MethodOptions, "http://"+addr+"/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", "https://app.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		waitFor(func() bool { return p.Stats().Passed > 0 })
		if st := p.Stats(); resp.StatusCode != http.StatusNoContent || st.Passed != 1 || st.Checked != 0 || st.Broke != 0 {
			t.Errorf("enforce %v: %d, stats %+v; want the upstream's 204, passed through, nothing judged", enforce, resp.StatusCode, st)
		}
	}
}
