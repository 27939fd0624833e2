package recorded

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/seed-5c49e0d7/linktoken/contract/internal/coding"
)

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
	codings := coding.Codings(h)
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
		// Decoded as the check decodes it: past the limit, it did decode
		// as far as the check reads.
		_, err := coding.Decode(http.Header{"Content-Encoding": {outer}}, data, limit)
		return utf8.Valid(data) && err != nil && !errors.Is(err, coding.ErrTooLarge)
	}
	return false
}
