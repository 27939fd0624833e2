package recorded_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// strict is the check command's validator under --strict.
var strict = contract.MustNew(contract.Strict())

func TestReadHARCountsAndSkips(t *testing.T) {
	var buf bytes.Buffer
	lt, ok, other, err := writeHAR(&buf, harMix{Entries: 40})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "traffic.har")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var rep recorded.Report
	if err := recorded.CheckFile(strict, &rep, path); err != nil {
		t.Fatal(err)
	}
	if rep.Exchanges != lt || rep.Conform != ok || rep.Skipped != other || rep.Count != lt-ok {
		t.Errorf("report %+v; want %d exchanges, %d conform, %d skipped", rep, lt, ok, other)
	}
	for _, v := range rep.Violations {
		if !strings.HasPrefix(v.Exchange, path+"#") || v.Pointer != "/linkToken" {
			t.Errorf("unexpected violation %v", v)
		}
	}
}

func TestReadHARMalformed(t *testing.T) {
	for name, tc := range map[string]struct{ har, want string }{
		"not json":          {`<html>`, "byte"},
		"not an object":     {`[]`, "not a HAR archive"},
		"no log":            {`{"version":"1.2"}`, `no "log.entries"`},
		"no entries":        {`{"log":{"version":"1.2"}}`, `no "log.entries"`},
		"log a number":      {`{"log":5}`, "/log: expected an object, found a number"},
		"an entry a number": {`{"log":{"entries":[1]}}`, "entry 0: a number is not what HAR 1.2 has there"},
		"headers an object": {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/","headers":{}}}]}}`, "entry 0: /request/headers: an object is not what HAR 1.2 has there"},
		"entries an object": {`{"log":{"entries":{}}}`, "/log/entries: expected an array, found an object"},
		"truncated":         {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"}}`, "unexpected EOF"},
		"bad entry":         {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"}}, {"request":5}]}}`, "entry 1"},
		"no url":            {`{"log":{"entries":[{"request":{"method":"GET"}}]}}`, "entry 0: request without method or url"},
		"bad base64":        {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},"response":{"status":200,"content":{"text":"!!","encoding":"base64"}}}]}}`, "entry 0: response content"},
		"data after":        {`{"log":{"entries":[]}} {}`, "data after the archive"},
		"status a fraction": {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},"response":{"status":200.5}}]}}`, "entry 0: response: status: 200.5 is not an integer"},
		"status a string":   {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},"response":{"status":"200"}}]}}`, "entry 0: response: status: expected a number, found a string"},
		"bad escape":        {`{"log":{"entries":[{"request":{"method":"G\qT","url":"https://x/"}}]}}`, "entry 0, byte 42: invalid escape sequence in string"},
		"duplicate names":   {`{"log":{"entries":[{"request":{"method":"GET","method":"PUT","url":"https://x/"}}]}}`, `entry 0: /request: duplicate object member name "method"`},
		"invalid UTF-8":     {"{\"log\":{\"entries\":[{\"request\":{\"method\":\"G\xffT\",\"url\":\"https://x/\"}}]}}", "entry 0: /request/method: invalid UTF-8"},
		"control character": {"{\"log\":{\"entries\":[{\"request\":{\"method\":\"G\nT\"}}]}}", `invalid character '\n' in string`},
		"unused and broken": {`{"x":[1,}],"log":{"entries":[]}}`, "byte 7: invalid character ','"},
		"unused and deep":   {`{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `,"log":{"entries":[]}}`, "exceeded max depth"},
	} {
		t.Run(name, func(t *testing.T) {
			err := recorded.ReadHAR(strings.NewReader(tc.har), "x.har", func(*contract.Exchange) error { return nil })
			var ie *recorded.InputError
			if !errors.As(err, &ie) || ie.Source != "x.har" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an InputError mentioning %q", err, tc.want)
			}
		})
	}
}

