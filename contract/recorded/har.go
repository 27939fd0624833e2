package recorded

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// ReadHAR reads a HAR 1.2 archive from r and calls fn with each entry as an
// Exchange, in order. It holds one entry in memory at a time, so memory is
// bounded by the largest entry, not by the archive: an entry larger than
// EntryCap (or a string elsewhere in the archive that is, in an unused key
// say) is an *InputError naming it. A body larger than DefaultMaxBodyBytes as
// recorded is cut to its first DefaultMaxBodyBytes+1 bytes, without its
// Content-Encoding, which a check reports as too large (RuleBodyTooLarge).
// A body the archive holds only in part (its content.size larger than its
// text), or not at all (no text, a _file of its own, a response marked
// failed after its status line), comes as what it holds: CheckHAR and
// CheckFile report it as not judged (RuleBodyTooLarge); a caller of
// ReadHAR judges what it gets.
//
// Bodies come as the archive stores them (base64-decoded when it says
// so), with one exception: HAR writers usually store a body decoded while
// keeping its Content-Encoding header (browsers do), where proxies store
// the encoded bytes. When a body's Content-Encoding names a coding a
// browser decodes (see staleContentEncoding) but the stored bytes
// evidently are not so encoded, the Exchange goes without that header, so
// that a check sees the body as it is.
//
// An entry whose response status is 0 or negative (no response: blocked
// or failed; Playwright writes -1) is passed with a nil Response. source
// names the archive in errors and in each Exchange's Source ("source#N", N counting entries from 0;
// "source#N (answered by the test's route.fulfill, not the service)" for an
// entry Playwright marks _wasFulfilled). A
// malformed archive returns an *InputError; an error from fn stops the
// walk and is returned as is.
func ReadHAR(r io.Reader, source string, fn func(*contract.Exchange) error) error {
	return readHAR(r, source, harOptions{limit: contract.DefaultMaxBodyBytes}.entryCap(), fn)
}

// readHAR is ReadHAR with each value of the archive capped at maxValue.
func readHAR(r io.Reader, source string, maxValue int64, fn func(*contract.Exchange) error) error {
	// The writer decides only what ReadHAR's callers do not get (which
	// credentials a recorder removed): not passed on.
	return walkHAR(r, source, maxValue, func(i int, entry []byte, _ string) error {
		ex, _, err := harExchange(entry, source, i, harOptions{limit: contract.DefaultMaxBodyBytes})
		if err != nil {
			return err
		}
		return fn(ex)
	})
}

// EntryCap is the most bytes of JSON one entry of a HAR archive may take
// (and any string or number elsewhere in it, which a reader skips a token
// at a time): 64 MiB, or four times the check's body limit when that is
// larger, room for a request and a response body each as large as a check
// reads, base64 and escapes included. A reader holds one entry's JSON, and what it makes of it.
const EntryCap = 64 << 20

// harOptions say what a check needs of an archive.
type harOptions struct {
	limit int64 // the most bytes of a body the check reads
	// need says whether the check reads the bodies of a request (an
	// operation of the contract); nil: every body is needed. A body that
	// is not needed is not decoded: its exchange comes without it.
	need func(method string, u *url.URL) bool
	// writer is the archive's log.creator.name, when it comes before
	// log.entries (as every writer we know puts it): see chromeDevTools.
	writer string
	// files holds the bodies the archive names in a _file (see attached);
	// nil for an archive read from a stream.
	files fs.FS
}

// entryCap is the cap on one value of the archive for a check reading
// bodies of up to limit bytes.
func (o harOptions) entryCap() int64 { return max(EntryCap, 4*o.limit) }

// errOverCap is what capReader returns past its allowance.
var errOverCap = errors.New("larger than the cap")

// capReader lets the JSON decoder read no more than max bytes past the end
// of the last token or value it read: so that no value it reads, or skips,
// larger than the cap is ever buffered whole.
type capReader struct {
	r      io.Reader
	dec    *jsontext.Decoder
	n, max int64
}

