package recorded

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"runtime"

	"golang.org/x/sync/semaphore"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/pathvariant"
	"github.com/seed-5c49e0d7/linktoken/internal/preflight"
	"github.com/seed-5c49e0d7/linktoken/internal/serverside"
)

// A check judges exchanges concurrently while its reader reads on, and
// counts the verdicts in the order read: a bounded window of them, so that
// memory does not grow with the file.
const (
	// window is how many exchanges per worker may wait for a verdict or
	// for those before them.
	window = 16
	// windowBytes bounds what they hold: their JSON, or their bodies. A
	// larger one waits for the window to empty, and is then alone in it.
	windowBytes = 16 << 20
)

// job is one exchange on its way to the report.
type job struct {
	index  int
	entry  []byte             // a HAR entry's JSON, made an exchange by a worker,
	writer string             // with its archive's log.creator.name; or
	ex     *contract.Exchange // an exchange already read
	cut    cutBodies

	weight int64
	res    ExchangeResult
	err    error
	done   chan struct{}
}

// pipeline is one check's workers and recorder.
type pipeline struct {
	v      *contract.Validator
	files  fs.FS // the bodies HAR entries name in a _file, if any
	paths  *pathvariant.Paths
	source string
	bytes  *semaphore.Weighted
	jobs   chan *job     // to the workers, in any order
	order  chan *job     // to the recorder, in the order read
	stop   chan struct{} // closed when the recorder has met an input error
	result chan error    // the recorder's input error, or nil
}

// errStopped stops a reader once the recorder has met an input error.
var errStopped = errors.New("stopped at an earlier input error")

func newPipeline(v *contract.Validator, r *Report, source string) *pipeline {
	workers := runtime.GOMAXPROCS(0)
	p := &pipeline{v: v, paths: pathvariant.New(v), source: source, bytes: semaphore.NewWeighted(windowBytes),
		jobs: make(chan *job, window*workers), order: make(chan *job, window*workers),
		stop: make(chan struct{}), result: make(chan error, 1)}
	for range workers {
		go p.work()
	}
	go p.record(r)
	return p
}

// submit hands a job on; errStopped once the recorder has stopped.
func (p *pipeline) submit(j *job) error {
	select {
	case <-p.stop:
		return errStopped
	default:
	}
	j.weight = int64(len(j.entry)) + 4096
	if j.ex != nil {
		if j.ex.Request != nil {
			j.weight += int64(len(j.ex.Request.Body))
		}
		if j.ex.Response != nil {
			j.weight += int64(len(j.ex.Response.Body))
		}
	}
	j.weight = min(j.weight, windowBytes)
	_ = p.bytes.Acquire(context.Background(), j.weight) // never fails: the context is never done
	j.done = make(chan struct{})
	p.order <- j
	p.jobs <- j
	return nil
}

// work judges jobs until there are no more.
func (p *pipeline) work() {
	for j := range p.jobs {
		var route *contract.Match
		var canon *url.URL
		if j.entry != nil {
			// Only an operation of the contract has its bodies read (a
			// method its path does not declare is reported without
			// them); the check keeps the route found to tell.
			opt := harOptions{limit: p.v.BodyLimit(), writer: j.writer, files: p.files, need: func(method string, u *url.URL) bool {
				m, c, err := p.paths.Match(method, u)
				if err != nil {
					return false
				}
				route, canon = m, c
				return m.Operation != ""
			}}
			j.ex, j.cut, j.err = harExchange(j.entry, p.source, j.index, opt)
			j.entry = nil
		}
		if j.err == nil {
			j.res = p.judge(j.ex, route, canon, j.cut)
		}
		j.ex = nil
		close(j.done)
	}
}

// judge is the verdict on one exchange as a Report counts it: an exchange
// that is not an operation of the contract (a CORS preflight included: see
// internal/preflight) is Skipped. route, when the
// reader found it, is the request's, and is not looked up again; canon
// then is the URL its path is a variant of, if it is one. A request whose
// path is a variant of the contract's is judged as that path and breaks
// pathvariant.Rule, as linktoken proxy judged it live. cut says what the
// reader did not read whole of the bodies.
func (p *pipeline) judge(ex *contract.Exchange, route *contract.Match, canon *url.URL, cut cutBodies) ExchangeResult {
	if ex.Request != nil && preflight.Is(ex.Request.Method, ex.Request.Header) {
		return ExchangeResult{Name: ex.Name(), Skipped: true}
	}
	if route == nil && ex.Request != nil && ex.Request.URL != nil {
		var err error
		if route, canon, err = p.paths.Match(ex.Request.Method, ex.Request.URL); err != nil {
			return ExchangeResult{Name: ex.Name(), Skipped: true}
		}
	}
	var res *contract.Result
	switch {
	case route == nil:
		// A response alone, or a request without a URL.
		var err error
		if res, err = p.v.Check(ex); err != nil {
			return ExchangeResult{Name: ex.Name(), Skipped: true}
		}
	case canon != nil:
		req := *ex.Request
		req.URL = canon
		judged := *ex
		judged.Request = &req
		ex = &judged
		res = serverside.CheckMatch(p.v, route, ex)
		res.Violations = append(res.Violations, pathvariant.Violation(ex.Name(), route))
	default:
		res = serverside.CheckMatch(p.v, route, ex)
	}
	cut.explain(ex, res)
	return ExchangeResult{Name: ex.Name(), Unanswered: ex.Response == nil, Result: *res}
}

// record counts verdicts into r in order, until an input error.
func (p *pipeline) record(r *Report) {
	var err error
	for j := range p.order {
		<-j.done
		switch {
		case err != nil:
		case j.err != nil:
			err = j.err
			close(p.stop)
		default:
			r.Record(j.res)
		}
		p.bytes.Release(j.weight)
	}
	p.result <- err
}

// finish waits for every verdict, and returns the first input error in the
// order read: the recorder's, or else the reader's own (readErr).
func (p *pipeline) finish(readErr error) error {
	close(p.jobs)
	close(p.order)
	if err := <-p.result; err != nil {
		return err
	}
	return readErr
}
