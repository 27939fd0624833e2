package contract

import (
	"net/url"
	"runtime"
	"sync"
)

// judgeWindow bounds, per CPU, the exchanges of recorded traffic read but
// not yet recorded: what memory holds beyond the entry being read.
const judgeWindow = 2

// judges checks the exchanges a reader hands over on every CPU while the
// reader reads on, and records each verdict in the report in the order
// read, from the reader's goroutine only (Report's callbacks are never
// called concurrently). A reader hands over exchanges it no longer touches.
type judges struct {
	v       *Validator
	r       *Report
	work    chan *judgment
	pending []*judgment // handed over, in order, not yet recorded
	window  int
	wg      sync.WaitGroup
	// routed is where the last request the reader asked about leads
	// (readsBodies), kept for its exchange: in is false when it is not the
	// contract's.
	routed struct {
		method string
		u      *url.URL
		in     bool
		m      Match
	}
}

// judgment is one exchange in flight.
type judgment struct {
	ex  *Exchange
	cut cutBodies
	// routed: the reader's question routed the request already, to m (nil:
	// not the contract's).
	routed bool
	m      *Match
	res    *Result
	err    error
	done   chan struct{}
}

func (v *Validator) startJudges(r *Report) *judges {
	n := runtime.GOMAXPROCS(0)
	j := &judges{v: v, r: r, work: make(chan *judgment, n), window: judgeWindow * n}
	j.wg.Add(n)
	for range n {
		go func() {
			defer j.wg.Done()
			for x := range j.work {
				switch {
				case !x.routed:
					x.res, x.err = v.judge(x.ex)
				case x.m == nil:
					x.err = ErrNotInContract
				default:
					x.res = v.CheckMatch(x.m, x.ex)
				}
				close(x.done)
			}
		}()
	}
	return j
}

// readsBodies reports whether a check of a request reads its exchange's
// bodies: only an operation of the contract's are (a method its path does
// not declare is reported without them). The route found is kept for the
// exchange, which is then not routed again.
func (j *judges) readsBodies(method string, u *url.URL) bool {
	r := &j.routed
	if r.u != u || r.method != method {
		r.method, r.u = method, u
		r.in = j.v.match(method, u, &r.m)
	}
	return r.in && r.m.op != nil
}

// add hands an exchange over, then records every verdict at the front that
// is ready; with the window full, it waits for the oldest.
func (j *judges) add(ex *Exchange, cut cutBodies) error {
	x := &judgment{ex: ex, cut: cut, done: make(chan struct{})}
	if r := &j.routed; ex.Request != nil && r.u != nil && ex.Request.URL == r.u && ex.Request.Method == r.method {
		x.routed = true
		if r.in {
			m := r.m
			x.m = &m
		}
		r.u = nil
	}
	j.pending = append(j.pending, x)
	j.work <- x
	for len(j.pending) > 0 {
		front := j.pending[0]
		if len(j.pending) < j.window {
			select {
			case <-front.done:
			default:
				return nil
			}
		} else {
			<-front.done
		}
		j.record(front)
	}
	return nil
}

func (j *judges) record(x *judgment) {
	j.pending = j.pending[1:]
	j.r.record(x.ex, x.cut, x.res, x.err)
}

// stop records what is still in flight and ends the workers.
func (j *judges) stop() {
	close(j.work)
	for len(j.pending) > 0 {
		<-j.pending[0].done
		j.record(j.pending[0])
	}
	j.wg.Wait()
}