func (c *capReader) Read(p []byte) (int, error) {
	allow := c.dec.InputOffset() + c.max - c.n
	if allow <= 0 {
		return 0, errOverCap
	}
	if int64(len(p)) > allow {
		p = p[:allow]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// harArchive is what the walk reads of an archive: log.entries, whose
// unmarshaler (walkHAR's) hands each entry on, and log.creator, which
// says who wrote them; json skips every other value, a token at a time.
type harArchive struct {
	Log struct {
		Creator jsontext.Value `json:"creator"` // read loosely: see writerName
		Entries harEntries     `json:"entries"`
	} `json:"log"`
}

// writerName is the name in a log.creator, or "" when it has none: what a
// writer says of itself decides nothing worth refusing an archive for.
func writerName(creator jsontext.Value) string {
	var c struct {
		Name string `json:"name"`
	}
	_ = jsonv2.Unmarshal(creator, &c)
	return c.Name
}

// harEntries marks log.entries for the walk's unmarshaler.
type harEntries struct{}

// walkHAR reads an archive with a streaming JSON decoder and calls fn with
// the JSON of each entry of log.entries, in order (valid until fn
// returns), and the name of the archive's writer when log.creator came
// before; every other value is skipped. No value it reads or skips may
// take more than maxValue bytes. An error from fn is returned as is.
func walkHAR(r io.Reader, source string, maxValue int64, fn func(i int, entry []byte, writer string) error) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	skipByteOrderMark(br)
	cr := &capReader{r: br, max: maxValue}
	// The walk only finds where each entry ends: the entry's own decoding
	// checks its names and its UTF-8, so the walk need not do it twice.
	dec := jsontext.NewDecoder(cr, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	cr.dec = dec
	found, n := false, 0
	var stop error   // fn's, returned as is
	var broken error // what stopped the read of entry n, which walkError names
	var archive harArchive
	entriesFunc := jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, _ *harEntries) error {
		found = true
		writer := writerName(archive.Log.Creator)
		if k := dec.PeekKind(); k != '[' {
			if err := dec.SkipValue(); err != nil { // a syntax error says more
				return err
			}
			return fmt.Errorf("expected an array, found %s", kindName(k))
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != ']' && dec.PeekKind() != 0 {
			entry, err := dec.ReadValue()
			if err != nil {
				broken = err
				return err
			}
			if err := fn(n, entry, writer); err != nil {
				stop = err
				return err
			}
			n++
		}
		_, err := dec.ReadToken() // ']', or the error that stopped the loop
		return err
	})
	err := jsonv2.UnmarshalDecode(dec, &archive, jsonv2.WithUnmarshalers(entriesFunc))
	if err == nil {
		if _, err = dec.ReadToken(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("data after the archive")
		}
	}
	if err == nil && !found {
		err = errors.New(`not a HAR archive: no "log.entries"`)
	}
	switch {
	case stop != nil:
		return stop
	case broken != nil:
		return walkError(source, "entry "+strconv.Itoa(n), broken, dec, maxValue)
	case err != nil:
		return walkError(source, "", err, dec, maxValue)
	}
	return nil
}

// walkError is the *InputError of what stopped the walk at where ("": not
// inside an entry), saying what is wrong as a reader of the archive would,
// without json's Go types, and at which byte when that is what tells.
func walkError(source, where string, err error, dec *jsontext.Decoder, maxValue int64) error {
	at := dec.InputOffset()
	var se *jsontext.SyntacticError
	var me *jsonv2.SemanticError
	switch {
	case errors.Is(err, errOverCap):
		what := ""
		if where == "" {
			what = string(dec.StackPointer()) + ": "
		}
		return &InputError{Source: source, Where: where, Err: fmt.Errorf("%slarger than %d MiB, the most one value of an archive may take here", what, maxValue>>20)}
	case errors.As(err, &se):
		// The offset, and what is wrong there: jsontext's pointer into a
		// value cut short depends on how the reads fell.
		at = se.ByteOffset
		if se.Err != nil {
			err = se.Err
			if reason := safetext.JSONReason(err.Error()); reason != err.Error() {
				err = errors.New(reason)
			}
		}
	case errors.As(err, &me):
		what, problem := string(me.JSONPointer), me.Err
		if problem == nil {
			problem = fmt.Errorf("expected an object, found %s", kindName(me.JSONKind))
		}
		if what == "" {
			what = "not a HAR archive"
		}
		err = fmt.Errorf("%s: %w", what, problem)
	case where != "" && !errors.Is(err, io.ErrUnexpectedEOF):
		return &InputError{Source: source, Where: where, Err: err}
	}
	if where != "" {
		where += ", "
	}
	return &InputError{Source: source, Where: where + fmt.Sprintf("byte %d", at), Err: err}
}

// kindName names a JSON kind in an error.
func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "no value"
}

