package recorded

import (
	"fmt"
	"net/http"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

// What the recorded-traffic readers (HAR archives, raw HTTP exchange
// files) share: their error, and how they bound what they keep.
//
// A raw HTTP file is read as a stream, one message at a time, and of a
// message no more is kept than
//   - maxHeaderBytes of request line and headers, net/http's own limit on
//     what a server reads (a larger header block is an *InputError); and
//   - one body's worth per body, by the validator's limit (MaxBodyBytes,
//     DefaultMaxBodyBytes for ReadHAR and ReadHTTPExchanges): a body larger
//     as recorded is cut (see cutBody), and the check reports it with
//     RuleBodyTooLarge, naming its size, instead of reading it; the rest
//     is read past.
//
// A HAR archive is read with a streaming JSON decoder (jsontext), one
// entry at a time: memory is bounded by the largest entry, which may take
// no more than EntryCap bytes of JSON (nor may any string or number the
// reader skips, in pages or an unused key: it skips them a token at a
// time). Of an entry it keeps what a raw file
// would (the same limits, except that a header block over maxHeaderBytes
// is refused only for an operation of the contract, whose headers are
// read), and of an exchange outside the contract no body at all.

// InputError is input a reader cannot use: a malformed HAR file, a raw HTTP
// file that does not parse, a file that cannot be read. It names the source
// and, where it can, the place, and what is wrong; but it quotes nothing of
// the input that may hold a secret: not a URL (userinfo, query), nor a
// header line (a digest response, a bearer token, a link-token), which
// net/url's and net/http's own errors quote whole.
type InputError struct {
	Source string // the file
	Where  string // "entry 12", "byte 3071", …; may be empty
	Err    error
}

func (e *InputError) Error() string {
	if e.Where != "" {
		return fmt.Sprintf("%s: %s: %v", e.Source, e.Where, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Source, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// maxHeaderBytes bounds the request line and headers of one recorded
// message: net/http's default for a server, so no more than a server would
// have read.
const maxHeaderBytes = http.DefaultMaxHeaderBytes

// storedLimit is the most bytes of a body, as recorded, that a reader
// keeps for a check whose limit on a (decoded) body is limit. A
// content-encoded body gets some room above the limit: an incompressible
// body grows a little when encoded (gzip and deflate by 5 bytes in 65,535,
// plus a header), and whether it fits is the check's to say once it has
// decoded it.
func storedLimit(limit int64, encoded bool) int64 {
	if !encoded {
		return limit
	}
	return limit + limit/1024 + 4096
}

// cutBody is what a reader hands on for a body larger, as recorded, than
// it keeps: its first limit+1 bytes, which a check reports as too large
// (RuleBodyTooLarge) without looking into it. The message's
// Content-Encoding goes, because a cut body does not decode: the check
// then reports its size, not a broken encoding. data must hold at least
// limit+1 bytes.
func cutBody(h http.Header, data []byte, limit int64) []byte {
	delete(h, "Content-Encoding")
	return data[: limit+1 : limit+1]
}

// cutBodies records what of an exchange a reader did not get whole: which
// bodies it cut, by their size as recorded (0: not cut), a body the
// recording holds only in part (see responseInPart), and credentials its
// writer may have removed (see chromeDevTools), each with what the
// violation reporting it says.
type cutBodies struct {
	request, response             int64
	requestInPart, responseInPart string
	credentials                   string
}

// explain puts the recorded size of a cut body into the violation that
// reports it, in place of the length of the part the reader kept; a body
// recorded in part, or not at all, is reported so, not judged as if whole;
// and credentials the writer may have removed are not judged missing.
func (c cutBodies) explain(ex *contract.Exchange, res *contract.Result) {
	request, response := asRecorded(c.request), asRecorded(c.response)
	if c.requestInPart != "" {
		request = c.requestInPart
		serverside.DropBodyFindings(res, contract.SideRequest)
	}
	if c.responseInPart != "" {
		response = c.responseInPart
		serverside.DropBodyFindings(res, contract.SideResponse)
	}
	serverside.ExplainCut(ex, res, request, response)
	if c.credentials != "" {
		// The request has no Authorization: what the check says of its
		// credentials is that there are none.
		for _, v := range res.Violations {
			if v.Side == contract.SideRequest && v.Rule == contract.RuleSecurity {
				v.Found = c.credentials
			}
		}
	}
}

// asRecorded is what the body-size violation of a body cut says of its n
// bytes as recorded; "" for a body not cut (n is 0).
func asRecorded(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d bytes as recorded", n)
}
