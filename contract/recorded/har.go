package recorded

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// ReadHAR reads a HAR 1.2 archive from r and calls fn with each entry as an
// Exchange, in order. It holds one entry in memory at a time and reads past
// everything else (pages, timings, any other key, however large) without
// keeping it, so an archive of any size is read in bounded memory: see
// recorded.go for the bounds. A body larger than DefaultMaxBodyBytes as
// recorded is cut to its first DefaultMaxBodyBytes+1 bytes, without its
// Content-Encoding, which a check reports as too large (RuleBodyTooLarge).
//
// Bodies come as the archive stores them (base64-decoded when it says
// so), with one exception: HAR writers usually store a body decoded while
// keeping its Content-Encoding header (browsers do), where proxies store
// the encoded bytes. When a body's Content-Encoding says gzip, deflate or
// br but the stored bytes evidently are not (no gzip magic number; for
// deflate and br, text that does not decode), the Exchange goes without
// that header, so that a check sees the body as it is.
//
// An entry whose response status is 0 (no response: blocked or failed) is
// passed with a nil Response. source names the archive in errors and in
// each Exchange's Source ("source#N", N counting entries from 0). A
// malformed archive returns an *InputError; an error from fn stops the
// walk and is returned as is.
func ReadHAR(r io.Reader, source string, fn func(*contract.Exchange) error) error {
	return readHAR(r, source, harOptions{limit: contract.DefaultMaxBodyBytes}, func(ex *contract.Exchange, _ cutBodies) error {
		return fn(ex)
	})
}

// harOptions say what a check needs of an archive.
type harOptions struct {
	limit int64 // the most bytes of a body the check reads
	// need says whether the check reads the bodies of a request (an
	// operation of the contract); nil: every body is needed. A body that
	// is not needed is read past, not kept: its exchange comes without it.
	need func(method string, u *url.URL) bool
}

// harReader walks one archive.
type harReader struct {
	s       *jsonStream
	source  string
	opt     harOptions
	textCap int // the most bytes of a body's text kept (base64 and line breaks included)
	meta    []byte
	text    []byte
	fields  []harField // a headers list as it is read
	// entryState is the entry being read.
	entryState harEntry
	names      map[string]string // header names as recorded → canonical
}

// The bodies' texts kept above this size are not reused for the next
// entry, so that one large body does not keep its buffer for the rest of
// the archive.
const harReuseText = 1 << 20

func readHAR(r io.Reader, source string, opt harOptions, fn func(*contract.Exchange, cutBodies) error) error {
	enc := base64.StdEncoding.EncodedLen(int(storedLimit(opt.limit, true)))
	hr := &harReader{s: newJSONStream(r), source: source, opt: opt,
		textCap: enc + enc/32 + 64, // room for base64 broken into lines
		names:   map[string]string{}}
	s := hr.s
	s.skipBOM()
	if c, err := s.peek(); err != nil {
		return hr.fail("", fmt.Errorf("not a HAR archive: %w", err))
	} else if c != '{' {
		return hr.fail("", s.syntax("not a HAR archive: expected an object, found %s", kind(c)))
	}
	foundLog, foundEntries := false, false
	n := 0
	var stop error // fn's, returned as is
	err := s.object(func(name []byte) error {
		if string(name) != "log" {
			return s.skip()
		}
		foundLog = true
		if err := hr.expect('{', "log"); err != nil {
			return err
		}
		return s.object(func(name []byte) error {
			if string(name) != "entries" {
				return s.skip()
			}
			foundEntries = true
			if err := hr.expect('[', "log.entries"); err != nil {
				return err
			}
			return s.array(func() error {
				i := n
				n++
				ex, cut, err := hr.entry(source + "#" + strconv.Itoa(i))
				if err != nil {
					return hr.fail("entry "+strconv.Itoa(i), err)
				}
				if err := fn(ex, cut); err != nil {
					stop = err
					return err
				}
				return nil
			})
		})
	})
	if stop != nil {
		return stop
	}
	if err != nil {
		return hr.fail("", err)
	}
	if end, err := s.atEnd(); err != nil {
		return hr.fail("", err)
	} else if !end {
		return hr.fail("", errors.New("data after the archive"))
	}
	if !foundLog {
		return hr.fail("", errors.New("not a HAR archive: no \"log\""))
	}
	if !foundEntries {
		return hr.fail("", errors.New("not a HAR archive: no \"log.entries\""))
	}
	return nil
}