// harEntry is what a check reads of a HAR 1.2 entry.
type harEntry struct {
	Request *struct {
		Method   string         `json:"method"`
		URL      string         `json:"url"`
		Headers  []harHeader    `json:"headers"`
		PostData *harContent    `json:"postData"`
		BodySize jsontext.Value `json:"bodySize"` // see requestInPart
	} `json:"request"`
	Response *harResponse `json:"response"`
	// Fulfilled is Playwright's _wasFulfilled (harTracer.ts): the test's
	// route.fulfill answered the request, not the service. Read loosely:
	// only true says so.
	Fulfilled jsontext.Value `json:"_wasFulfilled"`
}

// fulfilledByTest follows the entry's name in the Source of an exchange a
// test's mock answered: a mock that breaks the contract is worth finding
// (it no longer stands for the service), but the fix is the test's.
const fulfilledByTest = " (answered by the test's route.fulfill, not the service)"

// harResponse is what a check reads of an entry's response.
type harResponse struct {
	Status   jsontext.Value `json:"status"`
	Headers  []harHeader    `json:"headers"`
	Content  *harContent    `json:"content"`
	BodySize jsontext.Value `json:"bodySize"` // see responseInPart
	// What went wrong after the status line, when something did: Chrome's
	// _error (null when nothing did), Playwright's _failureText. See
	// failedResponse.
	Error       jsontext.Value `json:"_error"`
	FailureText jsontext.Value `json:"_failureText"`
}

type harHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// harContent is a request's postData or a response's content.
type harContent struct {
	MimeType string         `json:"mimeType"`
	Text     jsontext.Value `json:"text"`     // decoded only when the check reads the body
	Encoding string         `json:"encoding"` // not in HAR 1.2 for postData, written by some tools
	Size     jsontext.Value `json:"size"`     // content's only: see responseInPart
	// File is where Playwright's recordHar with content: 'attach' put the
	// body instead of text: a file beside the archive, or in its zip (see
	// attached); fromFile says the reader read it from there.
	File     string `json:"_file"`
	fromFile bool
}

// held reports whether the archive holds the body, as text or in a file the
// reader read.
func (c *harContent) held() bool { return c.Text.Kind() == '"' || c.fromFile }

// chromeDevTools is the log.creator.name of the archives Chrome's and
// Edge's DevTools write (devtools-frontend, models/har/Log.ts). Their
// default export, "sanitized" since Chrome 130, removes every
// Authorization and Cookie header from the requests (and Set-Cookie from
// the responses), and says so nowhere in the archive: a request without
// Authorization there may well have sent one.
const chromeDevTools = "WebInspector"

// credentialsRemoved is what a security violation of a request without
// Authorization says in an archive Chrome's DevTools wrote.
const credentialsRemoved = "no Authorization header, in an archive of Chrome's or Edge's DevTools (creator WebInspector), " +
	"whose default export (sanitized) removes it: export with sensitive data to judge it (not judged)"

// harHeaderCost is what a header costs of a message's budget beside its
// name and value: a server counts its line's ": " and CRLF; this reader
// counts what the header takes in memory.
const harHeaderCost = 32

