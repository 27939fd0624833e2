package recorded

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
)

// contentCodings lists the codings of a Content-Encoding header, lower case,
// identity included.
func contentCodings(h http.Header) []string {
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

// decodes reports whether data decodes as deflate (zlib, or the raw
// deflate some servers send) or br, reading no more than limit bytes of
// what it decodes to: whether the check, which decodes it the same way,
// will take it for an encoded body.
func decodes(coding string, data []byte, limit int64) bool {
	var r io.Reader
	switch coding {
	case "deflate":
		var err error
		if r, err = zlib.NewReader(bytes.NewReader(data)); err != nil {
			r = flate.NewReader(bytes.NewReader(data))
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(data))
	default:
		return false
	}
	_, err := io.Copy(io.Discard, io.LimitReader(r, limit))
	return err == nil
}

// magic is how a body encoded by each coding that has one begins: gzip's
// header (RFC 1952), a zstd frame (RFC 8878), and the dictionary-compressed
// dcb and dcz (Compression Dictionary Transport, RFC 9842).
var magic = map[string]string{
	"gzip":   "\x1f\x8b",
	"x-gzip": "\x1f\x8b",
	"zstd":   "\x28\xb5\x2f\xfd",
	"dcb":    "\xff\x44\x43\x42",
	"dcz":    "\x5e\x2a\x4d\x18\x20\x00\x00\x00",
}

// staleContentEncoding reports whether a recorded body whose headers give
// it a Content-Encoding was evidently stored decoded, as browsers store
// every body they decode (gzip, deflate, br, zstd, dcb, dcz): for a coding
// with a magic number, it does not start with it; for deflate and br,
// which have none, it is UTF-8 text that does not decode. (A check decodes
// a body as its Content-Encoding says, so a stale header would otherwise
// make a conforming body "malformed".) Codings no browser decodes are left
// to the check to report.
func staleContentEncoding(h http.Header, data []byte, limit int64) bool {
	codings := contentCodings(h)
	outer := ""
	for i := len(codings) - 1; i >= 0 && outer == ""; i-- {
		if codings[i] != "identity" {
			outer = codings[i]
		}
	}
	if m, ok := magic[outer]; ok {
		return !strings.HasPrefix(string(data), m)
	}
	switch outer {
	case "deflate", "br":
		return utf8.Valid(data) && !decodes(outer, data, limit)
	}
	return false
}