func TestReadHARSkipsUnknownFieldsAndDecodesBase64(t *testing.T) {
	// A byte order mark, as some Windows tools write, is fine.
	har := "\uFEFF" + `{"x":{"deep":[1,{"a":[]}]},"log":{"pages":[{"id":"p"}],"creator":{"name":"n"},"entries":[
	{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
	  "headers":[{"name":"authorization","value":"Bearer abc"},{"name":":authority","value":"cloud.mongodb.com"}]},
	 "response":{"status":404,"headers":[{"name":"content-type","value":"application/json"}],
	  "content":{"mimeType":"application/json","encoding":"base64","text":"eyJlcnJvciI6NDA0LCJlcnJvckNvZGUiOm51bGx9"}}}],"comment":"c"}}`
	var n int
	err := recorded.ReadHAR(strings.NewReader(har), "x.har", func(ex *contract.Exchange) error {
		n++
		if string(ex.Response.Body) != `{"error":404,"errorCode":null}` {
			t.Errorf("body %q", ex.Response.Body)
		}
		res, err := strict.Check(ex)
		if err == nil && !res.OK() {
			err = res.Violations
		}
		return err
	})
	if err != nil || n != 1 {
		t.Fatalf("n=%d err=%v", n, err)
	}
}

// peakHeap samples the heap in use while f runs.
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
	}
	go func() {
		defer close(stopped)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	runtime.GC()
	f()
	close(done)
	<-stopped
	sample()
	return peak.Load()
}

// TestCheckLargeHAR checks a generated archive: 5,000 entries in the
// suite, or LINKTOKEN_HAR_ENTRIES of them (100000 for the published
// figures). LINKTOKEN_HAR_OUT keeps the archive at that path, to time the
// command on it. It reports the rate and the peak heap (the published
// figures come from the command: docs/performance.md), and fails if memory
// is not bounded (64 MiB).
func TestCheckLargeHAR(t *testing.T) {
	n := 5000
	if s := os.Getenv("LINKTOKEN_HAR_ENTRIES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("LINKTOKEN_HAR_ENTRIES: %v", err)
		}
	}
	path := os.Getenv("LINKTOKEN_HAR_OUT")
	if path == "" {
		path = filepath.Join(t.TempDir(), "big.har")
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	lt, ok, other, err := writeHAR(f, harMix{Entries: n})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)

	var rep recorded.Report
	rep.Emit = func(*contract.Violation) {} // as the check command does
	var elapsed time.Duration
	var checkErr error
	peak := peakHeap(func() {
		start := time.Now()
		checkErr = recorded.CheckFile(strict, &rep, path)
		elapsed = time.Since(start)
	})
	if checkErr != nil {
		t.Fatal(checkErr)
	}
	if rep.Exchanges != lt || rep.Conform != ok || rep.Skipped != other {
		t.Errorf("report %+v; want %d exchanges, %d conform, %d skipped", rep, lt, ok, other)
	}
	rate := float64(n) / elapsed.Seconds()
	t.Logf("%d entries (%.1f MiB): %v, %.0f entries/s, peak heap %.1f MiB", n, float64(fi.Size())/(1<<20), elapsed.Round(time.Millisecond), rate, float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("peak heap %.1f MiB, want under 64 MiB", float64(peak)/(1<<20))
	}
}