// harExchange makes the JSON of entry i of source an Exchange, with its
// bodies when the check reads them. Its errors are *InputError naming the
// entry.
func harExchange(entry []byte, source string, i int, opt harOptions) (ex *contract.Exchange, cut cutBodies, err error) {
	defer func() {
		if err != nil {
			ex, err = nil, &InputError{Source: source, Where: "entry " + strconv.Itoa(i), Err: err}
		}
	}()
	var e harEntry
	if err := unmarshalEntry(entry, &e); err != nil {
		return nil, cut, entryJSONError(err)
	}
	rq := e.Request
	if rq == nil || rq.Method == "" || rq.URL == "" {
		return nil, cut, errors.New("request without method or url")
	}
	u, err := url.Parse(rq.URL)
	if err != nil {
		// What is wrong, without url.Parse's *url.Error around it,
		// which quotes the URL whole (a password in its userinfo, an
		// access token in its query).
		return nil, cut, fmt.Errorf("request url does not parse: %w", errors.Unwrap(err))
	}
	need := opt.need == nil || opt.need(rq.Method, u)
	if need && len(rq.Method)+len(rq.URL) > maxHeaderBytes {
		return nil, cut, fmt.Errorf("request: method and URL exceed %d bytes, more than a server reads (net/http's DefaultMaxHeaderBytes)", maxHeaderBytes)
	}
	req := &contract.Request{Method: rq.Method, URL: u}
	if req.Header, err = harHeaders(rq.Headers, rq.PostData, "request", need); err != nil {
		return nil, cut, err
	}
	reqCoded := req.Header.Get("Content-Encoding") != "" // before harBody drops a stale one
	if need && opt.writer == chromeDevTools && req.Header.Get("Authorization") == "" {
		cut.credentials = credentialsRemoved
	}
	if rq.PostData != nil && need {
		if req.Body, cut.request, err = harBody(rq.PostData, req.Header, opt.limit, opt.files); err != nil {
			return nil, cut, fmt.Errorf("request postData: %w", err)
		}
		if len(rq.Headers) == 0 && rq.PostData.MimeType != "" {
			// A tool that records no headers at all: its mimeType is the
			// only record of the Content-Type.
			req.Header.Set("Content-Type", rq.PostData.MimeType)
		}
	}
	if need && cut.request == 0 {
		cut.requestInPart = requestInPart(rq.PostData, rq.BodySize, reqCoded, len(req.Body))
	}
	ex = &contract.Exchange{Source: source + "#" + strconv.Itoa(i), Request: req}
	if string(e.Fulfilled) == "true" {
		ex.Source += fulfilledByTest
	}
	rs := e.Response
	if rs == nil {
		return ex, cut, nil
	}
	status, err := harStatus(rs.Status)
	if err != nil || status <= 0 {
		// No response: browsers and mitmproxy write 0, Playwright -1 (the
		// status it starts every entry with, kept when the request fails).
		return ex, cut, err
	}
	resp := &contract.Response{StatusCode: status}
	if resp.Header, err = harHeaders(rs.Headers, rs.Content, "response", need); err != nil {
		return nil, cut, err
	}
	if need {
		coded := resp.Header.Get("Content-Encoding") != "" // before harBody drops a stale one
		if rs.Content != nil {
			if resp.Body, cut.response, err = harBody(rs.Content, resp.Header, opt.limit, opt.files); err != nil {
				return nil, cut, fmt.Errorf("response content: %w", err)
			}
			if len(rs.Headers) == 0 && rs.Content.MimeType != "" && len(resp.Body) > 0 {
				resp.Header.Set("Content-Type", rs.Content.MimeType)
			}
		}
		if cut.response == 0 {
			cut.responseInPart = responseInPart(rs, status, coded, len(resp.Body))
		}
	}
	ex.Response = resp
	return ex, cut, nil
}

