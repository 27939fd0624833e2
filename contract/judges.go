package contract

import (
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
}

// judgment is one exchange in flight.
type judgment struct {
	ex   *Exchange
	cut  cutBodies
	res  *Result
	err  error
	done chan struct{}
}

func (v *Validator) startJudges(r *Report) *judges {
	n := runtime.GOMAXPROCS(0)
	j := &judges{v: v, r: r, work: make(chan *judgment, n), window: judgeWindow * n}
	j.wg.Add(n)
	for range n {
		go func() {
			defer j.wg.Done()
			for x := range j.work {
				x.res, x.err = v.judge(x.ex)
				close(x.done)
			}
		}()
	}
	return j
}

// add hands an exchange over, then records every verdict at the front that
// is ready; with the window full, it waits for the oldest.
func (j *judges) add(ex *Exchange, cut cutBodies) error {
	x := &judgment{ex: ex, cut: cut, done: make(chan struct{})}
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
