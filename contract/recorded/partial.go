package recorded

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// responseInPart is what the body-size violation of a HAR response body
// the archive does not hold whole says of it, or "" for a body held whole.
// HAR 1.2's content.size is the body's length; a writer that keeps only
// part of a body says so by a size larger than the text it stores: Firefox
// past its limit on a response body, linktoken proxy when the upstream's
// body broke off. held is the length of the text, base64-decoded. coded
// says the response has a Content-Encoding: mitmproxy writes the encoded
// length as both content.size and bodySize beside the decoded text, and an
// encoded body can be the longer (gzip of a short one is), so a size equal
// to bodySize claims nothing then.
//
// A writer may also hold no text at all, which HAR 1.2 means by leaving
// content.text out ("if the information is not available"), whatever the
// size says, or not know the size; or mark the response as failed once its
// status line came (see failedResponse): neither is an empty body, or a
// whole one. A status that has no body (1xx, 204, 304) has nothing to miss.
func responseInPart(rs *harResponse, status int, coded bool, held int) string {
	c := rs.Content
	if status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified {
		switch {
		case failedResponse(rs):
			return "a body its recorder marks as failed after the status line (_error, _failureText) (not judged)"
		case c != nil && c.File != "" && !c.fromFile:
			return bodyInFile
		case c == nil || (!c.held() && harInt(c.Size) < 0):
			return "no text of the body in the archive, nor its size (content.text left out: Firefox without response bodies, Playwright's content: 'omit' in mode: 'minimal') (not judged)"
		}
	}
	if c == nil {
		return ""
	}
	size := harInt(c.Size)
	if coded && size == harInt(rs.BodySize) && c.held() {
		return ""
	}
	return heldInPart(size, held)
}

// bodyInFile is what the body-size violation says of a body that
// Playwright's recordHar with content: 'attach' put in a file of its own
// that the reader could not read (see attached).
const bodyInFile = "a body in a file of its own (_file: Playwright's content: 'attach') not found beside the archive (not judged)"

// failedResponse reports whether a response's recorder says it failed:
// Chrome's _error and Playwright's _failureText name what went wrong
// (Chrome writes null when nothing did). With a status, the failure came
// after the status line: the body is cut short or missing (a request the
// page cancelled, a stream reset), and judging it would blame the service
// for what did not arrive.
func failedResponse(rs *harResponse) bool {
	for _, v := range [...]jsontext.Value{rs.Error, rs.FailureText} {
		if v.Kind() == '"' && string(v) != `""` {
			return true
		}
	}
	return false
}

// requestInPart is responseInPart for a request, whose postData has no
// size of its own in HAR 1.2: the request's bodySize (the body as sent)
// larger than the text held says a writer kept part of it, or none
// (linktoken proxy past its --max-body-bytes). An encoded body claims
// nothing: its size is not the decoded text's. A postData with a MIME type
// and no text, beside no bodySize, is a body the writer left out
// (Playwright's content: 'omit' with mode: 'minimal'), not an empty one:
// a writer that knows a body is empty writes no postData (browsers) or its
// bodySize, 0 (mitmproxy).
func requestInPart(pd *harContent, bodySize jsontext.Value, coded bool, held int) string {
	size := harInt(bodySize)
	switch {
	case pd != nil && pd.File != "" && !pd.fromFile:
		return bodyInFile
	case coded:
		return ""
	case pd != nil && held == 0 && size < 0 && pd.MimeType != "":
		return "no text of the body in the archive (postData.text empty, no bodySize: Playwright's content: 'omit') (not judged)"
	}
	return heldInPart(size, held)
}

// heldInPart says a body of size bytes was recorded as held bytes, or ""
// when it was recorded whole (or its size is not known: -1).
func heldInPart(size int64, held int) string {
	if size <= int64(held) {
		return ""
	}
	return fmt.Sprintf("%s as recorded, of which the archive holds %d (not judged)", plural.Count(size, "byte"), held)
}

// harInt is a size of the archive; -1 (HAR's "not known") for one that
// is not an integer, which claims nothing.
func harInt(v jsontext.Value) int64 {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return -1
	}
	return n
}
