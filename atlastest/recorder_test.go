package atlastest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// recorder is a RoundTripper that keeps every exchange, to write them as a
// HAR archive: the recording linktoken check reads.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	all  []harEntry
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harEntry struct {
	StartedDateTime string `json:"startedDateTime"`
	Time            int    `json:"time"`
	Request         struct {
		Method      string   `json:"method"`
		URL         string   `json:"url"`
		HTTPVersion string   `json:"httpVersion"`
		Headers     []harNV  `json:"headers"`
		QueryString []harNV  `json:"queryString"`
		Cookies     []harNV  `json:"cookies"`
		HeadersSize int      `json:"headersSize"`
		BodySize    int      `json:"bodySize"`
		PostData    *harBody `json:"postData,omitempty"`
	} `json:"request"`
	Response struct {
		Status      int     `json:"status"`
		StatusText  string  `json:"statusText"`
		HTTPVersion string  `json:"httpVersion"`
		Headers     []harNV `json:"headers"`
		Cookies     []harNV `json:"cookies"`
		Content     struct {
			Size     int    `json:"size"`
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
		} `json:"content"`
		RedirectURL string `json:"redirectURL"`
		HeadersSize int    `json:"headersSize"`
		BodySize    int    `json:"bodySize"`
	} `json:"response"`
	Cache   struct{}       `json:"cache"`
	Timings map[string]int `json:"timings"`
}

type harBody struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

func harHeaders(h http.Header) []harNV {
	out := []harNV{}
	for name, vs := range h {
		for _, v := range vs {
			out = append(out, harNV{name, v})
		}
	}
	return out
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	var e harEntry
	e.StartedDateTime = time.Now().UTC().Format(time.RFC3339Nano)
	e.Timings = map[string]int{"send": 0, "wait": 0, "receive": 0}
	e.Request.Method, e.Request.URL, e.Request.HTTPVersion = req.Method, req.URL.String(), "HTTP/1.1"
	e.Request.Headers, e.Request.QueryString, e.Request.Cookies = harHeaders(req.Header), []harNV{}, []harNV{}
	e.Request.HeadersSize, e.Request.BodySize = -1, len(reqBody)
	if len(reqBody) > 0 {
		e.Request.PostData = &harBody{MimeType: req.Header.Get("Content-Type"), Text: string(reqBody)}
	}
	e.Response.Status, e.Response.StatusText, e.Response.HTTPVersion = resp.StatusCode, http.StatusText(resp.StatusCode), "HTTP/1.1"
	e.Response.Headers, e.Response.Cookies = harHeaders(resp.Header), []harNV{}
	e.Response.Content.Size, e.Response.Content.MimeType, e.Response.Content.Text = len(respBody), resp.Header.Get("Content-Type"), string(respBody)
	e.Response.HeadersSize, e.Response.BodySize = -1, len(respBody)
	r.mu.Lock()
	r.all = append(r.all, e)
	r.mu.Unlock()
	return resp, nil
}

// writeHAR writes what was recorded as a HAR 1.2 archive at path and
// returns how many exchanges it holds.
func (r *recorder) writeHAR(t *testing.T, path string) int {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	doc := map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]string{"name": "atlastest", "version": "test"}, "entries": r.all}}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return len(r.all)
}
