package workerpool

import (
	"context"
	"errors"
	"fmt"
)

// running is the job a worker is running, as its loop, the loop's panic
// recovery and (for jobs with a timeout) the supervisor need it.
type running[T any] struct {
	env       envelope[T]
	delivery  Delivery[T] // the external queue's delivery of env; nil for the pool's own queue
	attempt   int         // 1 for the first
	ctx       context.Context
	cancel    context.CancelCauseFunc // nil without a job timeout
	start     int64                   // when it started, if a result hook wants timings
	active    bool                    // the handler has been called and has not returned
	abandoned bool                    // declared stuck; the supervisor recorded its outcome
}

// begin prepares cur to run e: the job's context, its start time.
func (p *Pool[T]) begin(w *worker, cur *running[T], e envelope[T]) {
	cur.env = e
	cur.attempt = 1
	switch {
	case cur.delivery != nil:
		cur.attempt = cur.delivery.Attempt()
	case e.retry != nil:
		cur.attempt = len(e.retry.errs) + 1
	}
	if p.hook != nil {
		cur.start = p.now()
	}
	if p.tracked {
		p.beginTracked(w, cur)
	} else {
		cur.ctx, cur.cancel = p.runCtx, nil
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
	// A context derived from the job's (errgroup.WithContext, say) reports
	// context.Canceled even when the job timed out: any context error once
	// the job's context has ended is the job's.
	if !errors.Is(err, ctxErr) && !errors.Is(err, cause) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
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

// end finishes an attempt: it releases the job's context, then either
// schedules another attempt or counts and reports the job's outcome. It
// returns true when the caller must run the job again itself (a retry
// once the queue is closing; cur.env then holds the job to run).
func (p *Pool[T]) end(w *worker, cur *running[T], o Outcome, err error) (again bool) {
	if cur.cancel != nil && p.endTracked(w, cur) {
		cur.delivery = nil // left unsettled: its lease lapses
		return false       // declared stuck: its outcome is recorded already
	}
	w.local.ended++
	if cur.delivery != nil {
		if final := p.settle(w, cur, o, err); !final {
			w.local.requeued++
			return false
		}
	} else if p.shouldRetry(o, err, cur.attempt) {
		if scheduled, again := p.retryJob(w, cur, err); scheduled {
			return again
		}
	}
	switch o {
	case Succeeded:
		w.local.succeeded++
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
		p.emit(cur, o, err)
	}
	return false
}

// retryJob schedules the next attempt of cur's job. It reports false if
// no retry could be scheduled (a stop took the pending retries already: the
// caller records this attempt's outcome as final), and again when the
// caller must run the job itself (cur.env then holds it).
func (p *Pool[T]) retryJob(w *worker, cur *running[T], err error) (scheduled, again bool) {
	e := cur.env
	e.retry = &retryState{errs: appendErr(e.retry, err)}
	delay := p.cfg.retry.backoff(cur.attempt)
	pr, ok := p.scheduleRetry(e, delay)
	if !ok {
		return false, false
	}
	if pr == nil || !p.waitInPlace(pr, delay) {
		return true, false
	}
	if p.parentEnded() {
		// A retry is a queued job: once the parent has ended, it is
		// canceled, not started again.
		w.local.canceledUnstarted++
		p.emitUnstarted(e, Canceled, context.Cause(p.runCtx))
		return true, false
	}
	cur.env = e
	return true, true
}

// emit reports a started job's final outcome to the hooks.
func (p *Pool[T]) emit(cur *running[T], o Outcome, err error) {
	var errs []error
	if r := cur.env.retry; r != nil {
		errs = r.errs
		if err != nil {
			errs = appendErr(r, err)
		}
	}
	it := item[T]{res: Result[T]{
		Job: cur.env.job, Outcome: o, Err: err, Attempts: cur.attempt, Errors: errs,
	}}
	if p.hook != nil {
		end := p.now()
		it.res.Wait = durationNs(cur.start - cur.env.accepted)
		it.res.Run = durationNs(end - cur.start)
	}
	if p.deadLetter != nil && (o == Failed || o == Panicked || o == TimedOut) {
		it.deadLetter = true
		it.permanent = p.cfg.retry == nil || !p.retryable(err) || errors.Is(err, ErrStuck)
		it.errs = errs
		if errs == nil {
			it.errs = []error{err}
		}
	}
	p.out.push(it)
}

// appendErr returns a new slice: the errors so far and err.
func appendErr(r *retryState, err error) []error {
	if r == nil {
		return []error{err}
	}
	errs := make([]error, len(r.errs), len(r.errs)+1)
	copy(errs, r.errs)
	return append(errs, err)
}

// emitUnstarted reports a job that ended without starting (again).
func (p *Pool[T]) emitUnstarted(e envelope[T], o Outcome, err error) {
	if p.out == nil {
		return
	}
	it := item[T]{res: Result[T]{Job: e.job, Outcome: o, Err: err}}
	if e.retry != nil {
		it.res.Attempts = len(e.retry.errs)
		it.res.Errors = e.retry.errs
	}
	if p.hook != nil {
		it.res.Wait = durationNs(p.now() - e.accepted)
	}
	p.out.push(it)
}