// fail makes err an *InputError at where, adding the byte offset of a
// syntax error, or the reader's when where is empty or the input ended.
func (hr *harReader) fail(where string, err error) error {
	var ie *InputError
	if errors.As(err, &ie) {
		return ie
	}
	at := int64(-1)
	var se *jsonSyntaxError
	if errors.As(err, &se) {
		at = se.offset
	} else if where == "" || errors.Is(err, io.ErrUnexpectedEOF) {
		at = hr.s.offset()
	}
	if at >= 0 {
		if where != "" {
			where += ", "
		}
		where += fmt.Sprintf("byte %d", at)
	}
	return &InputError{Source: hr.source, Where: where, Err: err}
}

// expect checks that the next value starts with c, naming the member.
func (hr *harReader) expect(c byte, member string) error {
	got, err := hr.s.peek()
	if err != nil {
		return err
	}
	if got != c {
		want := "an object"
		if c == '[' {
			want = "an array"
		}
		return hr.s.syntax("%s: expected %s, found %s", member, want, kind(got))
	}
	return nil
}

// harEntry is what a check needs of a HAR 1.2 entry, as it is read.
type harEntry struct {
	method, rawURL string
	u              *url.URL
	// needKnown: need says whether the check reads this exchange's bodies
	// (known once the method and URL are).
	needKnown, need bool
	skipped         bool // a body was read past, not kept
	// line is the budget of the method and URL, separate from the headers'
	// so that headers recorded before them cannot crowd them out.
	line      harBudget
	req, resp harMessage
	postData  bool // the request has postData
	response  bool // the entry has a response object
	status    int
}

// harMessage is what an entry records of one message.
type harMessage struct {
	header   http.Header
	headers  int // items in its headers list, HTTP/2 pseudo-headers included
	mimeType string
	encoding string
	text     []byte  // the body's text as stored (JSON-unescaped), up to the reader's textCap
	textLen  int64   // the whole text's length
	textTail [2]byte // its last two bytes
	// budget bounds its headers, MIME type and encoding.
	budget harBudget
}

// harBudget is what is left of maxHeaderBytes for a part of an entry;
// over: it ran out, and what was read past it is not kept.
type harBudget struct {
	left int
	over bool
}

// spend takes n bytes of the budget; false when they are not there.
func (b *harBudget) spend(n int) bool {
	if b.over || n > b.left {
		b.left, b.over = 0, true
		return false
	}
	b.left -= n
	return true
}

// entry reads one entry of log.entries.
func (hr *harReader) entry(name string) (*contract.Exchange, cutBodies, error) {
	e := &hr.entryState // reused: what an Exchange takes from it is its own
	*e = harEntry{line: harBudget{left: maxHeaderBytes},
		req: harMessage{budget: harBudget{left: maxHeaderBytes}}, resp: harMessage{budget: harBudget{left: maxHeaderBytes}}}
	s := hr.s
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "request":
			return prefixErr("request", hr.request(e))
		case "response":
			return prefixErr("response", hr.response(e))
		}
		return s.skip()
	})
	if err != nil {
		return nil, cutBodies{}, err
	}
	return hr.exchange(e, name)
}

func prefixErr(what string, err error) error {
	if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	var se *jsonSyntaxError
	if errors.As(err, &se) {
		return &jsonSyntaxError{msg: what + ": " + se.msg, offset: se.offset}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (hr *harReader) request(e *harEntry) error {
	s := hr.s
	if null, err := s.null(); null || err != nil {
		return err
	}
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "method":
			e.method, err = hr.metaString(&e.line)
			hr.decide(e)
		case "url":
			e.rawURL, err = hr.metaString(&e.line)
			hr.decide(e)
		case "headers":
			err = prefixErr("headers", hr.headers(&e.req))
		case "postData":
			if null, err := s.null(); null || err != nil {
				return err
			}
			e.postData = true
			err = prefixErr("postData", hr.content(e, &e.req))
		default:
			err = s.skip()
		}
		return err
	})
}

