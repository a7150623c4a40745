package workerpool

import (
	"context"
	"errors"
	"fmt"
)

// running is the job a worker is running, as its loop and the loop's
// panic recovery both need it.
type running[T any] struct {
	env    envelope[T]
	ctx    context.Context
	cancel context.CancelFunc // nil without a job timeout
	start  int64              // when it started, if the pool is timed
	active bool               // the handler has been called and has not returned
}

// begin prepares cur to run e: the job's context, its start time.
func (p *Pool[T]) begin(cur *running[T], e envelope[T]) {
	cur.env = e
	cur.ctx, cur.cancel = p.runCtx, nil
	if p.cfg.jobTimeout > 0 {
		cur.ctx, cur.cancel = context.WithTimeoutCause(p.runCtx, p.cfg.jobTimeout, ErrJobTimeout)
	}
	if p.timed {
		cur.start = p.now()
	}
	cur.active = true
}

// classify decides the outcome of a handler's error: the job's context
// ending explains it only if the handler returned that context's error or
// cause (or an error wrapping either).
func classify(ctx context.Context, err error) (Outcome, error) {
	ctxErr := ctx.Err()
	if ctxErr == nil {
		return Failed, err
	}
	cause := context.Cause(ctx)
	if !errors.Is(err, ctxErr) && !errors.Is(err, cause) {
		return Failed, err
	}
	outcome := Canceled
	if errors.Is(cause, ErrJobTimeout) {
		outcome = TimedOut
	}
	if err == ctxErr || err == cause {
		return outcome, cause
	}
	return outcome, fmt.Errorf("%w: %w", cause, err)
}

// end releases a started job's context, counts its outcome and reports it.
func (p *Pool[T]) end(w *worker, cur *running[T], o Outcome, err error) {
	if cur.cancel != nil {
		cur.cancel()
	}
	w.local.completed++
	switch o {
	case Failed:
		w.local.failed++
	case Panicked:
		w.local.panicked++
	case TimedOut:
		w.local.timedOut++
	case Canceled:
		w.local.canceled++
	}
	if p.out != nil {
		end := p.now()
		p.out.push(Result[T]{
			Job: cur.env.job, Outcome: o, Err: err, Attempts: 1,
			Wait: durationNs(cur.start - cur.env.accepted), Run: durationNs(end - cur.start),
		})
	}
}

// emitUnstarted reports a job that ended without starting.
func (p *Pool[T]) emitUnstarted(e envelope[T], o Outcome, err error) {
	if p.out != nil {
		p.out.push(Result[T]{Job: e.job, Outcome: o, Err: err, Wait: durationNs(p.now() - e.accepted)})
	}
}
