package workerpool

// Stats is a snapshot of a pool's job counts, from [Pool.Stats].
//
// Every accepted job is counted once in Submitted and, at any moment, in
// exactly one of the other fields:
//
//	Submitted == Succeeded + Failed + Panicked + TimedOut + Canceled + Dropped + Running + Queued
//
// The equation holds exactly whenever no Submit, job or stop is in flight
// (every worker is waiting for work), and therefore always once
// [Pool.Done] is closed; then Running and Queued are 0. While jobs flow,
// the snapshot is approximate: to keep the dispatch path free of shared
// writes, each busy worker makes its counts visible once per tick of the
// pool's clock (about every 10ms) and whenever it runs out of work, so the
// jobs a worker took since then are missing from Submitted and the counts
// that follow it. Every field is still a count that really was reached,
// and none is ever negative.
type Stats struct {
	// Submitted counts the jobs accepted by Submit, TrySubmit or Go.
	Submitted uint64
	// Succeeded, Failed, Panicked, TimedOut, Canceled and Dropped count the
	// jobs that ended with each [Outcome].
	Succeeded, Failed, Panicked, TimedOut, Canceled, Dropped uint64
	// Running is the number of jobs whose handler is running.
	Running int
	// Queued is the number of accepted jobs waiting for a worker.
	Queued int
}

// Stats returns a snapshot of the pool's counts. It is safe to call at any
// time, also after the pool has stopped, and never blocks a worker.
func (p *Pool[T]) Stats() Stats {
	p.mu.Lock()
	c := p.settled
	for _, w := range p.workers {
		w.pub.addTo(&c)
	}
	p.mu.Unlock()
	queued := len(p.jobs)
	ended := c.failed + c.panicked + c.timedOut + c.canceled
	return Stats{
		Submitted: c.started + c.canceledUnstarted + c.dropped + uint64(queued),
		Succeeded: c.completed - ended,
		Failed:    c.failed,
		Panicked:  c.panicked,
		TimedOut:  c.timedOut,
		Canceled:  c.canceled + c.canceledUnstarted,
		Dropped:   c.dropped,
		Running:   int(c.started - c.completed),
		Queued:    queued,
	}
}

// counts are a worker's (or several workers') job counts.
type counts struct {
	started, completed                   uint64 // jobs whose handler started, and returned
	failed, panicked, timedOut, canceled uint64 // outcomes of completed jobs, but Succeeded
	canceledUnstarted                    uint64 // taken after the parent ended; never started
	dropped                              uint64 // handed back by Shutdown (pool-wide only)
}

func (c *counts) add(o *counts) {
	c.started += o.started
	c.completed += o.completed
	c.failed += o.failed
	c.panicked += o.panicked
	c.timedOut += o.timedOut
	c.canceled += o.canceled
	c.canceledUnstarted += o.canceledUnstarted
	c.dropped += o.dropped
}

// addTo adds the published counters to c, reading them in the reverse of
// the order publish writes them: every outcome read here belongs to a
// completion read after it, and every completion to a start, so Succeeded
// and Running cannot come out negative.
func (pub *published) addTo(c *counts) {
	c.canceled += pub.canceled.Load()
	c.timedOut += pub.timedOut.Load()
	c.panicked += pub.panicked.Load()
	c.failed += pub.failed.Load()
	c.completed += pub.completed.Load()
	c.canceledUnstarted += pub.canceledUnstarted.Load()
	c.started += pub.started.Load()
}