func (hr *harReader) response(e *harEntry) error {
	s := hr.s
	if null, err := s.null(); null || err != nil {
		return err
	}
	e.response = true
	return s.object(func(key []byte) error {
		switch string(key) {
		case "status":
			return prefixErr("status", hr.status(e))
		case "headers":
			return prefixErr("headers", hr.headers(&e.resp))
		case "content":
			if null, err := s.null(); null || err != nil {
				return err
			}
			return prefixErr("content", hr.content(e, &e.resp))
		}
		return s.skip()
	})
}

// status reads a response status: an integer, or null for none.
func (hr *harReader) status(e *harEntry) error {
	s := hr.s
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		e.status = 0
		return s.literal()
	}
	if c != '-' && (c < '0' || c > '9') {
		return s.syntax("expected a number, found %s", kind(c))
	}
	var digits [24]byte
	text, err := s.readNumber(digits[:0], len(digits))
	if err != nil {
		return err
	}
	st, err := strconv.Atoi(string(text))
	if err != nil {
		return fmt.Errorf("%s is not an integer", text)
	}
	e.status = st
	return nil
}

// decide works out, once the request's method and URL are known, whether
// the check needs the exchange's bodies. A URL longer than its budget is
// known by its path if the part kept holds all of it.
func (hr *harReader) decide(e *harEntry) {
	if e.needKnown || hr.opt.need == nil || e.method == "" || e.rawURL == "" {
		return
	}
	u, ok := e.parsedURL()
	if !ok {
		return // the entry is refused once read
	}
	e.u, e.needKnown, e.need = u, true, hr.opt.need(e.method, u)
}

// parsedURL parses the request URL, or the path of a URL too long to keep
// whole when the part kept holds all of it.
func (e *harEntry) parsedURL() (*url.URL, bool) {
	raw := e.rawURL
	if e.line.over {
		i := strings.IndexAny(raw, "?#")
		if i < 0 {
			return nil, false
		}
		raw = raw[:i]
	}
	u, err := url.Parse(raw)
	return u, err == nil
}

// metaString reads a string member (null reads as ""), within what is
// left of its budget: a longer one comes cut.
func (hr *harReader) metaString(budget *harBudget) (string, error) {
	b, _, err := hr.budgeted(budget)
	return string(b), err
}

// budgeted reads a string member (null reads as empty) into the reader's
// buffer, as much of it as is left of budget; fits: all of it was. The
// bytes are valid until the next read.
func (hr *harReader) budgeted(budget *harBudget) (b []byte, fits bool, err error) {
	s := hr.s
	if null, err := s.null(); null || err != nil {
		return nil, true, err
	}
	b, n, err := s.readString(hr.meta[:0], budget.left)
	hr.meta = b[:0]
	if err != nil {
		return nil, false, err
	}
	return b, budget.spend(int(min(n, maxHeaderBytes+1))), nil
}

// harField is one header of a headers list.
type harField struct{ name, value string }

// harHeaderCost is what a header costs of a message's budget beside its
// name and value: a server counts its line's ": " and CRLF; this reader
// counts what the header takes in memory.
const harHeaderCost = 32

