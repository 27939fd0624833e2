package contract

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Request is the request half of an exchange, with its body in memory.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// Response is the response half of an exchange, with its body in memory.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Exchange is one request and, optionally, the response it got.
type Exchange struct {
	// Source names where the exchange came from ("traffic.har#12"); it
	// prefixes the exchange's name in violations. Optional.
	Source   string
	Request  *Request
	Response *Response // nil when only the request is to be checked
}

// Name is how violations name the exchange: source, method, path and status.
func (ex *Exchange) Name() string {
	var b strings.Builder
	if ex.Source != "" {
		b.WriteString(ex.Source)
		b.WriteByte(' ')
	}
	if ex.Request != nil {
		b.WriteString(ex.Request.Method)
		b.WriteByte(' ')
		if ex.Request.URL != nil {
			b.WriteString(ex.Request.URL.Path)
		}
	}
	if ex.Response != nil {
		b.WriteString(" → ")
		b.WriteString(strconv.Itoa(ex.Response.StatusCode))
	}
	return b.String()
}

// readBody reads a body fully (into a buffer of its declared length, as the
// transport does) and puts an identical one back, so the caller can still
// read it; it returns the bytes.
func readBody(body *io.ReadCloser, declared int64) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	data, err := readSized(*body, declared)
	_ = (*body).Close()
	*body = newReplayBody(data)
	return data, err
}

// ResponseFromHTTP captures resp as a Response, reading its body and
// replacing it with an unread copy.
func ResponseFromHTTP(resp *http.Response) (*Response, error) {
	data, err := readBody(&resp.Body, resp.ContentLength)
	if err != nil {
		return nil, err
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data}, nil
}
