package recorded

import (
	"fmt"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// inPart is what the body-size violation of a HAR response body recorded
// in part says of it, or "" for a body recorded whole. HAR 1.2's
// content.size is the body's length; a writer that keeps only part of a
// body says so by a size larger than the text it stores: Firefox past its
// limit on a response body, linktoken proxy when the upstream's body broke
// off. held is the length of the text, base64-decoded. coded says the
// response has a Content-Encoding: mitmproxy writes the encoded length as
// both content.size and bodySize beside the decoded text, and an encoded
// body can be the longer (gzip of a short one is), so a size equal to
// bodySize claims nothing then.
func inPart(c *harContent, bodySize jsontext.Value, coded bool, held int) string {
	size := harInt(c.Size)
	if coded && size == harInt(bodySize) {
		return ""
	}
	return heldInPart(size, held)
}

// requestInPart is inPart for a request, whose postData has no size of
// its own in HAR 1.2: the request's bodySize (the body as sent) larger than
// the text held says a writer kept part of it, or none (linktoken proxy
// past its --max-body-bytes). An encoded body claims nothing: its size is
// not the decoded text's.
func requestInPart(bodySize jsontext.Value, coded bool, held int) string {
	if coded {
		return ""
	}
	return heldInPart(harInt(bodySize), held)
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
