package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/seed-5c49e0d7/linktoken/atlastest"
)

// faultsPath is where serve --allow-fault-injection takes faults to
// queue: the way tests in other languages (curl, Python, anything that
// speaks HTTP) reach what Go tests do with Service.InjectFault.
const faultsPath = "/_linktoken/faults"

// faultRequest is a fault as JSON: a status to answer with (a 429 carries
// Retry-After), or a connection closed before the answer; count is how
// many of the next authenticated requests to operations meet it.
type faultRequest struct {
	Status     int    `json:"status"`
	RetryAfter int    `json:"retryAfter"` // seconds
	ErrorCode  string `json:"errorCode"`
	Close      bool   `json:"close"`
	Count      int    `json:"count"`
}

// maxQueuedFaults bounds what one caller can queue.
const maxQueuedFaults = 1000

func (f faultRequest) fault() (atlastest.Fault, error) {
	switch {
	case f.Count < 0 || f.Count > maxQueuedFaults:
		return atlastest.Fault{}, fmt.Errorf("count %d: want 1 to %d (0 means 1)", f.Count, maxQueuedFaults)
	case f.Close == (f.Status != 0):
		return atlastest.Fault{}, fmt.Errorf(`give either "status" (400 to 599) or "close": true`)
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return atlastest.Fault{}, fmt.Errorf("status %d: want 400 to 599", f.Status)
	case f.RetryAfter < 0 || f.RetryAfter > 3600:
		return atlastest.Fault{}, fmt.Errorf("retryAfter %d: want 0 to 3600 seconds", f.RetryAfter)
	}
	return atlastest.Fault{Status: f.Status, ErrorCode: f.ErrorCode, RetryAfter: time.Duration(f.RetryAfter) * time.Second,
		CloseConnection: f.Close}, nil
}

// faultAdmin answers faultsPath for callers on loopback and hands every
// other request to the service: POST queues a fault, GET says how many
// are queued, DELETE drops them.
type faultAdmin struct {
	svc  *atlastest.Service
	next http.Handler
}

func (a faultAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != faultsPath {
		a.next.ServeHTTP(w, r)
		return
	}
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if !fromLoopback(r.RemoteAddr) {
		reply(http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	switch r.Method {
	case http.MethodPost:
		var req faultRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			reply(http.StatusBadRequest, map[string]string{"error": "a JSON fault: " + err.Error()})
			return
		}
		f, err := req.fault()
		if err != nil {
			reply(http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		n := max(1, req.Count)
		if a.svc.PendingFaults()+n > maxQueuedFaults {
			reply(http.StatusTooManyRequests, map[string]string{"error": fmt.Sprintf("at most %d faults may wait", maxQueuedFaults)})
			return
		}
		a.svc.InjectFault(n, f)
		reply(http.StatusCreated, map[string]int{"queued": n, "pending": a.svc.PendingFaults()})
	case http.MethodGet:
		reply(http.StatusOK, map[string]int{"pending": a.svc.PendingFaults()})
	case http.MethodDelete:
		a.svc.ClearFaults()
		reply(http.StatusOK, map[string]int{"pending": 0})
	default:
		w.Header().Set("Allow", strings.Join([]string{http.MethodGet, http.MethodPost, http.MethodDelete}, ", "))
		reply(http.StatusMethodNotAllowed, map[string]string{"error": "use GET, POST or DELETE"})
	}
}

// fromLoopback reports whether a request came from this machine.
func fromLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
