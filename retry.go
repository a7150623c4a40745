package workerpool

import (
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy says which failed jobs run again, how often and after how
// long. Set it with [WithRetry].
type RetryPolicy struct {
	// MaxAttempts is how many times a job may run in all, first attempt
	// included; ≥ 1. 1 means no retry.
	MaxAttempts int
	// BaseDelay is the backoff cap before the second attempt, > 0; it
	// doubles for each attempt after that, up to MaxDelay. The delay
	// actually waited is drawn uniformly from [0, cap) ("full jitter"), so
	// that jobs that failed together do not retry together.
	BaseDelay time.Duration
	// MaxDelay caps the backoff, ≥ BaseDelay.
	MaxDelay time.Duration
	// Retryable reports whether a failed attempt's error is worth another
	// attempt. nil means [DefaultRetryable].
	Retryable func(error) bool
}

// DefaultRetryable is the classifier a [RetryPolicy] with a nil Retryable
// uses: every error is retryable except those marked with [Permanent] and
// those that come from the pool's own cancellation (a Shutdown that ran out
// of time, or a canceled [WithContext] parent), which are never retried
// whatever the classifier says. A job timeout is retryable.
func DefaultRetryable(err error) bool {
	return !IsPermanent(err)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: [DefaultRetryable] reports
// false for it and for any error wrapping it. The mark is invisible
// otherwise: the message is err's and errors.Is/As see through it.
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// [Permanent].
func IsPermanent(err error) bool {
	var pe *permanentError
	return errors.As(err, &pe)
}

// WithRetry runs failed jobs again under policy p. A job waiting for its
// next attempt does not hold a worker: a timer puts it back in the queue.
// [Pool.Close] waits for pending retries (they are accepted jobs), and
// [Pool.Shutdown] hands them back with the unstarted jobs when it runs out
// of time. A job's [Result] reports its attempts and the error of each; a
// job that exhausts its attempts or fails permanently goes to the
// [WithDeadLetter] hook.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		switch {
		case p.MaxAttempts < 1:
			return invalidOption("retry MaxAttempts must be ≥ 1, got %d", p.MaxAttempts)
		case p.BaseDelay <= 0:
			return invalidOption("retry BaseDelay must be > 0, got %v", p.BaseDelay)
		case p.MaxDelay < p.BaseDelay:
			return invalidOption("retry MaxDelay (%v) must be ≥ BaseDelay (%v)", p.MaxDelay, p.BaseDelay)
		}
		if p.Retryable == nil {
			p.Retryable = DefaultRetryable
		}
		c.retry = &p
		return nil
	}
}

// DeadLetter is a job that failed for good, as the [WithDeadLetter] hook
// receives it.
type DeadLetter[T any] struct {
	// Job is the job as it was submitted.
	Job T
	// Outcome is its final outcome: Failed, Panicked or TimedOut.
	Outcome Outcome
	// Errors holds the error of each attempt, first to last.
	Errors []error
	// Permanent reports that the last error was not retryable; otherwise the
	// job ran out of attempts.
	Permanent bool
}

// WithDeadLetter has f called with every job that failed for good: it
// exhausted the attempts of its [RetryPolicy], or failed with an error the
// policy does not retry (without [WithRetry], every job that fails). f runs
// on the result hook's goroutine (see [WithResultHook]), never blocking a
// worker. T must be the pool's job type.
func WithDeadLetter[T any](f func(DeadLetter[T])) Option {
	return func(c *config) error {
		if f == nil {
			return invalidOption("dead-letter hook must not be nil")
		}
		c.deadLetter = f
		return nil
	}
}

// retryState travels with a job that has failed at least once.
type retryState struct {
	errs []error // the error of each attempt so far
}

// backoff returns the delay before attempt n+1 (n ≥ 1 attempts made).
func (r *RetryPolicy) backoff(n int) time.Duration {
	ceiling := r.MaxDelay
	if n-1 < 62 {
		if d := r.BaseDelay << (n - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling)
}

// shouldRetry decides whether a finished attempt runs again.
func (p *Pool[T]) shouldRetry(o Outcome, err error, attempts int) bool {
	r := p.cfg.retry
	if r == nil || attempts >= r.MaxAttempts {
		return false
	}
	switch o {
	case Failed, Panicked, TimedOut:
	default:
		return false
	}
	if p.runCtx.Err() != nil { // the pool is being canceled: no new attempts
		return false
	}
	return p.retryable(err)
}

// retryable asks the policy's classifier, treating a panic in it (logged)
// as "not retryable".
func (p *Pool[T]) retryable(err error) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			p.cfg.logger.Error("workerpool: RetryPolicy.Retryable panicked", "panic", v)
			ok = false
		}
	}()
	return p.cfg.retry.Retryable(err)
}

