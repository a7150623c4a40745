package workerpool

import (
	"context"
	"time"
)

// Jobs with a timeout (WithJobTimeout) get a context of their own. Rather
// than arm a timer per job, as context.WithTimeoutCause does, the
// supervisor cancels the contexts of jobs past their deadline (cause
// ErrJobTimeout), and the pool cancels them all when it is canceled. The
// context's parent is the pool's context without its cancellation, so
// creating one takes no lock shared with other workers.

// timedJob is a worker's running job with a timeout, as the supervisor and
// the pool's cancellation see it; guarded by the worker's mu.
type timedJob struct {
	active   bool                    // the handler is running
	cancel   context.CancelCauseFunc // cancels the job's context
	started  time.Time
	deadline time.Time
	expired  bool // canceled with ErrJobTimeout
	stuck    bool // declared stuck: its outcome is recorded already
	replaced bool // its worker was abandoned to it and replaced
	cur      any  // *running[T]: the job, for the stuck report
	// For an external queue's leased delivery: when its lease was last
	// renewed, and whether a renewal is under way.
	extended  time.Time
	extending bool
}

// jobContext reports the job's deadline; everything else is the
// cancelable context's.
type jobContext struct {
	context.Context
	deadline time.Time
}

// Deadline returns the job's deadline.
func (c *jobContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Err returns context.DeadlineExceeded once the deadline has passed, as a
// context made by context.WithTimeout would; the cause says which
// deadline. (Contexts derived from it report context.Canceled; the pool
// counts either as the job's timeout.)
func (c *jobContext) Err() error {
	err := c.Context.Err()
	if err != nil {
		if cause := context.Cause(c.Context); cause == ErrJobTimeout || cause == context.DeadlineExceeded {
			return context.DeadlineExceeded
		}
	}
	return err
}

// beginTracked gives cur a context of its own (with a deadline if the pool
// has a job timeout) and registers it with w.
func (p *Pool[T]) beginTracked(w *worker, cur *running[T]) {
	now := time.Now()
	ctx, cancel := context.WithCancelCause(p.detached)
	cur.ctx, cur.cancel = ctx, cancel
	var deadline time.Time
	if p.cfg.jobTimeout > 0 {
		deadline = now.Add(p.cfg.jobTimeout)
		if d, ok := p.cfg.parent.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		cur.ctx = &jobContext{Context: ctx, deadline: deadline}
	}
	w.mu.Lock()
	w.job = timedJob{active: true, cancel: cancel, started: now, deadline: deadline, cur: cur, extended: now}
	w.mu.Unlock()
	// cancelTimedJobs may have run before the job was registered.
	if p.runCtx.Err() != nil {
		cancel(context.Cause(p.runCtx))
	}
}

// endTracked unregisters cur's job and releases its context. It reports
// whether the supervisor declared the job stuck (and so recorded its
// outcome); cur.abandoned is set if the worker must then stop.
func (p *Pool[T]) endTracked(w *worker, cur *running[T]) (stuck bool) {
	w.mu.Lock()
	stuck, cur.abandoned = w.job.stuck, w.job.replaced
	w.job = timedJob{replaced: cur.abandoned}
	w.mu.Unlock()
	cur.cancel(nil)
	return stuck
}

// cancelTimedJobs runs when the pool is canceled (Shutdown out of time, or
// the parent ended): the contexts of running jobs with a timeout are not
// children of the pool's, so cancel them here, with the pool's cause.
func (p *Pool[T]) cancelTimedJobs() {
	cause := context.Cause(p.runCtx)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		w.mu.Lock()
		if w.job.active {
			w.job.cancel(cause)
		}
		w.mu.Unlock()
	}
}

// timeoutPeriod is how often the supervisor checks deadlines: a sixteenth
// of the timeout, between 100µs and the tick.
func timeoutPeriod(d time.Duration) time.Duration {
	return min(max(d/16, 100*time.Microsecond), tick)
}
