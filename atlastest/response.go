package atlastest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// recorder buffers a response so the finishing layer can shape it the way
// the live service sends it, whatever produced it: an operation's handler,
// an authentication failure, a refusal or an injected fault.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) reset() {
	r.header = http.Header{}
	r.status = 0
	r.body.Reset()
}

// finish sends the buffered response, shaped the one way the live service
// shapes every response, whatever produced it (a handler, the pipeline, a
// fault): a success body of an operation in its negotiated media type
// (versioned types with the live charset, and a 204 with a Content-Type
// too, as recorded), the rate-limit headers under every server, then the
// envelope and pretty-printing the query asked for, then any wire-level
// fault. A fault's raw body goes out as it is.
//
// sent is called with the real status, and whether the response went out
// enveloped, just before the first byte goes out, so that counters and logs
// are complete by the time a client has its answer.
func (s *Service) finish(w http.ResponseWriter, x *exchange, rec *recorder, sent func(status int, enveloped bool)) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	h := rec.header
	// json.Encoder ends bodies with a newline; live bodies have none.
	body := bytes.TrimRight(rec.body.Bytes(), "\n")
	if x.raw {
		body = rec.body.Bytes()
	}
	if !x.raw && x.match != nil && status >= 200 && status < 300 {
		h.Set("Content-Type", successType(h.Get("Content-Type"), x.mediaType))
	}
	if status == http.StatusNoContent {
		body = nil
	}
	if x.server != "" {
		if !x.rlSet {
			x.rlRemaining = s.limiter.peek(x.resource)
		}
		h.Set("RateLimit-Limit", strconv.Itoa(s.limiter.capacity))
		h.Set("RateLimit-Remaining", strconv.Itoa(x.rlRemaining))
	}
	wire := status
	// The 401 of a digest handshake stays plain: a digest client cannot
	// authenticate without it (an assumption the contract states).
	enveloped := x.envelope && !x.raw && status != http.StatusUnauthorized
	if enveloped {
		env := struct {
			Status  int             `json:"status"`
			Content json.RawMessage `json:"content,omitempty"`
		}{Status: status}
		if len(body) > 0 {
			env.Content = body
		}
		body, _ = json.Marshal(env) // RawMessage came from our own JSON
		wire = http.StatusOK
	}
	if x.pretty && !x.raw && len(body) > 0 && isJSON(h.Get("Content-Type")) {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			body = buf.Bytes()
		}
	}
	if wire != http.StatusNoContent {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	sent(status, enveloped)
	if x.fault != nil && x.fault.CloseConnection {
		if cutConnection(w, wire) {
			return
		}
	}
	w.WriteHeader(wire)
	if x.fault != nil && x.fault.TruncateBody {
		body = body[:len(body)/2]
	}
	_, _ = w.Write(body)
}

// successType is the Content-Type of a success: the handler's, or the
// negotiated one when it set none (a 204); a versioned Atlas type
// (application/vnd.atlas.<date>+json) with ";charset=utf-8", as the live
// service sends it.
func successType(set, negotiated string) string {
	ct := set
	if ct == "" {
		ct = negotiated
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.HasPrefix(mt, "application/vnd.atlas.") || !strings.HasSuffix(mt, "+json") || params["charset"] != "" {
		return ct
	}
	return mt + ";charset=utf-8"
}

// cutConnection sends the start of a response and hangs up, as a dying
// proxy would.
func cutConnection(w http.ResponseWriter, status int) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return false
	}
	defer conn.Close()
	writePartial(buf, status)
	return true
}

func writePartial(buf *bufio.ReadWriter, status int) {
	_, _ = buf.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\nContent-Ty")
	_ = buf.Flush()
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