// pendingRetry is a job waiting for its next attempt, on a timer or, once
// the queue has closed, in the worker that ran it.
type pendingRetry[T any] struct {
	env   envelope[T]
	timer *time.Timer
	slot  bool // holds a gate slot, so the queue stays open for it
}

// scheduleRetry makes e wait delay before its next attempt. While the queue
// is open a timer puts it back; the timer holds a gate slot, so the queue
// stays open until it has. Once intake has stopped and the queue may be
// closing, the caller's worker waits and runs it itself (wait in place).
func (p *Pool[T]) scheduleRetry(e envelope[T], delay time.Duration) (inPlace *pendingRetry[T], ok bool) {
	pr := &pendingRetry[T]{env: e}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.retriesTaken {
		// Shutdown or a hard stop has taken the pending retries already:
		// this attempt's outcome is the job's last.
		return nil, false
	}
	p.pendingRetries.Add(1)
	p.retrying[pr] = struct{}{}
	if p.gate.Add(1)&gateClosed != 0 {
		p.leave()
		return pr, true
	}
	pr.slot = true
	// Runs once after delay; Shutdown or a hard stop that takes the retry
	// first stops it, and if it fires anyway it finds itself taken.
	pr.timer = time.AfterFunc(delay, func() { p.requeue(pr) })
	return nil, true
}

// claim removes pr from the pending retries; false if someone (Shutdown, a
// hard stop) took it first.
func (p *Pool[T]) claim(pr *pendingRetry[T]) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.retrying[pr]; !ok {
		return false
	}
	delete(p.retrying, pr)
	return true
}

// requeue is a retry timer firing: the job goes back in the queue. The
// send may wait for room; the gate slot it holds keeps the queue open
// meanwhile, and every way of stopping drains the queue, so it ends.
func (p *Pool[T]) requeue(pr *pendingRetry[T]) {
	if p.claim(pr) {
		p.retriesQueued.Add(1)
		if p.cfg.autoscale {
			p.scaleFromZero() // a pool scaled to zero needs a worker for it
		}
		p.jobs <- pr.env
	}
	p.leave()
}

// waitInPlace waits out a retry's delay on the worker that ran the job,
// once the queue is closing. It reports whether the worker should run the
// job again: false if Shutdown or a hard stop took it meanwhile. A job the
// worker claims runs, with a canceled context if a Shutdown ran out of
// time, unless the parent has ended: then end cancels it unstarted.
func (p *Pool[T]) waitInPlace(pr *pendingRetry[T], delay time.Duration) bool {
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.runCtx.Done():
	}
	if p.runCtx.Err() != nil {
		// Shutdown ran out of time or the parent ended: the retry is a
		// queued job, so Shutdown hands it back or the stop cancels it
		// (takeRetries, in Shutdown, hardStop or finishStop). Never start it.
		return false
	}
	if !p.claim(pr) {
		return false
	}
	p.pendingRetries.Add(-1)
	return true
}

// takeRetries removes every pending retry, stopping its timer and
// releasing its gate slot, and returns the jobs. Shutdown hands them back
// when it runs out of time; a hard stop cancels them.
func (p *Pool[T]) takeRetries() []envelope[T] {
	p.mu.Lock()
	p.retriesTaken = true
	var envs []envelope[T]
	slots := 0
	for pr := range p.retrying {
		delete(p.retrying, pr)
		// A timer that fires anyway finds its retry taken (claim fails) and
		// only releases its slot; so release here only if Stop won.
		if pr.slot && pr.timer.Stop() {
			slots++
		}
		envs = append(envs, pr.env)
	}
	p.mu.Unlock()
	p.pendingRetries.Add(-int64(len(envs)))
	for range slots {
		p.leave()
	}
	return envs
}