// entryJSONError says what of an entry is not of the HAR format, without
// Go's type names.
func entryJSONError(err error) error {
	var se *jsonv2.SemanticError
	if errors.As(err, &se) && se.JSONKind != 0 {
		problem := fmt.Errorf("%s is not what HAR 1.2 has there", kindName(se.JSONKind))
		if se.JSONPointer == "" { // the entry itself
			return problem
		}
		return fmt.Errorf("%s: %w", se.JSONPointer, problem)
	}
	// Duplicate names, invalid UTF-8: where in the entry, not at which
	// offset of it, which is not the archive's.
	var ye *jsontext.SyntacticError
	if errors.As(err, &ye) && ye.Err != nil {
		ptr, msg := ye.JSONPointer, safetext.JSONReason(ye.Err.Error())
		if ye.Err == jsontext.ErrDuplicateName {
			ptr, msg = ptr.Parent(), msg+" "+strconv.Quote(ptr.LastToken())
		}
		return fmt.Errorf("%s: %s", ptr, msg)
	}
	return err
}

// harStatus reads a response status: an integer, or null for none.
func harStatus(v jsontext.Value) (int, error) {
	switch v.Kind() {
	case 'n', 0:
		return 0, nil
	case '0':
		st, err := strconv.Atoi(string(v))
		if err != nil {
			return 0, fmt.Errorf("response: status: %s is not an integer", v)
		}
		return st, nil
	}
	return 0, fmt.Errorf("response: status: expected a number, found %s", kindName(v.Kind()))
}

// harHeaders makes a message's headers list ([{"name", "value"}, …]) its
// header, without HTTP/2 pseudo-headers (:status, :path, …), within
// net/http's limit on a message's head when the check reads them (need).
func harHeaders(list []harHeader, c *harContent, what string, need bool) (http.Header, error) {
	size := 0
	if c != nil {
		size = len(c.MimeType) + len(c.Encoding)
	}
	h := make(http.Header, len(list))
	for _, f := range list {
		size += harHeaderCost + len(f.Name) + len(f.Value)
		if f.Name == "" || f.Name[0] == ':' {
			continue
		}
		h.Add(f.Name, f.Value)
	}
	if need && size > maxHeaderBytes {
		return nil, fmt.Errorf("%s: headers and MIME type exceed %d bytes, more than a server reads (net/http's DefaultMaxHeaderBytes)", what, maxHeaderBytes)
	}
	return h, nil
}

// harBody turns a message's text into its body: base64-decoded when the
// archive says so, or read from its _file in files (see attached), cut
// when it is larger than a check reads (its size as recorded returned),
// and without a Content-Encoding its bytes evidently no longer have.
func harBody(c *harContent, h http.Header, limit int64, files fs.FS) ([]byte, int64, error) {
	if c.File != "" {
		data, size, ok := attached(files, c.File, storedLimit(limit, true))
		if !ok {
			return nil, 0, nil // not held: responseInPart and requestInPart say so
		}
		c.fromFile = true
		data, cut := storedBody(h, data, size, limit)
		return data, cut, nil
	}
	if k := c.Text.Kind(); k != '"' {
		if k == 'n' || k == 0 {
			return nil, 0, nil
		}
		return nil, 0, fmt.Errorf("text: expected a string, found %s", kindName(k))
	}
	data, err := unquoteText(c.Text)
	if err != nil {
		return nil, 0, err
	}
	switch c.Encoding {
	case "":
	case "base64":
		dst := make([]byte, base64.StdEncoding.DecodedLen(len(data)))
		n, err := base64.StdEncoding.Decode(dst, data)
		if err != nil {
			return nil, 0, err
		}
		data = dst[:n]
	default:
		return nil, 0, fmt.Errorf("unknown encoding %q", c.Encoding)
	}
	data, cut := storedBody(h, data, int64(len(data)), limit)
	return data, cut, nil
}

// storedBody is the body a reader hands on of data, a body of size bytes
// as stored (data holds at least the first storedLimit+1 of them), and its
// size as recorded when it cuts it (0 when it keeps it whole): cut when it
// is larger than a check reads (see cutBody), and without a
// Content-Encoding its bytes evidently no longer have.
func storedBody(h http.Header, data []byte, size, limit int64) ([]byte, int64) {
	if size > storedLimit(limit, true) {
		return cutBody(h, data, limit), size
	}
	if len(data) > 0 && staleContentEncoding(h, data, limit) {
		delete(h, "Content-Encoding")
	}
	return data, 0
}
