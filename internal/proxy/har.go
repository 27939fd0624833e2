package proxy

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/redact"
	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

// HARWriter writes a HAR 1.2 archive one entry at a time, and keeps the
// file a complete archive after every entry: each entry is written
// together with the archive's closing brackets, and the next one starts
// where those brackets began. An interrupted proxy (even one killed
// outright) leaves valid JSON that linktoken check reads. A file that
// cannot seek (a pipe) gets its brackets when the writer is closed.
//
// Entries are written as the exchanges end, under a lock: writing one is
// microseconds, next to the upstream's milliseconds, so the file needs no
// goroutine or queue of its own.
type HARWriter struct {
	mu       sync.Mutex // guards every field below
	f        *os.File
	path     string
	seekable bool
	closed   bool
	entries  int
	err      error // the first failure; recording stops there
}

const harTail = "\n]}}\n"

// CreateHAR starts an archive at path. It refuses a symbolic link (which
// would have it write wherever the link points); a regular file, or none,
// is replaced atomically: the archive is written to a new file beside it,
// renamed over path once its head is written, so path is at every moment
// either what it was or a complete archive. Anything else that is there
// (a named pipe, a terminal) is written to as it is.
func CreateHAR(path, creatorVersion string) (*HARWriter, error) {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&os.ModeSymlink != 0:
		return nil, fmt.Errorf("%s is a symbolic link: name the file itself", path)
	case err == nil && !fi.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		// What was opened must be what Lstat saw, not a link put there since.
		if opened, err := f.Stat(); err != nil || !os.SameFile(fi, opened) {
			_ = f.Close()
			return nil, fmt.Errorf("%s changed while it was opened", path)
		}
		return startHAR(f, path, creatorVersion)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	h, err := startHAR(f, path, creatorVersion)
	if err == nil {
		if err = os.Rename(f.Name(), path); err != nil {
			_ = f.Close()
		}
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, err
	}
	return h, nil
}

// startHAR writes the archive's head to f; on failure it closes f.
func startHAR(f *os.File, path, creatorVersion string) (*HARWriter, error) {
	creator, _ := json.Marshal(map[string]string{"name": "linktoken proxy", "version": creatorVersion})
	head := `{"log":{"version":"1.2","creator":` + string(creator) + `,"entries":[`
	h := &HARWriter{f: f, path: path}
	_, serr := f.Seek(0, io.SeekCurrent)
	h.seekable = serr == nil
	if err := h.write(head, ""); err != nil {
		_ = f.Close()
		return nil, err
	}
	return h, nil
}

// write appends s; on a seekable file the tail follows it and the offset
// goes back to where the tail starts.
func (h *HARWriter) write(s, sep string) error {
	if !h.seekable {
		_, err := io.WriteString(h.f, sep+s)
		return err
	}
	if _, err := io.WriteString(h.f, sep+s+harTail); err != nil {
		return err
	}
	_, err := h.f.Seek(-int64(len(harTail)), io.SeekCurrent)
	return err
}

// add writes an entry. Safe for concurrent use; after Close it does
// nothing, and after a failure nothing more is written (the failure is
// Close's error).
func (h *HARWriter) add(e *harEntry) {
	// Encoded before the lock: exchanges ending together wait only for
	// each other's writes.
	data, err := json.Marshal(e)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.err != nil {
		return
	}
	if err != nil {
		h.err = err
		return
	}
	sep := "\n"
	if h.entries > 0 {
		sep = ",\n"
	}
	if h.err = h.write(string(data), sep); h.err == nil {
		h.entries++
	}
}

// Count is the number of entries written.
func (h *HARWriter) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.entries
}

// Close finishes the archive and closes the file.
func (h *HARWriter) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	err := h.err
	if !h.seekable && err == nil {
		_, err = io.WriteString(h.f, harTail)
	}
	if h.seekable {
		err = errors.Join(err, h.f.Sync())
	}
	if cerr := h.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("recording to %s: %w", h.path, err)
	}
	return nil
}

