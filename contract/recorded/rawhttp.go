package recorded

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/internal/coding"
	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// Raw HTTP exchange files are the format of testdata/recorded/: a status
// line, headers, a blank line and the body, as sent on the wire (CRLF or
// LF line ends; an HTTP/2 or HTTP/3 status line, "HTTP/2.0 201 Created" or
// as curl -i prints it, "HTTP/2 201", is fine). A file holds
//
//   - a response alone: its request is read from the request file beside
//     it, X.request.http for X.http, when there is one; or
//   - a request followed by its response, as many times as it likes (the
//     digest handshake, say: the unauthenticated request and its 401, then
//     the authenticated request and its 201).
//
// A response with neither a request before it nor a request file beside it
// is checked as a response alone (see Validator.Check).
//
// The readers stream a file, one exchange at a time, within the bounds of
// recorded.go: a message's head over net/http's DefaultMaxHeaderBytes is an
// *InputError; a body larger than a check reads is cut to its first
// limit+1 bytes, without its Content-Encoding (which a check reports as too
// large), and the rest read past. Bodies are otherwise kept as on the wire:
// a Content-Encoding is the check's to decode (there is no HAR-style
// leniency for a stale one); a chunked body is de-chunked, as net/http
// reads it.

// RequestFileSuffix names the request file beside a response-only file:
// X.request.http holds the request of X.http.
const RequestFileSuffix = ".request.http"

