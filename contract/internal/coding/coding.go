// Package coding undoes a body's Content-Encoding (RFC 9110 §8.4) within a
// bound, as the contract's checks read a body and as its redaction reads
// one to find the secrets in it: both must decode the same bytes the same
// way, or a redacted copy would not check as its original did.
package coding

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
)

// ErrTooLarge is wrapped by every "body larger than the cap" error.
var ErrTooLarge = errors.New("body too large")

// Decode undoes the Content-Encoding of a body: each coding listed, last
// applied first. gzip (and x-gzip), deflate (zlib, or the raw deflate some
// servers send) and br are decoded; identity is nothing. A coding it
// cannot decode, or a body that does not decode, is an error naming the
// coding. The decoded body is bounded by limit (ErrTooLarge).
func Decode(h http.Header, raw []byte, limit int64) ([]byte, error) {
	codings := Codings(h)
	if len(codings) == 0 {
		return raw, nil
	}
	data := raw
	for i := len(codings) - 1; i >= 0; i-- {
		var r io.Reader
		var err error
		src := bytes.NewReader(data)
		switch c := codings[i]; c {
		case "identity":
			continue
		case "gzip", "x-gzip":
			r, err = gzip.NewReader(src)
		case "deflate":
			// RFC 9110 says zlib; some servers send raw deflate.
			if r, err = zlib.NewReader(src); err != nil {
				r, err = flate.NewReader(bytes.NewReader(data)), nil
			}
		case "br":
			r = brotli.NewReader(src)
		default:
			return nil, fmt.Errorf("content-coding %q is not one this check decodes (gzip, deflate, br)", c)
		}
		if err != nil {
			return nil, fmt.Errorf("body does not decode as %s: %v", codings[i], err)
		}
		out, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return nil, fmt.Errorf("body does not decode as %s: %v", codings[i], err)
		}
		if int64(len(out)) > limit {
			return nil, fmt.Errorf("body decoded from %s exceeds %d bytes: %w", codings[i], limit, ErrTooLarge)
		}
		data = out
	}
	return data, nil
}

// Codings lists the codings of a Content-Encoding header, lower case,
// identity included.
func Codings(h http.Header) []string {
	var codings []string
	for _, v := range h.Values("Content-Encoding") {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
				codings = append(codings, c)
			}
		}
	}
	return codings
}

// Without returns h without Content-Encoding (a clone, when it had one):
// what the body's header says once the body is decoded.
func Without(h http.Header) http.Header {
	if _, ok := h["Content-Encoding"]; !ok {
		return h
	}
	c := h.Clone()
	delete(c, "Content-Encoding")
	return c
}