// headers reads a message's headers list ([{"name", "value"}, …]) into its
// header, without HTTP/2 pseudo-headers (:status, :path, …).
func (hr *harReader) headers(m *harMessage) error {
	s := hr.s
	m.header, m.headers = nil, 0
	if null, err := s.null(); null || err != nil {
		return err
	}
	hr.fields = hr.fields[:0]
	err := s.array(func() error {
		if null, err := s.null(); null || err != nil {
			return err
		}
		m.headers++
		m.budget.spend(harHeaderCost)
		var name, value string
		err := s.object(func(key []byte) error {
			var err error
			switch string(key) {
			case "name":
				name, err = hr.headerName(&m.budget)
			case "value":
				value, err = hr.metaString(&m.budget)
			default:
				err = s.skip()
			}
			return err
		})
		if err != nil || m.budget.over || (len(name) > 0 && name[0] == ':') {
			return err
		}
		hr.fields = append(hr.fields, harField{name, value})
		return nil
	})
	// A map of the headers' number, and one array for all their values.
	m.header = make(http.Header, len(hr.fields))
	values := make([]string, len(hr.fields))
	for i, f := range hr.fields {
		values[i] = f.value
		if vs, ok := m.header[f.name]; ok {
			m.header[f.name] = append(vs, f.value) // a repeated name: an array of its own
		} else {
			m.header[f.name] = values[i : i+1 : i+1]
		}
	}
	clear(hr.fields)
	return err
}

// headerName reads a header name, canonical (as http.Header.Add makes it);
// the names an archive repeats on every entry cost no allocation.
func (hr *harReader) headerName(budget *harBudget) (string, error) {
	b, fits, err := hr.budgeted(budget)
	if err != nil || !fits {
		return "", err
	}
	if name, ok := hr.names[string(b)]; ok {
		return name, nil
	}
	name := textproto.CanonicalMIMEHeaderKey(string(b))
	if len(hr.names) < 256 {
		hr.names[string(b)] = name
	}
	return name, nil
}

// content reads a request's postData or a response's content: its
// mimeType, text and encoding.
func (hr *harReader) content(e *harEntry, m *harMessage) error {
	s := hr.s
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "mimeType":
			m.mimeType, err = hr.metaString(&m.budget)
		case "encoding": // not in HAR 1.2 for postData, written by some tools
			m.encoding, err = hr.metaString(&m.budget)
		case "text":
			err = hr.bodyText(e, m)
		default:
			err = s.skip()
		}
		return err
	})
}

// bodyText reads a body's text: kept up to textCap bytes when the check
// may need it, read past otherwise.
func (hr *harReader) bodyText(e *harEntry, m *harMessage) error {
	s := hr.s
	m.text, m.textLen = nil, 0
	if null, err := s.null(); null || err != nil {
		return err
	}
	if e.needKnown && !e.need {
		e.skipped = true
		_, n, err := s.readString(nil, 0)
		m.textLen = n
		return err
	}
	b, n, err := s.readString(hr.text[:0], hr.textCap)
	m.textLen, m.textTail = n, s.tail
	if len(b) > harReuseText {
		m.text, hr.text = b, nil // handed on, not copied
	} else {
		m.text, hr.text = append([]byte(nil), b...), b[:0]
	}
	return err
}

