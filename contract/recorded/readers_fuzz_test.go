package recorded_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// The reader targets are split in two and do no validation: one FuzzReaders
// that fed every input to both readers and checked each exchange they
// returned ran at a few hundred executions a second in `make fuzz`. Each
// execution was cheap (7–55 µs, most of it the validator); the time went
// into minimizing every new-coverage input it found, which Go does within
// -fuzzminimizetime (60 s by default) and which costs O(n²) executions of
// the target for an n-byte input: kilobyte seeds (a three-entry HAR) held
// both workers for a minute at a time, their executions never reported.
// Now each reader is fuzzed alone, with small seeds, and the validator on
// the exchanges the raw reader produces is FuzzValidateExchange's job.

// fzSeedFiles are the recorded exchanges every reader target starts from.
func fzSeedFiles(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, pattern := range []string{"../testdata/seed/*.http", "../testdata/live/*.http", "../testdata/conforming/*/*.http"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, data)
		}
	}
	if len(out) < 20 {
		tb.Fatalf("only %d seed files", len(out))
	}
	return out
}

// fzCheckExchange fails t when an exchange a reader returned could not be
// checked: no request and no response, a request without method or URL.
func fzCheckExchange(t *testing.T, ex *contract.Exchange) {
	t.Helper()
	if ex == nil {
		t.Fatal("nil exchange")
	}
	if ex.Request == nil && ex.Response == nil {
		t.Fatalf("%s: neither request nor response", ex.Source)
	}
	if r := ex.Request; r != nil && (r.Method == "" || r.URL == nil || r.Header == nil) {
		t.Fatalf("%s: incomplete request %+v", ex.Source, r)
	}
	if r := ex.Response; r != nil && r.Header == nil {
		t.Fatalf("%s: response without a header map", ex.Source)
	}
	_ = ex.Name()
}

// FuzzReadHAR: whatever the bytes, ReadHAR hands complete exchanges to its
// callback or returns an *InputError; never a panic, never another error.
func FuzzReadHAR(f *testing.F) {
	f.Add([]byte(`{"log":{"entries":[]}}`))
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"GET","url":"%zz"}}]}}`))
	f.Add([]byte(`{"log":{"version":"1.2","entries":[{"request":{"method":"POST","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens","headers":[{"name":":authority","value":"x"},{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"}],"postData":{"mimeType":"application/json","text":"eyJhIjoxfQ==","encoding":"base64"}},"response":{"status":201,"headers":[],"content":{"mimeType":"application/json","text":"{\"linkToken\":\"t\"}"}}}]}}`))
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"DELETE","url":"/x"},"response":{"status":0}}],"pages":[{"a":[1,{"b":null}]}]}}`))
	f.Add([]byte(`{"x":[{"log":1}],"log":{"creator":{},"entries":[{"request":{"method":"GET","url":"http://h/"},"response":{"status":204,"content":{"text":"","encoding":"gzip"}}}]}}`))
	f.Add([]byte("\uFEFF" + `{"log":{"entries":[{"request":{"method":"G\u0045T","url":"http://h/\ud83d\ude00","headers":[{"name":"content-encoding","value":"br"}]},"response":{"status":200,"headers":null,"content":{"text":"{\"a\":\"\\u00e9\"}"}}}]}}`))
	// mitmproxy's surrogateescape: lone surrogates in a body and a header.
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"GET","url":"http://h/","headers":[{"name":"x","value":"\udce9"}]},"response":{"status":200,"content":{"text":"\ud800\udcff\\udc80\ud83d\ude00"}}}]}}`))
	// One entry of the generated mix per kind (creates and removes on both
	// versions, an envelope, other traffic, a violation), each alone in an
	// archive: small seeds keep minimization short.
	for _, i := range []int{0, 1, 2, 3, 8, 9} {
		e, _ := harEntryFor(i, 10)
		b, err := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "entries": []any{e}}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := recorded.ReadHAR(bytes.NewReader(data), "f.har", func(ex *contract.Exchange) error {
			fzCheckExchange(t, ex)
			if want := "f.har#"; !strings.HasPrefix(ex.Source, want) {
				t.Fatalf("source %q, want prefix %q", ex.Source, want)
			}
			n++
			return nil
		})
		var ie *recorded.InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("ReadHAR: %T %v", err, err)
		}
		// Streamed a byte at a time, the same entries and an error at the
		// same place (jsontext words a cut escape by what it has seen).
		n1 := 0
		err1 := recorded.ReadHAR(iotest.OneByteReader(bytes.NewReader(data)), "f.har", func(*contract.Exchange) error {
			n1++
			return nil
		})
		var ie1 *recorded.InputError
		if n1 != n || (err == nil) != (err1 == nil) || err != nil && (!errors.As(err1, &ie1) || ie1.Where != ie.Where) {
			t.Fatalf("read whole: %d, %v; a byte at a time: %d, %v", n, err, n1, err1)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.har: ") {
			t.Fatalf("error does not name the source: %v", err)
		}
		// A callback error stops the walk and comes back as it is.
		stop := errors.New("stop")
		err2 := recorded.ReadHAR(bytes.NewReader(data), "f.har", func(*contract.Exchange) error { return stop })
		if n > 0 && err2 != stop {
			t.Fatalf("callback error came back as %v", err2)
		}
	})
}

// FuzzReadHTTPExchanges: whatever the bytes, the raw-exchange reader
// hands on complete exchanges or returns an *InputError naming the file.
func FuzzReadHTTPExchanges(f *testing.F) {
	for _, data := range fzSeedFiles(f) {
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"\r\n\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/2.0 201\nContent-Type: application/json\n\n{\"linkToken\":\"t\"}",
		"GET / HTTP/1.1\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\n{}",
		"GET / HTTP/1.1\n\nHTTP/2 200\nContent-Length: 2\n\n{}GET / HTTP/1.1\n\nHTTP/3 204\n\n",
		"DELETE /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens HTTP/1.1\nHost: h\n\n",
		"POST /x HTTP/1.1\nContent-Length: 99\n\n{}",
		"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\r\n{}\r\n0\r\n\r\n",
		"0 /000 HTTP/1.0\nHost:\r\n\r\nHTTP/0.0 000 \r\n\x86\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var exs []*contract.Exchange
		err := recorded.ReadHTTPExchanges(bytes.NewReader(data), "f.http", func(ex *contract.Exchange) error {
			exs = append(exs, ex)
			return nil
		})
		// Streamed a byte at a time, the same exchanges, or the same error
		// after the exchanges before it.
		var streamed []*contract.Exchange
		streamErr := recorded.ReadHTTPExchanges(iotest.OneByteReader(bytes.NewReader(data)), "f.http", func(ex *contract.Exchange) error {
			fzCheckExchange(t, ex)
			streamed = append(streamed, ex)
			return nil
		})
		if fmt.Sprint(err) != fmt.Sprint(streamErr) || (err == nil && len(streamed) != len(exs)) {
			t.Fatalf("read whole: %d, %v; a byte at a time: %d, %v", len(exs), err, len(streamed), streamErr)
		}
		if err != nil {
			var ie *recorded.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ReadHTTPExchanges: %T %v", err, err)
			}
			if ie.Source != "f.http" {
				t.Fatalf("error names %q, not the file", ie.Source)
			}
			return
		}
		for i, ex := range exs {
			fzCheckExchange(t, ex)
			if ex.Source != streamed[i].Source {
				t.Fatalf("exchange %d: %q read whole, %q streamed", i, ex.Source, streamed[i].Source)
			}
		}
	})
}