// TestCheckHARStreamsInBoundedMemory streams an archive through CheckHAR
// straight from its generator (an io.Pipe: never on disk, never whole in
// memory) and requires a peak heap bounded by its largest entry, not by
// the archive: beside 60,000 ordinary entries (about 65 MiB) it holds three
// parts of 4 MiB, a string in a top-level key nobody reads, a body of an
// exchange outside the contract, and a create whose body is larger than
// the check reads (a violation naming its size). LINKTOKEN_HAR_STREAM_BIG=1
// makes it 1,000,000 entries (about 1 GiB), under the same bound.
func TestCheckHARStreamsInBoundedMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("a heap bound means nothing under the race detector, which enlarges every allocation and slows the stream 20-fold; TestCheckHARReportsInOrder and TestCheckLargeHAR run the concurrent check under it")
	}
	const maxBody = 1 << 20
	const part = 4 << 20
	m := harMix{Entries: 60000, UnusedKey: part, OtherBody: part, Oversized: part}
	if os.Getenv("LINKTOKEN_HAR_STREAM_BIG") != "" {
		m.Entries = 1000000
	}
	// A few copies of the largest entry (the decoder's buffer, the entry,
	// its body decoded) and the window of entries awaiting a verdict.
	const bound = 8*part + 16<<20
	// HeapInuse counts garbage not yet collected, as much as the live heap
	// again at Go's default pacing, and more when the machine is busy and
	// the collector lags: a soft limit under the bound makes the collector
	// take the garbage first, so that only a live heap past the bound (what
	// this test is about) can exceed it.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(bound * 3 / 4))
	v := contract.MustNew(contract.Strict(), contract.MaxBodyBytes(maxBody))

	pr, pw := io.Pipe()
	var written countingWriter
	var lt, ok, other int
	generated := make(chan error, 1)
	var rep recorded.Report
	var tooLarge []*contract.Violation
	rep.Emit = func(x *contract.Violation) {
		if x.Rule == contract.RuleBodyTooLarge {
			tooLarge = append(tooLarge, x)
		}
	}
	var checkErr error
	start := time.Now()
	peak := peakHeap(func() {
		go func() {
			var err error
			lt, ok, other, err = writeHAR(io.MultiWriter(pw, &written), m)
			pw.CloseWithError(err)
			generated <- err
		}()
		checkErr = recorded.CheckHAR(v, &rep, pr, "stream.har")
		pr.Close()
	})
	if err := <-generated; err != nil {
		t.Fatal(err)
	}
	if checkErr != nil {
		t.Fatal(checkErr)
	}
	elapsed := time.Since(start)
	t.Logf("%.1f MiB streamed in %v: %d entries checked, peak heap %.1f MiB", float64(written.n)/(1<<20), elapsed.Round(time.Millisecond), rep.Exchanges+rep.Skipped, float64(peak)/(1<<20))
	if written.n <= bound {
		t.Fatalf("an archive of %d bytes cannot tell a bound of %d", written.n, bound)
	}
	if rep.Exchanges != lt || rep.Conform != ok || rep.Skipped != other {
		t.Errorf("report %+v; want %d exchanges, %d conform, %d skipped", rep, lt, ok, other)
	}
	want := fmt.Sprintf("%d bytes as recorded", m.Oversized)
	if len(tooLarge) != 1 || tooLarge[0].Side != contract.SideResponse || tooLarge[0].Found != want ||
		!strings.HasPrefix(tooLarge[0].Exchange, "stream.har#1 ") {
		t.Errorf("body-size violations %v; want one on stream.har#1's response, found %q", tooLarge, want)
	}
	if peak > bound {
		t.Errorf("peak heap %.1f MiB, want under %d MiB", float64(peak)/(1<<20), bound>>20)
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// TestCheckHARBodyTooLarge: a body of an operation larger than the check
// reads is a violation naming its size as recorded (kept whole up to a
// little over the limit, cut beyond); a body outside the contract is never
// read, whatever its size or its encoding.
func TestCheckHARBodyTooLarge(t *testing.T) {
	const limit = 1024
	v := contract.MustNew(contract.Strict(), contract.MaxBodyBytes(limit))
	long := func(n int) string { return `{"linkToken":"` + strings.Repeat("x", n-16) + `"}` }
	create := func(reqText, respText string, asBase64 bool) map[string]any {
		e, _ := harEntryFor(0, 10)
		if reqText != "" {
			e["request"].(map[string]any)["postData"].(map[string]any)["text"] = reqText
		}
		if respText != "" {
			content := e["response"].(map[string]any)["content"].(map[string]any)
			content["text"] = respText
			if asBase64 {
				content["text"], content["encoding"] = base64.StdEncoding.EncodeToString([]byte(respText)), "base64"
			}
		}
		return e
	}
	other := func(text, encoding string) map[string]any {
		e, _ := harEntryFor(8, 10)
		content := e["response"].(map[string]any)["content"].(map[string]any)
		content["text"], content["encoding"] = text, encoding
		return e
	}
	for _, tc := range []struct {
		name  string
		entry map[string]any
		side  contract.Side
		found string // "" for no violation
	}{
		{"at the limit", create("", long(limit), false), "", ""},
		{"over the limit, kept", create("", long(limit+1), false), contract.SideResponse, "1025 bytes"},
		{"far over the limit, cut", create("", long(100000), false), contract.SideResponse, "100000 bytes as recorded"},
		{"far over the limit in base64, cut", create("", long(100000), true), contract.SideResponse, "100000 bytes as recorded"},
		{"far over the limit in base64, cut, padded", create("", long(100001), true), contract.SideResponse, "100001 bytes as recorded"},
		{"a request far over the limit", create(long(50000), "", false), contract.SideRequest, "50000 bytes as recorded"},
		{"outside the contract", other(strings.Repeat("y", 100000), ""), "", ""},
		{"outside the contract, not even base64", other("!!", "base64"), "", ""},
		{"outside the contract, an encoding nobody knows", other("", "rot13"), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rep recorded.Report
			if err := recorded.CheckHAR(v, &rep, bytes.NewReader(harOf(t, tc.entry)), "x.har"); err != nil {
				t.Fatal(err)
			}
			var tooLarge []*contract.Violation
			for _, x := range rep.Violations {
				if x.Rule == contract.RuleBodyTooLarge {
					tooLarge = append(tooLarge, x)
				}
			}
			if tc.found == "" {
				if len(tooLarge) > 0 || rep.Count > 0 {
					t.Fatalf("violations %v", rep.Violations)
				}
				return
			}
			if len(tooLarge) != 1 || tooLarge[0].Side != tc.side || tooLarge[0].Found != tc.found {
				t.Fatalf("violations %v; want one body-size on the %s, found %q", rep.Violations, tc.side, tc.found)
			}
		})
	}
}

