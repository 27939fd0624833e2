package atlastest

import (
	"maps"
	"sync"
)

// Stats is a snapshot of what the service has answered since it started (or
// since [Service.ResetStats]).
type Stats struct {
	// Requests counts exchanges by operation id (the Op… constants) and the
	// real status answered (before any envelope).
	Requests map[string]map[int]int
	// Challenges counts 401 digest challenges issued, stale ones included.
	Challenges int
	// StaleChallenges counts the challenges that carried stale=true.
	StaleChallenges int
	// Exchanges counts every request to an operation of the contract.
	Exchanges int
	// Successes counts 2xx answers to operations of the contract.
	Successes int
	// Faults counts the injected faults requests met, queued or random.
	Faults int
}

// ExchangesPerSuccess is how many exchanges each successful call cost on
// average: 1 for a client that reuses its digest challenge, 2 for one that
// is challenged on every call. It is 0 before any success.
func (s Stats) ExchangesPerSuccess() float64 {
	if s.Successes == 0 {
		return 0
	}
	return float64(s.Exchanges) / float64(s.Successes)
}

// Count is the number of requests to op answered with status.
func (s Stats) Count(op string, status int) int { return s.Requests[op][status] }

type statsCollector struct {
	mu sync.Mutex
	s  Stats
}

func newStats() *statsCollector {
	return &statsCollector{s: Stats{Requests: map[string]map[int]int{}}}
}

// record counts one answer; operation says op is one of the contract's.
func (c *statsCollector) record(op string, status int, operation bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.s.Requests[op]
	if m == nil {
		m = map[int]int{}
		c.s.Requests[op] = m
	}
	m[status]++
	if operation {
		c.s.Exchanges++
		if status >= 200 && status < 300 {
			c.s.Successes++
		}
	}
}

func (c *statsCollector) fault() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Faults++
}

func (c *statsCollector) challenge(stale bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Challenges++
	if stale {
		c.s.StaleChallenges++
	}
}

func (c *statsCollector) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.Requests = make(map[string]map[int]int, len(c.s.Requests))
	for op, m := range c.s.Requests {
		out.Requests[op] = maps.Clone(m)
	}
	return out
}

func (c *statsCollector) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = Stats{Requests: map[string]map[int]int{}}
}
