package contract

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Raw HTTP exchange files are the format of testdata/recorded/: a status
// line, headers, a blank line and the body, as sent on the wire (CRLF or
// LF line ends; an HTTP/2 status line such as "HTTP/2.0 201 Created" is
// fine). A file holds
//
//   - a response alone: its request is read from the request file beside
//     it, X.request.http for X.http, when there is one; or
//   - a request followed by its response, as many times as it likes (the
//     digest handshake, say: the unauthenticated request and its 401, then
//     the authenticated request and its 201).
//
// A response with neither a request before it nor a request file beside it
// is checked as a response alone (see Validator.CheckResponseAlone).

// RequestFileSuffix names the request file beside a response-only file:
// X.request.http holds the request of X.http.
const RequestFileSuffix = ".request.http"

// ReadHTTPFile reads a raw HTTP exchange file, and the request file beside
// it when the file is a response alone. An exchange with a nil Request is a
// response alone.
func ReadHTTPFile(path string) ([]*Exchange, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &InputError{Source: path, Err: err}
	}
	exs, err := ParseHTTPExchanges(data, path)
	if err != nil {
		return nil, err
	}
	if len(exs) == 1 && exs[0].Request == nil {
		reqPath := strings.TrimSuffix(path, filepath.Ext(path)) + RequestFileSuffix
		if reqData, err := os.ReadFile(reqPath); err == nil {
			req, err := parseRawRequest(reqData)
			if err != nil {
				return nil, &InputError{Source: reqPath, Err: err}
			}
			exs[0].Request = req
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, &InputError{Source: reqPath, Err: err}
		}
	}
	return exs, nil
}

// ParseHTTPExchanges parses the contents of a raw HTTP exchange file:
// requests each followed by their response, or a single response alone.
// source names the file in errors and exchanges ("source#N" when the file
// holds more than one exchange).
func ParseHTTPExchanges(data []byte, source string) ([]*Exchange, error) {
	var exs []*Exchange
	br := bufio.NewReader(bytes.NewReader(data))
	var pending *Request
	for i := 0; ; i++ {
		// Blank lines between messages are allowed.
		for {
			b, err := br.Peek(1)
			if err != nil || (b[0] != '\r' && b[0] != '\n') {
				break
			}
			_, _ = br.ReadByte()
		}
		if _, err := br.Peek(1); err == io.EOF {
			break
		}
		start, _ := br.Peek(5)
		where := fmt.Sprintf("message %d", i+1)
		if string(start) == "HTTP/" {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				return nil, &InputError{Source: source, Where: where, Err: fmt.Errorf("response: %w", err)}
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return nil, &InputError{Source: source, Where: where, Err: fmt.Errorf("response body: %w", err)}
			}
			if n, ok := bodyOfBodiless(resp); ok {
				// net/http reads no body for a 204 (or 1xx, 304); a recording
				// of a server that sent one anyway must still show it.
				body = make([]byte, n)
				if _, err := io.ReadFull(br, body); err != nil {
					return nil, &InputError{Source: source, Where: where, Err: fmt.Errorf("response body: %w", err)}
				}
			}
			exs = append(exs, &Exchange{Request: pending, Response: &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}})
			pending = nil
			continue
		}
		if pending != nil {
			return nil, &InputError{Source: source, Where: where, Err: errors.New("two requests in a row: each request must be followed by its response")}
		}
		req, err := readRawRequest(br)
		if err != nil {
			return nil, &InputError{Source: source, Where: where, Err: err}
		}
		pending = req
	}
	if pending != nil {
		exs = append(exs, &Exchange{Request: pending})
	}
	if len(exs) == 0 {
		return nil, &InputError{Source: source, Err: errors.New("no HTTP message")}
	}
	if len(exs) > 1 && exs[0].Request == nil {
		return nil, &InputError{Source: source, Err: errors.New("a response without its request before other exchanges")}
	}
	for i, ex := range exs {
		ex.Source = source
		if len(exs) > 1 {
			ex.Source = fmt.Sprintf("%s#%d", source, i)
		}
	}
	return exs, nil
}

// bodyOfBodiless returns the declared length of a body net/http ignored.
func bodyOfBodiless(resp *http.Response) (int, bool) {
	st := resp.StatusCode
	if st != http.StatusNoContent && st != http.StatusNotModified && st/100 != 1 {
		return 0, false
	}
	n, err := strconv.Atoi(resp.Header.Get("Content-Length"))
	return n, err == nil && n > 0 && n < 1<<24
}

func parseRawRequest(data []byte) (*Request, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	req, err := readRawRequest(br)
	if err != nil {
		return nil, err
	}
	if rest, _ := io.ReadAll(br); len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("request: trailing data after the body (set Content-Length)")
	}
	return req, nil
}

// readRawRequest reads one request. Its body is Content-Length bytes: a
// request without Content-Length has none. (A response without
// Content-Length runs to the end of the file, so one followed by another
// message needs it too.)
func readRawRequest(br *bufio.Reader) (*Request, error) {
	r, err := http.ReadRequest(br)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	u := r.URL
	if u.Host == "" && r.Host != "" {
		uu := *u
		uu.Host = r.Host
		u = &uu
	}
	return &Request{Method: r.Method, URL: u, Header: r.Header, Body: body}, nil
}