// The parts of a HAR 1.2 entry (http://www.softwareishard.com/blog/har-12-spec/),
// with every field the format requires.
type (
	harEntry struct {
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		Comment         string      `json:"comment,omitempty"`
	}
	harRequest struct {
		Method      string       `json:"method"`
		URL         string       `json:"url"`
		HTTPVersion string       `json:"httpVersion"`
		Cookies     []struct{}   `json:"cookies"`
		Headers     []harNV      `json:"headers"`
		QueryString []harNV      `json:"queryString"`
		PostData    *harPostData `json:"postData,omitempty"`
		HeadersSize int          `json:"headersSize"`
		BodySize    int          `json:"bodySize"`
	}
	// harPostData's encoding is not in HAR 1.2; linktoken check and other
	// readers take it, for a body that is not UTF-8.
	harPostData struct {
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
		Encoding string `json:"encoding,omitempty"`
	}
	harResponse struct {
		Status      int        `json:"status"`
		StatusText  string     `json:"statusText"`
		HTTPVersion string     `json:"httpVersion"`
		Cookies     []struct{} `json:"cookies"`
		Headers     []harNV    `json:"headers"`
		Content     harContent `json:"content"`
		RedirectURL string     `json:"redirectURL"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int        `json:"bodySize"`
	}
	harContent struct {
		Size     int    `json:"size"`
		MimeType string `json:"mimeType"`
		Text     string `json:"text,omitempty"`
		Encoding string `json:"encoding,omitempty"`
		Comment  string `json:"comment,omitempty"`
	}
	harTimings struct {
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
	}
	harNV struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
)

// harPairs lists headers or query parameters sorted by name, so
// archives compare.
func harPairs[M ~map[string][]string](m M) []harNV {
	out := []harNV{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		for _, v := range m[name] {
			out = append(out, harNV{name, v})
		}
	}
	return out
}

// harText is a body as HAR text: as it is when UTF-8, else base64.
func harText(b []byte) (text, encoding string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

// upstreamURL is the URL the upstream was asked: its scheme and host, the
// path and query as the client sent them.
func upstreamURL(upstream *url.URL, u *url.URL) *url.URL {
	out := *u
	out.Scheme, out.Host, out.User = upstream.Scheme, upstream.Host, nil
	return &out
}

func harMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// newHAREntry is an entry for a request to u that started at start and
// took took, with no headers, body or response yet: HAR's "no response"
// is status 0, as browsers record a failed request.
func newHAREntry(method string, u *url.URL, start time.Time, took time.Duration) *harEntry {
	return &harEntry{
		StartedDateTime: start.UTC().Format(time.RFC3339Nano),
		Time:            harMillis(took),
		Timings:         harTimings{Wait: harMillis(took)},
		Request: harRequest{
			Method: method, URL: u.String(), HTTPVersion: "HTTP/1.1",
			Cookies: []struct{}{}, Headers: []harNV{}, QueryString: []harNV{}, HeadersSize: -1, BodySize: -1,
		},
		Response: harResponse{
			HTTPVersion: "HTTP/1.1", Cookies: []struct{}{}, Headers: []harNV{}, HeadersSize: -1, BodySize: -1,
			Content: harContent{Size: -1},
		},
	}
}

// contractEntry is the record of one exchange of the contract, with every
// secret redacted as the contract says (package contract/redact), so
// that the archive checks as the traffic did. A body over the cap is not
// recorded: the proxy never held all of it, so nothing could redact it.
func (p *Proxy) contractEntry(x *exchange, took time.Duration) *harEntry {
	red := redact.Exchange(p.v, &contract.Exchange{Request: x.req, Response: x.resp})
	p.redactAnyCase(red)
	u := upstreamURL(p.upstream, red.Request.URL)
	var comments []string
	if x.sent != nil {
		// As sent: judged as the contract's path, it was not that path.
		u.Path, u.RawPath = x.sent.Path, x.sent.RawPath
		comments = append(comments, "the path is a variant of the contract's "+x.m.Server+x.m.Path+", and was judged as that path")
	}
	e := newHAREntry(red.Request.Method, u, x.start, took)
	e.Request.Headers, e.Request.QueryString = harPairs(red.Request.Header), harPairs(u.Query())
	if x.reqOver {
		// Not held, so not recorded: a bodySize larger than the (absent)
		// postData says so to a reader, as content.size does for an answer.
		e.Request.BodySize = p.overCapSize(red.Request.Header)
		comments = append(comments, "request body over "+plural.Count(p.maxBody, "byte")+": not recorded "+
			"(--max-body-bytes; bodySize is its Content-Length, or the cap and a byte without one)")
	} else {
		e.Request.BodySize = len(red.Request.Body)
	}
	if len(red.Request.Body) > 0 {
		text, enc := harText(red.Request.Body)
		e.Request.PostData = &harPostData{MimeType: red.Request.Header.Get("Content-Type"), Text: text, Encoding: enc}
	}
	if r := red.Response; r == nil {
		comments = append(comments, "no response: the upstream did not answer")
	} else {
		e.Response.Status, e.Response.StatusText = r.StatusCode, http.StatusText(r.StatusCode)
		e.Response.Headers = harPairs(r.Header)
		e.Response.Content.MimeType = r.Header.Get("Content-Type")
		switch {
		// A body not held is not recorded: a size larger than the empty
		// text says so to a reader, as for a body that broke off.
		case x.respOver:
			e.Response.Content.Size = p.overCapSize(r.Header)
			e.Response.Content.Comment = "body over " + plural.Count(p.maxBody, "byte") + ": not recorded " +
				"(--max-body-bytes; content.size is its Content-Length, or the cap and a byte without one)"
		case x.unchecked:
			e.Response.Content.Size = untold(r.Header, 0)
			e.Response.Content.Comment = "body not held: the proxy's buffer limit (--max-buffered-bytes) was reached, " +
				"so it was passed on unchecked and not recorded (content.size is its Content-Length, or 1 without one)"
		default:
			e.Response.BodySize, e.Response.Content.Size = len(r.Body), len(r.Body)+missing(x)
			e.Response.Content.Text, e.Response.Content.Encoding = harText(r.Body)
		}
		if x.respErr != nil {
			comments = append(comments, "the upstream's body broke off after the bytes recorded (content.size counts what was still due)")
		}
		if x.refused {
			comments = append(comments, "refused by linktoken proxy --enforce: the upstream did not see this request")
		}
	}
	e.Comment = strings.Join(comments, "; ")
	return e
}

// missing is how many bytes of the upstream's response body never came:
// none when it came whole, else untold's. Added to content.size, HAR
// 1.2's length of the body, it makes the size larger than the text
// recorded, which tells a reader (linktoken check among them) that the
// archive holds only part of the body, as browsers say of a body they
// truncate.
func missing(x *exchange) int {
	if x.respErr == nil {
		return 0
	}
	return untold(x.resp.Header, len(x.resp.Body))
}

// overCapSize is the recorded size of a body over --max-body-bytes, none
// of it held: its Content-Length, or the cap and a byte without one.
func (p *Proxy) overCapSize(h http.Header) int {
	return max(untold(h, 0), int(p.maxBody)+1)
}

// untold is how many bytes of a response body with header h lie beyond
// the held bytes the archive stores: what its Content-Length declared
// beyond them, or 1 when it declared no more (all the proxy knows then is
// that the body did not end there).
func untold(h http.Header, held int) int {
	declared, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil || declared <= held {
		return 1
	}
	return declared - held
}

// otherEntry is the record of a request that is not an operation of the
// contract: its method, path and status only. No schema says what its
// query, headers or bodies hold, so none of them is recorded.
func otherEntry(r *http.Request, upstream *url.URL, status int, start time.Time, took time.Duration) *harEntry {
	u := upstreamURL(upstream, r.URL)
	u.RawQuery, u.ForceQuery = "", false
	e := newHAREntry(r.Method, u, start, took)
	e.Response.Status, e.Response.StatusText = status, http.StatusText(status)
	e.Comment = "not an operation of the link-token contract: passed through; its query, headers and bodies are not recorded"
	return e
}
