package conform_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
	"github.com/seed-5c49e0d7/linktoken/internal/conform"
	"github.com/seed-5c49e0d7/linktoken/internal/silentserver"
)

// TestAServerThatDoesNotAnswerNeverPasses: refused, hanging and resetting
// servers are each a run that did not judge: requests without an answer
// are counted, the run stops after a few in a row, no observation is made
// up, and the verdict is not a pass.
func TestAServerThatDoesNotAnswerNeverPasses(t *testing.T) {
	svc, err := atlastest.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, how := range []string{silentserver.Refused, silentserver.Hanging, silentserver.Resetting} {
		t.Run(how, func(t *testing.T) {
			root := silentserver.Start(t, how)
			tr := &http.Transport{ResponseHeaderTimeout: 100 * time.Millisecond}
			t.Cleanup(tr.CloseIdleConnections)
			o := optionsAt(t, root, svc, tr)
			start := time.Now()
			rep, err := conform.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict == conform.VerdictPass || rep.Unanswered == 0 || rep.Checks != 0 || rep.Observations != 0 {
				t.Fatalf("verdict %s: %s", rep.Verdict, rep.Summary())
			}
			if rep.Requests > 10 || !strings.Contains(rep.Stopped, "in a row had no answer") {
				t.Errorf("went on after the server stopped answering: %s", rep.Summary())
			}
			want := conform.VerdictNoAnswer
			if how == "hanging" || how == "resetting" && rep.LeftBehind > 0 {
				// A create sent and never answered may have created a
				// link; its removal meets the same silence. (A reset may
				// come before the request is written, or after.)
				want = conform.VerdictLeftBehind
			}
			if rep.Verdict != want {
				t.Errorf("verdict %s, want %s: %s; %s", rep.Verdict, want, rep.Summary(), rep.Cleanup)
			}
			if !strings.Contains(rep.Summary(), "NOT JUDGED") && !strings.Contains(rep.Summary(), "LEFT BEHIND") {
				t.Errorf("the summary does not say why: %s", rep.Summary())
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
}

// TestAnAnswerCutShortIsNoAnswer: a server that closes the connection
// before the body its Content-Length announced is complete gave no whole
// answer: what arrived, however well it reads, is not judged as if it were.
func TestAnAnswerCutShortIsNoAnswer(t *testing.T) {
	srv, svc := serve(t, cutShort)
	rep, err := conform.Run(context.Background(), options(t, srv, svc))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict == conform.VerdictPass || rep.Unanswered == 0 {
		t.Fatalf("verdict %s: %s", rep.Verdict, rep.Summary())
	}
}

// cutShort announces ten bytes more of each body than h writes, so that
// net/http closes the connection after the body.
func cutShort(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if rec.Body.Len() > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(rec.Body.Len()+10))
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// TestARunWithoutAnyCheckDoesNotPass: a run that sends nothing (no server
// of the contract has a client) checked nothing, and says so.
func TestARunWithoutAnyCheckDoesNotPass(t *testing.T) {
	srv, svc := serve(t, nil)
	o := options(t, srv, svc)
	o.Clients = nil
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != conform.VerdictNothingChecked || !strings.Contains(rep.Summary(), "no check ran") {
		t.Fatalf("verdict %s: %s", rep.Verdict, rep.Summary())
	}
}

// TestAFailedRemovalIsLeftBehind: a server that will not remove what the
// run created (the DELETE answered 500) leaves the run's verdict at
// left-behind, whatever else passed.
func TestAFailedRemovalIsLeftBehind(t *testing.T) {
	refuseDelete := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":500,"errorCode":"UNEXPECTED_ERROR","detail":"no","reason":"Internal Server Error","parameters":null}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	srv, svc := serve(t, refuseDelete)
	o := options(t, srv, svc)
	o.MaxRequests = 60
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != conform.VerdictLeftBehind || rep.LeftBehind == 0 || !strings.Contains(rep.Cleanup, "could not remove") ||
		!strings.Contains(rep.Cleanup, "answered 500") {
		t.Fatalf("verdict %s: %s; %s", rep.Verdict, rep.Summary(), rep.Cleanup)
	}
	if _, ok := svc.LinkToken(org); !ok {
		t.Fatal("the link is gone: the test's server removed it after all")
	}
	// Two requests create one link: the one removal is said in the singular.
	o.MaxRequests = 2
	if rep, err = conform.Run(context.Background(), o); err != nil || !strings.Contains(rep.Cleanup, ": 1 of 1 removal failed; ") {
		t.Errorf("%v; cleanup %q", err, rep.Cleanup)
	}
}

// TestRefusedCredentialsMakeNoObservations: when the server accepts none
// of the run's credentials, the assumptions are not probed (an answer
// 401 says nothing about them), and the notes say so.
func TestRefusedCredentialsMakeNoObservations(t *testing.T) {
	srv, _ := serve(t, nil)
	other, err := atlastest.New() // another key pair, which srv does not know
	if err != nil {
		t.Fatal(err)
	}
	o := options(t, srv, other)
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Observations != 0 || rep.Verdict != conform.VerdictFailed {
		t.Fatalf("%d observations with refused credentials; verdict %s", rep.Observations, rep.Verdict)
	}
	for _, out := range rep.Outcomes {
		if out.Kind == conform.Probe {
			t.Errorf("probe sent: %s", out.Case)
		}
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "accepted none of the run's credentials") {
		t.Errorf("notes %q", rep.Notes)
	}
}

// TestAddedHeadersAreSentAndNeverShown: a header the user adds reaches
// the server on every request and appears in no report line.
func TestAddedHeadersAreSentAndNeverShown(t *testing.T) {
	const secret = "gateway-secret-4711"
	var mu sync.Mutex
	seen, missing := 0, 0
	count := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if r.Header.Get("X-Gateway-Key") == secret {
				seen++
			} else {
				missing++
			}
			mu.Unlock()
			h.ServeHTTP(w, r)
		})
	}
	srv, svc := serve(t, count)
	o := options(t, srv, svc)
	o.Header = http.Header{"X-Gateway-Key": {secret}}
	o.MaxRequests = 80
	rep, err := conform.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 || missing != 0 {
		t.Errorf("header on %d requests, missing on %d", seen, missing)
	}
	for _, out := range rep.Outcomes {
		if strings.Contains(out.Request+out.Replay, secret) {
			t.Fatalf("a report line carries the header's value: %s", out.Replay)
		}
	}
}

// TestAMalformedAnswerIsNotQuoted: net/http quotes the header line of an
// answer it could not parse; a server may echo a credential in one (here a
// token), and the report names the failure without the line.
func TestAMalformedAnswerIsNotQuoted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // whole, or the client may see its own write fail first
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 401 Unauthorized\r\nX-Echo: Bearer c2VjcmV0\x01\r\nContent-Length: 0\r\n\r\n")
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	svc, err := atlastest.New()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := conform.Run(context.Background(), optionsAt(t, srv.URL, svc, srv.Client().Transport))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rep.Outcomes {
		if !strings.Contains(o.Err, "malformed MIME header") || strings.Contains(o.Err, "c2VjcmV0") {
			t.Errorf("%s: %q; want the failure named, the line not quoted", o.Case, o.Err)
		}
	}
}