// ReadHTTPFile reads a raw HTTP exchange file, and the request file beside
// it when the file is a response alone. An exchange with a nil Request is a
// response alone. Bodies are bounded as ReadHTTPExchanges bounds them.
func ReadHTTPFile(path string) ([]*contract.Exchange, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Source: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	var exs []*contract.Exchange
	err = readHTTPFile(f, path, contract.DefaultMaxBodyBytes, func(ex *contract.Exchange, _ cutBodies) error {
		exs = append(exs, ex)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return exs, nil
}

// ReadHTTPExchanges reads the raw HTTP exchanges of a file from r:
// requests each followed by their response, or a single response alone. It
// calls fn with each, in order, holding one at a time: a file of any size
// is read in bounded memory. source names the file in errors and exchanges
// ("source#N" when the file holds more than one exchange). A body larger than
// DefaultMaxBodyBytes is cut to its first DefaultMaxBodyBytes+1 bytes,
// without its Content-Encoding, which a check reports as too large
// (RuleBodyTooLarge). Input it cannot use returns an *InputError naming
// source, after fn has had the exchanges before the problem; an error from
// fn stops the reading and is returned as is.
func ReadHTTPExchanges(r io.Reader, source string, fn func(*contract.Exchange) error) error {
	return readHTTPExchanges(r, source, contract.DefaultMaxBodyBytes, func(ex *contract.Exchange, _ cutBodies) error {
		return fn(ex)
	})
}

// readHTTPFile reads the exchanges of the file at path from r, with the
// request file beside it when the file is a response alone.
func readHTTPFile(r io.Reader, path string, limit int64, fn func(*contract.Exchange, cutBodies) error) error {
	return readHTTPExchanges(r, path, limit, func(ex *contract.Exchange, cut cutBodies) error {
		if ex.Request == nil { // a response alone, which is always its file's only exchange
			reqPath := strings.TrimSuffix(path, filepath.Ext(path)) + RequestFileSuffix
			req, n, err := readRequestFile(reqPath, limit)
			if err != nil {
				return err
			}
			ex.Request, cut.request = req, n
		}
		return fn(ex, cut)
	})
}

// readRequestFile reads the request file beside a response-only file; a
// nil request when there is none.
func readRequestFile(path string, limit int64) (*contract.Request, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, &InputError{Source: path, Err: unwrapPathError(err)}
	}
	defer f.Close()
	rr := newRawReader(f, limit)
	if _, err := rr.more(); err != nil {
		return nil, 0, &InputError{Source: path, Err: err}
	}
	req, n, err := rr.request()
	if err == nil {
		var more bool
		if more, err = rr.more(); more {
			err = errors.New("request: trailing data after the body (set Content-Length)")
		}
	}
	if err != nil {
		return nil, 0, &InputError{Source: path, Err: err}
	}
	return req, n, nil
}

func readHTTPExchanges(r io.Reader, source string, limit int64, fn func(*contract.Exchange, cutBodies) error) error {
	rr := newRawReader(r, limit)
	fail := func(msg int, err error) error {
		return &InputError{Source: source, Where: "message " + strconv.Itoa(msg), Err: err}
	}
	msg, handed := 0, 0
	// An exchange is handed on once what follows it is known: its name
	// depends on whether it is the file's only one.
	var held *contract.Exchange
	var heldCut cutBodies
	for {
		more, err := rr.more()
		if err != nil {
			return &InputError{Source: source, Err: err}
		}
		if held != nil {
			if handed == 0 && more && held.Request == nil {
				return &InputError{Source: source, Err: errors.New("a response without its request before other exchanges")}
			}
			held.Source = source
			if handed > 0 || more {
				held.Source = source + "#" + strconv.Itoa(handed)
			}
			if err := fn(held, heldCut); err != nil {
				return err
			}
			handed++
			held = nil
		}
		if !more {
			break
		}
		ex := &contract.Exchange{}
		var cut cutBodies
		if !rr.atResponse() {
			msg++
			if ex.Request, cut.request, err = rr.request(); err != nil {
				return fail(msg, err)
			}
			if more, err = rr.more(); err != nil {
				return &InputError{Source: source, Err: err}
			}
			if !more { // a request alone ends the file
				held, heldCut = ex, cut
				continue
			}
			if !rr.atResponse() {
				return fail(msg+1, errors.New("two requests in a row: each request must be followed by its response"))
			}
		}
		// curl -i prints an informational response (100 Continue, 103
		// Early Hints) before the answer: the answer is what follows it.
		// One with no answer after it stays the response recorded.
		for {
			msg++
			if ex.Response, cut.response, err = rr.response(); err != nil {
				return fail(msg, err)
			}
			if !rfc9110.Informational(ex.Response.StatusCode) {
				break
			}
			if more, err = rr.more(); err != nil {
				return &InputError{Source: source, Err: err}
			}
			if !more || !rr.atResponse() {
				break
			}
		}
		held, heldCut = ex, cut
	}
	if handed == 0 {
		return &InputError{Source: source, Err: errors.New("no HTTP message")}
	}
	return nil
}

// rawReader reads HTTP messages from a stream with net/http, heads bounded
// by maxHeaderBytes and bodies by the check's limit.
type rawReader struct {
	head  *io.LimitedReader // the stream, limited while a head is read (armHead)
	src   io.Reader         // what br reads: head, after anything put back
	br    *bufio.Reader
	limit int64
}

func newRawReader(r io.Reader, limit int64) *rawReader {
	head := &io.LimitedReader{R: r, N: math.MaxInt64}
	rr := &rawReader{head: head, src: head, br: bufio.NewReaderSize(head, 64<<10), limit: limit}
	skipByteOrderMark(rr.br)
	return rr
}

// http2StatusLine matches the status line curl -i prints for HTTP/2 and
// HTTP/3 ("HTTP/2 201", the reason often left out), which net/http's
// reader refuses for its version without a minor number.
var http2StatusLine = regexp.MustCompile(`^HTTP/[23] [0-9]{3}`)

// fixStatusLine gives a status line of HTTP/2 or HTTP/3 as curl prints it
// the version net/http reads ("HTTP/2.0"), putting the line and what was
// buffered after it back in front of the stream.
func (rr *rawReader) fixStatusLine() {
	start, _ := rr.br.Peek(16)
	if !http2StatusLine.Match(start) {
		return
	}
	line, err := rr.br.ReadSlice('\n')
	if err != nil && err != io.EOF {
		return // net/http reports it
	}
	rest, _ := rr.br.Peek(rr.br.Buffered())
	fixed := append(append(append([]byte(nil), line[:6]...), ".0"...), line[6:]...)
	rr.src = io.MultiReader(bytes.NewReader(fixed), bytes.NewReader(bytes.Clone(rest)), rr.src)
	rr.br.Reset(rr.src)
}

var errHeadTooLarge = fmt.Errorf("the start line and headers exceed %d bytes, more than a server reads (net/http's DefaultMaxHeaderBytes)", maxHeaderBytes)

// armHead lets net/http read no more than maxHeaderBytes (and a buffer) of
// the message's head that follows, as a server does, until disarmHead.
func (rr *rawReader) armHead() { rr.head.N = maxHeaderBytes + int64(rr.br.Size()) }

// disarmHead lifts armHead's limit and returns net/http's error, which is
// errHeadTooLarge when the limit was reached: net/http saw the stream end
// there.
func (rr *rawReader) disarmHead(err error) error {
	if err != nil && rr.head.N <= 0 {
		err = errHeadTooLarge
	}
	rr.head.N = math.MaxInt64
	return err
}

// more skips white space (blank lines between messages, or after the
// last) and reports whether a message follows.
func (rr *rawReader) more() (bool, error) {
	for {
		b, err := rr.br.Peek(1)
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if strings.IndexByte(space, b[0]) < 0 {
			return true, nil
		}
		_, _ = rr.br.ReadByte()
	}
}

func (rr *rawReader) atResponse() bool {
	start, _ := rr.br.Peek(5)
	return string(start) == "HTTP/"
}

// response reads one response; n is its body's size as recorded when it
// was cut.
func (rr *rawReader) response() (resp *contract.Response, n int64, err error) {
	rr.armHead()
	rr.fixStatusLine()
	hr, err := http.ReadResponse(rr.br, nil)
	err = rr.disarmHead(err)
	if err != nil {
		return nil, 0, fmt.Errorf("response: %w", safetext.ParseError(err))
	}
	body, n, err := rr.body(hr.Body, hr.Header, hr.ContentLength)
	if err != nil {
		return nil, 0, fmt.Errorf("response body: %w", err)
	}
	if declared, ok := bodyOfBodiless(hr); ok {
		// net/http reads no body for a 204 (or 1xx, 304); a recording
		// of a server that sent one anyway must still show it.
		lr := &io.LimitedReader{R: rr.br, N: declared}
		if body, n, err = rr.body(lr, hr.Header, declared); err == nil && lr.N > 0 {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, 0, fmt.Errorf("response body: %w", err)
		}
	}
	return &contract.Response{StatusCode: hr.StatusCode, Header: hr.Header, Body: body}, n, nil
}

// bodyOfBodiless returns the declared length of a body net/http ignored.
func bodyOfBodiless(resp *http.Response) (int64, bool) {
	st := resp.StatusCode
	if st != http.StatusNoContent && st != http.StatusNotModified && st/100 != 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	return n, err == nil && n > 0
}

// request reads one request. Its body is Content-Length bytes (or
// chunked): a request without Content-Length has none. (A response without
// Content-Length runs to the end of the file, so one followed by another
// message needs it too.) n is its body's size as recorded when it was cut.
func (rr *rawReader) request() (req *contract.Request, n int64, err error) {
	rr.armHead()
	r, err := http.ReadRequest(rr.br)
	err = rr.disarmHead(err)
	if err != nil {
		return nil, 0, fmt.Errorf("request: %w", safetext.ParseError(err))
	}
	body, n, err := rr.body(r.Body, r.Header, r.ContentLength)
	if err != nil {
		return nil, 0, fmt.Errorf("request body: %w", err)
	}
	u := r.URL
	if u.Host == "" && r.Host != "" {
		uu := *u
		uu.Host = r.Host
		u = &uu
	}
	return &contract.Request{Method: r.Method, URL: u, Header: r.Header, Body: body}, n, nil
}

// body reads a message's body, keeping no more of it than a check reads
// (storedLimit): a longer one is cut (cutBody) and read to its end, and n is
// its size.
func (rr *rawReader) body(r io.Reader, h http.Header, declared int64) (data []byte, n int64, err error) {
	keep := storedLimit(rr.limit, len(coding.Codings(h)) > 0)
	// Read into a buffer of the size the message declares, bounded, so
	// that a large body is read without the garbage of a growing one.
	// (Buffer.ReadFrom grows it only when less than MinRead is free.)
	buf := bytes.NewBuffer(make([]byte, 0, min(max(declared, 0), keep+1)+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(r, keep+1))
	if data = buf.Bytes(); err != nil || int64(len(data)) <= keep {
		return data, 0, err
	}
	rest, err := io.Copy(io.Discard, r)
	return cutBody(h, data, rr.limit), int64(len(data)) + rest, err
}
