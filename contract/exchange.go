package contract

import (
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
	// Sized once: source, method, path, " → " and a status, with room.
	n := len(ex.Source) + 16
	if ex.Request != nil {
		n += len(ex.Request.Method)
		if ex.Request.URL != nil {
			n += len(ex.Request.URL.Path)
		}
	}
	b.Grow(n)
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
		var status [8]byte
		b.Write(strconv.AppendInt(status[:0], int64(ex.Response.StatusCode), 10))
	}
	return b.String()
}
