package workerpool

// Stats is a snapshot of a pool's job counts, from [Pool.Stats].
//
// Every accepted job is counted once in Submitted and, at any moment, in
// exactly one of the other fields:
//
//	Submitted == Succeeded + Failed + Panicked + TimedOut + Canceled + Dropped + Requeued + Running + Queued
//
// The equation holds exactly whenever no Submit, job or stop is in flight
// (every worker is waiting for work), and therefore always once
// [Pool.Done] is closed; then Running and Queued are 0. While jobs flow,
// the snapshot is approximate: to keep the dispatch path free of shared
// writes, each busy worker makes its counts visible once per tick of the
// pool's clock (about every 10ms while jobs run; the clock notices that jobs
// run again within 250ms of an idle spell) and whenever it runs out of
// work, so the jobs a worker took since then are missing from Submitted
// and the counts that follow it. No field is ever negative.
type Stats struct {
	// Submitted counts the jobs accepted by Submit, TrySubmit or Go.
	Submitted uint64
	// Succeeded, Failed, Panicked, TimedOut, Canceled and Dropped count the
	// jobs that ended with each [Outcome]. A retried job counts once, with
	// the outcome of its last attempt.
	Succeeded, Failed, Panicked, TimedOut, Canceled, Dropped uint64
	// Requeued counts, for a pool on an external queue ([NewWithQueue]),
	// the deliveries that went back to the queue to run again: retries,
	// jobs the pool's stop canceled, leases lost. The job lives on in the
	// queue; with the pool's own queue Requeued is always 0.
	Requeued uint64
	// Running is the number of jobs whose handler is running.
	Running int
	// Queued is the number of accepted jobs waiting for a worker, jobs
	// waiting for their next attempt ([WithRetry]) included.
	Queued int
}

// Stats returns a snapshot of the pool's counts. It is safe to call at any
// time, also after the pool has stopped, and never blocks a worker.
func (p *Pool[T]) Stats() Stats {
	p.mu.Lock()
	c := p.settled
	for _, list := range [][]*worker{p.workers, p.abandoned} {
		for _, w := range list {
			w.pub.addTo(&c)
		}
	}
	p.mu.Unlock()
	retrying := max(p.pendingRetries.Load(), 0)
	freshQueued := max(int64(len(p.jobs))-p.retriesQueued.Load()-p.pills.Load(), 0)
	return Stats{
		Submitted: c.fresh + uint64(freshQueued),
		Succeeded: c.succeeded,
		Failed:    c.failed,
		Panicked:  c.panicked,
		TimedOut:  c.timedOut,
		Canceled:  c.canceled + c.canceledUnstarted,
		Dropped:   c.dropped,
		Requeued:  c.requeued,
		Running:   int(c.started - min(c.ended, c.started)),
		Queued:    int(freshQueued + retrying),
	}
}

// counts are a worker's (or several workers') job counts.
type counts struct {
	fresh              uint64 // jobs taken from the queue on their first attempt
	started, ended     uint64 // attempts begun, and ended
	requeued           uint64 // external deliveries that went back to the queue
	succeeded, failed  uint64 // final outcomes of started jobs
	panicked, timedOut uint64
	canceled           uint64
	canceledUnstarted  uint64 // taken after the parent ended; never started
	dropped            uint64 // handed back by Shutdown (pool-wide only)
}

func (c *counts) add(o *counts) {
	c.fresh += o.fresh
	c.started += o.started
	c.ended += o.ended
	c.requeued += o.requeued
	c.succeeded += o.succeeded
	c.failed += o.failed
	c.panicked += o.panicked
	c.timedOut += o.timedOut
	c.canceled += o.canceled
	c.canceledUnstarted += o.canceledUnstarted
	c.dropped += o.dropped
}

// addTo adds the published counters to c, reading them in the reverse of
// the order publish writes them: every outcome read here belongs to an
// attempt whose end is read after it, and every end to a start, so Running
// cannot come out negative.
func (pub *published) addTo(c *counts) {
	c.canceled += pub.canceled.Load()
	c.timedOut += pub.timedOut.Load()
	c.panicked += pub.panicked.Load()
	c.failed += pub.failed.Load()
	c.succeeded += pub.succeeded.Load()
	c.requeued += pub.requeued.Load()
	c.ended += pub.ended.Load()
	c.canceledUnstarted += pub.canceledUnstarted.Load()
	c.started += pub.started.Load()
	c.fresh += pub.fresh.Load()
}
