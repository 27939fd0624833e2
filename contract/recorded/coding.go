package recorded

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"io"
	"net/http"
	"strings"

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
