package reliability_test

import (
	"fmt"
	"strings"
	"sync"

	"github.com/workerpool/workerpool"
)

// coverage counts what the sequences of one TestSequences run did, for
// its log (go test -v) and the figures in README.md.
type coverage struct {
	mu        sync.Mutex
	sequences int
	exact     int // without retries: checked against the model step by step
	steps     int
	accepted  int
	outcomes  map[workerpool.Outcome]int
	stuck     int
	stops     map[string]int
}

var cover coverage

func (c *coverage) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sequences, c.exact, c.steps, c.accepted, c.stuck = 0, 0, 0, 0, 0
	c.outcomes, c.stops = map[workerpool.Outcome]int{}, map[string]int{}
}

func (c *coverage) add(s *seq, steps int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sequences++
	c.exact += b2i(s.exact())
	c.steps += steps
	c.accepted += len(s.accepted)
	for id := range s.accepted {
		_, res := s.h.counts(id)
		c.outcomes[res[0].Outcome]++
	}
	for _, st := range s.h.stuck {
		c.stuck += len(st)
	}
	switch {
	case s.canceled == byParent:
		c.stops["parent canceled first"]++
	case s.outOfTime:
		c.stops["a Shutdown ran out of time"]++
	default:
		c.stops["drained (Close or Shutdown in time)"]++
	}
}

func (c *coverage) summary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%d sequences (%d checked step by step against the model, %d with retries), %d steps, %d jobs accepted",
		c.sequences, c.exact, c.sequences-c.exact, c.steps, c.accepted)
	b.WriteString("; outcomes:")
	for o := workerpool.Succeeded; o <= workerpool.Dropped; o++ {
		fmt.Fprintf(&b, " %v %d,", o, c.outcomes[o])
	}
	fmt.Fprintf(&b, " stuck handlers %d; stops: %v", c.stuck, c.stops)
	return b.String()
}