// exchange makes the entry an Exchange.
func (hr *harReader) exchange(e *harEntry, name string) (*contract.Exchange, cutBodies, error) {
	var cut cutBodies
	if e.method == "" || e.rawURL == "" {
		return nil, cut, errors.New("request without method or url")
	}
	u := e.u
	if u == nil && e.line.over {
		return nil, cut, fmt.Errorf("request: a method and URL of more than %d bytes, whose path this check cannot know", maxHeaderBytes)
	}
	if u == nil {
		var err error
		if u, err = url.Parse(e.rawURL); err != nil {
			return nil, cut, fmt.Errorf("request url: %w", err)
		}
	}
	need := true
	if hr.opt.need != nil {
		need = hr.opt.need(e.method, u)
	}
	if need && e.line.over {
		return nil, cut, fmt.Errorf("request: method and URL exceed %d bytes, more than a server reads (net/http's DefaultMaxHeaderBytes)", maxHeaderBytes)
	}
	if need && e.skipped {
		return nil, cut, errors.New("request method or url given twice, and changed after a body was read")
	}
	for _, side := range []struct {
		m    *harMessage
		what string
	}{{&e.req, "request"}, {&e.resp, "response"}} {
		if side.m.budget.over && need {
			return nil, cut, fmt.Errorf("%s: method, URL, headers and MIME type exceed %d bytes, more than a server reads (net/http's DefaultMaxHeaderBytes)", side.what, maxHeaderBytes)
		}
		if side.m.header == nil {
			side.m.header = http.Header{}
		}
	}
	req := &contract.Request{Method: e.method, URL: u, Header: e.req.header}
	if e.postData {
		if need {
			var err error
			if req.Body, cut.request, err = hr.body(&e.req); err != nil {
				return nil, cut, fmt.Errorf("request postData: %w", err)
			}
		}
		if e.req.headers == 0 && e.req.mimeType != "" {
			// A tool that records no headers at all: its mimeType is the
			// only record of the Content-Type.
			req.Header.Set("Content-Type", e.req.mimeType)
		}
	}
	ex := &contract.Exchange{Source: name, Request: req}
	if !e.response || e.status == 0 {
		return ex, cut, nil
	}
	resp := &contract.Response{StatusCode: e.status, Header: e.resp.header}
	if need {
		var err error
		if resp.Body, cut.response, err = hr.body(&e.resp); err != nil {
			return nil, cut, fmt.Errorf("response content: %w", err)
		}
	}
	if e.resp.headers == 0 && e.resp.mimeType != "" && len(resp.Body) > 0 {
		resp.Header.Set("Content-Type", e.resp.mimeType)
	}
	ex.Response = resp
	return ex, cut, nil
}

// body turns a message's text into its body: base64-decoded when the
// archive says so, cut when it is larger than a check reads (its size as
// recorded returned), and without a Content-Encoding its bytes evidently
// no longer have.
func (hr *harReader) body(m *harMessage) ([]byte, int64, error) {
	limit := hr.opt.limit
	text, size := m.text, m.textLen
	cut := size > int64(len(text))
	data := text
	switch m.encoding {
	case "":
	case "base64":
		if cut {
			text = base64Prefix(text)
			size = size / 4 * 3
			for _, c := range m.textTail {
				if c == '=' {
					size--
				}
			}
		}
		data = make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(data, text)
		if err != nil {
			return nil, 0, err
		}
		data = data[:n]
	default:
		return nil, 0, fmt.Errorf("unknown encoding %q", m.encoding)
	}
	if cut {
		if int64(len(data)) <= limit {
			// Only base64 broken by more line breaks than text can hold.
			return nil, 0, fmt.Errorf("a body of more than %d bytes of text, which does not decode to more than %d", len(text), limit)
		}
		return cutBody(m.header, data, limit), size, nil
	}
	if len(data) > 0 && staleContentEncoding(m.header, data, limit) {
		delete(m.header, "Content-Encoding")
	}
	return data, 0, nil
}

// base64Prefix is the longest prefix of cut base64 text that decodes: line
// breaks removed (in place), a whole number of 4-byte quanta.
func base64Prefix(text []byte) []byte {
	out := text[:0]
	for _, c := range text {
		if c != '\r' && c != '\n' {
			out = append(out, c)
		}
	}
	return out[:len(out)/4*4]
}

// staleContentEncoding reports whether a recorded body whose headers give
// it a Content-Encoding was evidently stored decoded: for gzip, it does not
// start with gzip's magic number (1f 8b); for deflate and br, which have
// none, it is UTF-8 text that does not decode. (A check decodes a body as
// its Content-Encoding says, so a stale header would otherwise make a
// conforming body "malformed".) Codings it does not know are left to the
// check to report.
func staleContentEncoding(h http.Header, data []byte, limit int64) bool {
	codings := contentCodings(h)
	outer := ""
	for i := len(codings) - 1; i >= 0 && outer == ""; i-- {
		if codings[i] != "identity" {
			outer = codings[i]
		}
	}
	switch outer {
	case "gzip", "x-gzip":
		return len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b
	case "deflate", "br":
		if !utf8.Valid(data) {
			return false
		}
		return !decodes(outer, data, limit)
	}
	return false
}
