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
// the live service sends it, whatever produced it: the generated strict
// server, an authentication failure or an injected fault.
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

// finish sends the buffered response: the version's media type with the
// live charset on success bodies (and on a 204, which live sends with a
// Content-Type), the rate-limit headers, then the envelope and
// pretty-printing that the query asked for, then any wire-level fault.
//
// sent is called with the real status just before the first byte goes out,
// so that counters and logs are complete by the time a client has its
// answer.
func (s *Service) finish(w http.ResponseWriter, x *exchange, rec *recorder, sent func(status int)) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	h := rec.header
	// json.Encoder ends bodies with a newline; live bodies have none.
	body := bytes.TrimRight(rec.body.Bytes(), "\n")
	if x.version != "" && status < 300 && x.op != OpUnknown {
		mt := MediaTypeV1
		if x.version == BasePathV2 {
			mt = mediaTypeV2Sent
		}
		h.Set("Content-Type", mt)
	}
	if status == http.StatusNoContent {
		body = nil
	}
	if x.version != "" {
		if !x.rlSet {
			x.rlRemaining = s.limiter.peek(x.orgID)
		}
		h.Set("RateLimit-Limit", strconv.Itoa(s.limiter.capacity))
		h.Set("RateLimit-Remaining", strconv.Itoa(x.rlRemaining))
	}
	wire := status
	if x.envelope && status != http.StatusUnauthorized && x.version != "" {
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
	if x.pretty && len(body) > 0 && isJSON(h.Get("Content-Type")) {
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
	sent(status)
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
