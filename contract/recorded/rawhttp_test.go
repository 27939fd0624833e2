package recorded_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

func TestReadHTTPExchanges(t *testing.T) {
	const (
		req  = "DELETE /api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens HTTP/1.1\r\nHost: h\r\n\r\n"
		resp = "HTTP/1.1 204 No Content\r\n\r\n"
	)
	for _, tc := range []struct {
		name  string
		input string
		want  []string // each exchange: its Source, then "req", "resp" or "req+resp"
	}{
		{"one exchange", req + resp, []string{"f.http req+resp"}},
		{"two exchanges", req + resp + "\r\n\n" + req + resp, []string{"f.http#0 req+resp", "f.http#1 req+resp"}},
		{"curl -i over HTTP/2, twice", req + "HTTP/2 204\r\n\r\n" + req + "HTTP/2 204\r\n\r\n", []string{"f.http#0 req+resp", "f.http#1 req+resp"}},
		{"white space between exchanges", req + resp + " \t\r\n" + req + resp, []string{"f.http#0 req+resp", "f.http#1 req+resp"}},
		{"a request alone", req, []string{"f.http req"}},
		{"an exchange, then a request alone", req + resp + req, []string{"f.http#0 req+resp", "f.http#1 req"}},
		{"a response alone", "\n" + resp, []string{"f.http resp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := recorded.ReadHTTPExchanges(strings.NewReader(tc.input), "f.http", func(ex *contract.Exchange) error {
				what := map[[2]bool]string{{true, true}: "req+resp", {true, false}: "req", {false, true}: "resp"}[[2]bool{ex.Request != nil, ex.Response != nil}]
				got = append(got, ex.Source+" "+what)
				return nil
			})
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestReadHTTPExchangesRefuses(t *testing.T) {
	const (
		req  = "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n"
		resp = "HTTP/1.1 204 No Content\r\n\r\n"
	)
	for _, tc := range []struct {
		name, input, want string
		handed            int // exchanges handed on before the error
	}{
		{"nothing", "\r\n\r\n", "f.http: no HTTP message", 0},
		{"two requests in a row", req + req, "f.http: message 2: two requests in a row", 0},
		{"a response alone before others", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}" + req + resp, "f.http: a response without its request before other exchanges", 0},
		{"not HTTP after an exchange", req + resp + "hello\r\n\r\n", "f.http: message 3: request: malformed HTTP", 1},
		{"a body cut short", req + "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", "f.http: message 2: response body: unexpected EOF", 0},
		{"a head too large", req + "HTTP/1.1 200 OK\r\nX-Huge: " + strings.Repeat("h", 2<<20) + "\r\n\r\n",
			"f.http: message 2: response: the start line and headers exceed 1048576 bytes", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handed := 0
			err := recorded.ReadHTTPExchanges(strings.NewReader(tc.input), "f.http", func(*contract.Exchange) error {
				handed++
				return nil
			})
			var ie *recorded.InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tc.want) || handed != tc.handed {
				t.Fatalf("got %v after %d exchanges; want an InputError %q after %d", err, handed, tc.want, tc.handed)
			}
		})
	}
	stop := errors.New("stop")
	if err := recorded.ReadHTTPExchanges(strings.NewReader(req+resp+req+resp), "f.http", func(*contract.Exchange) error { return stop }); err != stop {
		t.Fatalf("the callback's error came back as %v", err)
	}
}