// TestCheckHARHeaderBound: an entry's request line and headers are kept up
// to net/http's limit on a header block; beyond it an entry of the
// contract cannot be checked and is refused, one outside it is skipped.
func TestCheckHARHeaderBound(t *testing.T) {
	huge := strings.Repeat("h", 2<<20)
	withHeader := func(i int) map[string]any {
		e, _ := harEntryFor(i, 10)
		req := e["request"].(map[string]any)
		req["headers"] = append(req["headers"].([]hh), hh{"name": "x-huge", "value": huge})
		return e
	}
	withQuery := func(i int) map[string]any {
		e, _ := harEntryFor(i, 10)
		req := e["request"].(map[string]any)
		req["url"] = req["url"].(string) + "?q=" + huge
		return e
	}
	for _, tc := range []struct {
		name  string
		entry map[string]any
		want  string // "" for skipped
	}{
		{"headers, outside the contract", withHeader(8), ""},
		{"headers, an operation", withHeader(0), "request: headers and MIME type exceed 1048576 bytes"},
		{"query, outside the contract", withQuery(8), ""},
		{"query, an operation", withQuery(0), "request: method and URL exceed 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rep recorded.Report
			err := recorded.CheckHAR(strict, &rep, bytes.NewReader(harOf(t, tc.entry)), "x.har")
			if tc.want == "" {
				if err != nil || rep.Skipped != 1 {
					t.Fatalf("got %v, report %+v; want it skipped", err, rep)
				}
				return
			}
			var ie *recorded.InputError
			if !errors.As(err, &ie) || ie.Where != "entry 0" || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want an InputError at entry 0 saying %q", err, tc.want)
			}
		})
	}
}

// TestReadHAREntryCap: memory is bounded by the largest entry, and an
// entry (or an unused value) larger than the cap is an input error naming
// it and the cap, after the entries before it were handed on.
func TestReadHAREntryCap(t *testing.T) {
	big := `"` + strings.Repeat("x", 2<<20) + `"`
	small, _ := json.Marshal(func() map[string]any { e, _ := harEntryFor(0, 10); return e }())
	for _, tc := range []struct {
		name, har, where, want string
		handed                 int
	}{
		{"an entry", `{"log":{"entries":[` + string(small) + `,` + string(small) + `,{"request":{"method":"GET","url":"https://x/","comment":` + big + `}}]}}`,
			"entry 2", "larger than 1 MiB", 2},
		{"an unused key", `{"x":` + big + `,"log":{"entries":[]}}`, "", `/x: larger than 1 MiB`, 0},
		{"an unused array of small values, larger than the cap", `{"x":[` + strings.Repeat(`"xxxxxxxxxx",`, 200<<10) + `0],"log":{"entries":[` + string(small) + `]}}`, "", "", 1},
		{"an unused key of log", `{"log":{"entries":[` + string(small) + `],"pages":[` + big + `]}}`, "", `/log/pages: larger than 1 MiB`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handed := 0
			err := recorded.ReadHARCappedForTest(strings.NewReader(tc.har), "x.har", 1<<20, func(*contract.Exchange) error {
				handed++
				return nil
			})
			var ie *recorded.InputError
			if tc.want == "" { // read: skipped a token at a time
				if err != nil || handed != tc.handed {
					t.Fatalf("got %v after %d entries; want none after %d", err, handed, tc.handed)
				}
				return
			}
			if !errors.As(err, &ie) || ie.Where != tc.where || !strings.Contains(err.Error(), tc.want) || handed != tc.handed {
				t.Fatalf("got %v after %d entries; want an InputError at %q saying %q after %d", err, handed, tc.where, tc.want, tc.handed)
			}
		})
	}
	// Under the cap, the same entry is read.
	err := recorded.ReadHARCappedForTest(strings.NewReader(`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/","comment":`+big+`}}]}}`),
		"x.har", 4<<20, func(*contract.Exchange) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if recorded.EntryCap != 64<<20 {
		t.Errorf("EntryCap %d; the documents say 64 MiB", recorded.EntryCap)
	}
}

// TestCheckHARReportsInOrder: entries are judged concurrently and reported
// in the archive's order; an unusable entry stops the check with every
// entry before it counted, and none after.
func TestCheckHARReportsInOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var buf bytes.Buffer
	const n = 3000
	if _, _, _, err := writeHAR(&buf, harMix{Entries: n}); err != nil {
		t.Fatal(err)
	}
	var rep recorded.Report
	var names []string
	rep.OnExchange = func(res recorded.ExchangeResult) { names = append(names, res.Name) }
	if err := recorded.CheckHAR(strict, &rep, &buf, "x.har"); err != nil {
		t.Fatal(err)
	}
	if len(names) != n {
		t.Fatalf("%d exchanges reported, want %d", len(names), n)
	}
	for i, name := range names {
		if !strings.HasPrefix(name, fmt.Sprintf("x.har#%d ", i)) {
			t.Fatalf("exchange %d reported as %q", i, name)
		}
	}

	entries := make([]any, 0, 201)
	for i := range 200 {
		e, _ := harEntryFor(i, 10)
		entries = append(entries, e)
	}
	entries = slices.Insert(entries, 100, any(map[string]any{"request": 5}))
	har, err := json.Marshal(map[string]any{"log": map[string]any{"entries": entries}})
	if err != nil {
		t.Fatal(err)
	}
	rep = recorded.Report{}
	err = recorded.CheckHAR(strict, &rep, bytes.NewReader(har), "x.har")
	var ie *recorded.InputError
	if !errors.As(err, &ie) || ie.Where != "entry 100" || rep.Exchanges+rep.Skipped != 100 {
		t.Fatalf("got %v, report %+v; want an InputError at entry 100 after 100 exchanges", err, rep)
	}
}

// TestCheckHARUnansweredEntry: an entry whose response was not recorded (a
// proxy whose upstream never answered writes one) is said to be so; its
// request alone, without credentials, may be the digest handshake's first
// half, so it is not blamed for lacking them, and a body it carries is still
// judged.
func TestCheckHARUnansweredEntry(t *testing.T) {
	const url = "https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"
	for name, tc := range map[string]struct {
		body       string
		violations int
	}{
		"conforming body":   {`{"accessListIps":["192.0.2.10"]}`, 0},
		"undeclared member": {`{"accessListIps":["192.0.2.10"],"x":1}`, 1},
	} {
		t.Run(name, func(t *testing.T) {
			har := `{"log":{"entries":[{"request":{"method":"POST","url":"` + url + `","headers":[` +
				`{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"},` +
				`{"name":"Accept","value":"application/vnd.atlas.2023-01-01+json"}],` +
				`"postData":{"mimeType":"application/vnd.atlas.2023-01-01+json","text":` + strconv.Quote(tc.body) + `}},` +
				`"response":{"status":0,"headers":[],"content":{"size":0}}}]}}`
			var rep recorded.Report
			if err := recorded.CheckHAR(strict, &rep, strings.NewReader(har), "x.har"); err != nil {
				t.Fatal(err)
			}
			if rep.Exchanges != 1 || rep.Unanswered != 1 || rep.Count != tc.violations {
				t.Errorf("report %+v; want 1 exchange, 1 unanswered, %d violations", rep, tc.violations)
			}
			for _, v := range rep.Violations {
				if v.Rule == contract.RuleSecurity {
					t.Errorf("an unanswered request is blamed for its credentials: %v", v)
				}
			}
			if !strings.Contains(rep.Summary(), "1 without a response") {
				t.Errorf("summary %q does not say an exchange had no response", rep.Summary())
			}
		})
	}
}