// TestCheckHTTPFileHugeBody checks a raw exchange file whose response body
// is far larger than the check reads: the file is streamed (the old reader
// read it whole, then copied the body), the body is a violation naming its
// size, and the peak heap stays far below the file's size. The body is 64
// MiB in the suite, LINKTOKEN_HTTP_BODY_MIB of them when set.
func TestCheckHTTPFileHugeBody(t *testing.T) {
	size := int64(64 << 20)
	if s := os.Getenv("LINKTOKEN_HTTP_BODY_MIB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("LINKTOKEN_HTTP_BODY_MIB: %v", err)
		}
		size = int64(n) << 20
	}
	const bound = 32 << 20
	data, err := os.ReadFile("../testdata/conforming/createLinkToken/201_v2.http")
	if err != nil {
		t.Fatal(err)
	}
	request := data[:strings.Index(string(data), "HTTP/1.1 201")]
	for _, tc := range []struct {
		name    string
		v       *contract.Validator
		chunked bool
	}{
		{"Content-Length, the default limit", strict, false},
		{"to the end of the file, a 1 MiB limit", contract.MustNew(contract.Strict(), contract.MaxBodyBytes(1<<20)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "huge.http")
			writeHugeExchange(t, path, request, size, !tc.chunked)
			var rep recorded.Report
			var checkErr error
			start := time.Now()
			peak := peakHeap(func() { checkErr = recorded.CheckFile(tc.v, &rep, path) })
			if checkErr != nil {
				t.Fatal(checkErr)
			}
			t.Logf("%d MiB body checked in %v, peak heap %.1f MiB", size>>20, time.Since(start).Round(time.Millisecond), float64(peak)/(1<<20))
			want := fmt.Sprintf("%d bytes as recorded", size)
			if rep.Exchanges != 1 || len(rep.Violations) != 1 || rep.Violations[0].Rule != contract.RuleBodyTooLarge || rep.Violations[0].Found != want {
				t.Errorf("report %+v; want one body-size violation, found %q", rep, want)
			}
			if peak > bound || size <= bound {
				t.Errorf("peak heap %.1f MiB for a %d MiB body; want under %d MiB", float64(peak)/(1<<20), size>>20, bound>>20)
			}
		})
	}
}

// writeHugeExchange writes request, then a 201 whose body is a JSON object
// of size bytes, with its Content-Length or running to the end of the file.
func writeHugeExchange(t *testing.T, path string, request []byte, size int64, contentLength bool) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 64<<10)
	_, _ = w.Write(request)
	_, _ = io.WriteString(w, "HTTP/1.1 201 Created\r\nContent-Type: application/vnd.atlas.2023-01-01+json;charset=utf-8\r\n")
	if contentLength {
		_, _ = fmt.Fprintf(w, "Content-Length: %d\r\n", size)
	}
	_, _ = io.WriteString(w, "\r\n"+`{"linkToken":"`)
	if err := writeLongText(w, size-int64(len(`{"linkToken":""}`)), "x"); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, `"}`)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestCurlHTTP2Output: curl -i over HTTP/2 prints "HTTP/2 201", with or
// without a reason, which net/http's reader refuses; such a file is read
// as any other, each exchange of it, and the body after the line intact.
func TestCurlHTTP2Output(t *testing.T) {
	data, err := os.ReadFile("../testdata/conforming/createLinkToken/201_v2.http")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"HTTP/2 201", "HTTP/2 201 ", "HTTP/2 201 Created", "HTTP/3 201"} {
		t.Run(line, func(t *testing.T) {
			one := strings.Replace(string(data), "HTTP/1.1 201 Created", line, 1)
			if one == string(data) {
				t.Fatal("the fixture's status line moved")
			}
			// Twice, so that the second exchange is read after the first's fix.
			_, rep, err := checkContent(t, "curl.http", one+"\n"+one)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Exchanges != 2 || !rep.OK() {
				t.Fatalf("report %+v; want two conforming exchanges", rep)
			}
		})
	}
}

// TestCurlInformationalResponses: curl -i prints an informational
// response (100 Continue, answering Expect: 100-continue; 103 Early Hints)
// before the answer; the exchange is the request and that answer, and a
// 1xx with no answer after it stays the response recorded.
func TestCurlInformationalResponses(t *testing.T) {
	data, err := os.ReadFile("../testdata/conforming/createLinkToken/201_v2.http")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, before string
		exchanges    int
		ok           bool
	}{
		{"100 Continue", "HTTP/1.1 100 Continue\r\n\r\n", 1, true},
		{"100 Continue, then 103 Early Hints", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			one := strings.Replace(string(data), "HTTP/1.1 201 Created", tc.before+"HTTP/1.1 201 Created", 1)
			_, rep, err := checkContent(t, "curl.http", one+"\n"+one)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Exchanges != 2*tc.exchanges || rep.OK() != tc.ok {
				t.Fatalf("report %+v; want %d conforming exchanges", rep, 2*tc.exchanges)
			}
		})
	}
	t.Run("a 100 Continue alone", func(t *testing.T) {
		req, _, _ := strings.Cut(string(data), "HTTP/1.1 201 Created")
		_, rep, err := checkContent(t, "curl.http", req+"HTTP/1.1 100 Continue\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Exchanges != 1 || rep.OK() {
			t.Fatalf("report %+v; want the 1xx judged as the answer, and refused", rep)
		}
	})
}
