package workerpool

import (
	"context"
	"errors"
	"time"
)

// Queue is a source of jobs other than the pool's own bounded channel: an
// external, usually durable and shared queue such as the NATS JetStream
// queue of package github.com/workerpool/workerpool/jsqueue. A pool made
// with [NewWithQueue] submits into it and its workers take from it, one
// delivery per free worker, so that many processes on many machines can
// share one queue.
//
// Implementations must be safe for concurrent use.
type Queue[T any] interface {
	// Put adds job, blocking while the queue is full and honouring ctx.
	// nil means the queue has accepted the job durably.
	Put(ctx context.Context, job T) error
	// TryPut adds job if there is room now; ErrQueueFull if not.
	TryPut(job T) error
	// Take waits for one job and returns its delivery. It returns ctx.Err()
	// when ctx ends and ErrClosed once the queue is closed.
	Take(ctx context.Context) (Delivery[T], error)
	// Close stops the queue handing out deliveries. It is idempotent.
	Close() error
}

// Delivery is one job taken from a [Queue], leased to the worker that
// took it until it settles it with exactly one of Ack, Retry or Fail.
type Delivery[T any] interface {
	// Job is the job.
	Job() T
	// Attempt is 1 on the job's first delivery, and counts up each time
	// the queue delivers it again.
	Attempt() int
	// Ack settles the delivery as done: the job leaves the queue.
	Ack(ctx context.Context) error
	// Retry hands the job back to be delivered again after delay (at once
	// for 0), to this process or another.
	Retry(ctx context.Context, delay time.Duration) error
	// Extend renews the lease while the handler runs.
	Extend(ctx context.Context) error
	// Fail settles the delivery as failed for good (the queue keeps it as a
	// dead letter if it can), with reason.
	Fail(ctx context.Context, reason string) error
}

// Leaser is implemented by a [Queue] whose deliveries are leased: the pool
// then calls Extend on each running delivery every LeaseInterval, and
// stops when the handler is declared stuck, so that the queue delivers the
// job elsewhere. If Extend returns an error wrapping [ErrLeaseLost], or
// keeps failing for three intervals, the lease is taken as lost: the
// handler's context is canceled with cause ErrLeaseLost, and the delivery
// is left unsettled (the queue delivers it again).
type Leaser interface {
	LeaseInterval() time.Duration
}

// ErrLeaseLost is the [context.Cause] of a job's context when its
// delivery's lease could not be renewed (see [Leaser]): the queue will
// deliver the job again, so the handler should stop.
var ErrLeaseLost = errors.New("workerpool: lease on the delivery lost")

// NewWithQueue starts a pool whose jobs wait in q instead of the pool's
// own channel. Submit and TrySubmit put into q; each worker takes one
// delivery at a time and settles it: Ack when the handler succeeds; Retry
// with the backoff of [WithRetry] when it fails and may be retried; Fail
// (after the [WithDeadLetter] hook) when it fails for good; Retry with no
// delay, so that another process runs it now, when the pool's stop
// canceled it. A handler declared stuck is not settled: its lease lapses
// and the queue delivers the job again.
//
// Every option of [New] applies, except [WithQueueSize] and
// [WithAutoscale], which are errors here. [Stats] then counts this pool's
// deliveries: each ends in one outcome, or in Requeued when it went back to
// q. Queued is always 0: what waits in q is q's to count. Close stops
// taking deliveries and waits for the running ones; Shutdown hands the
// running ones back to q when its context ends (it returns no jobs).
// Neither closes q.
func NewWithQueue[T any](q Queue[T], handler func(ctx context.Context, job T) error, opts ...Option) (*Pool[T], error) {
	if q == nil {
		return nil, invalidOption("queue must not be nil")
	}
	return newPool(q, handler, opts)
}

// nextExt takes the next delivery from the external queue for w.
func (p *Pool[T]) nextExt(w *worker, cur *running[T]) (envelope[T], bool) {
	for {
		if ctl := p.ctl.Load(); ctl != 0 && p.control(w, ctl) {
			return envelope[T]{}, false
		}
		if w.pubState != workerIdle {
			w.publish(p.epoch.Load(), workerIdle)
		}
		d, err := p.ext.Take(p.takeCtx)
		switch {
		case err == nil:
			w.local.fresh++
			cur.delivery = d
			e := envelope[T]{job: d.Job()}
			if p.hook != nil {
				e.accepted = p.now()
			}
			return e, true
		case p.takeCtx.Err() != nil || errors.Is(err, ErrClosed):
			return envelope[T]{}, false
		default:
			// The queue is unreachable for now: say so, and try again
			// shortly rather than spin.
			p.cfg.logger.Warn("workerpool: taking from the queue failed", "worker", w.id, "err", err)
			select {
			case <-time.After(takeRetryDelay):
			case <-p.takeCtx.Done():
				return envelope[T]{}, false
			}
		}
	}
}

// takeRetryDelay is how long a worker waits after Take failed.
const takeRetryDelay = 250 * time.Millisecond

// settle ends an external delivery with the outcome of its attempt. It
// reports false when the job went back to the queue (counted Requeued):
// for a retry, because the pool's stop canceled it, or because its lease
// was lost (then it is left unsettled, as the queue delivers it again).
//
// A lost lease wins over whatever the handler returned: a handler that
// ignores its context may still succeed or fail after the queue has
// handed the job to another worker, and counting or settling that late
// attempt would count the job twice (or dead-letter a job that runs
// elsewhere).
func (p *Pool[T]) settle(w *worker, cur *running[T], o Outcome, err error) (final bool) {
	d := cur.delivery
	cur.delivery = nil
	if errors.Is(context.Cause(cur.ctx), ErrLeaseLost) {
		return false
	}
	ctx, cancel := context.WithTimeout(p.detached, settleTimeout)
	defer cancel()
	switch {
	case o == Succeeded:
		p.report(w, "ack", d.Ack(ctx))
		return true
	case o == Canceled && p.runCtx.Err() != nil:
		p.report(w, "retry", d.Retry(ctx, 0)) // the pool's stop canceled it: run it elsewhere now
		return false
	case p.shouldRetry(o, err, d.Attempt()):
		p.report(w, "retry", d.Retry(ctx, p.cfg.retry.backoff(d.Attempt())))
		return false
	}
	p.report(w, "fail", d.Fail(ctx, err.Error()))
	return true
}

// settleTimeout bounds each Ack, Retry and Fail call.
const settleTimeout = 10 * time.Second

func (p *Pool[T]) report(w *worker, what string, err error) {
	if err != nil {
		p.cfg.logger.Warn("workerpool: settling a delivery failed", "worker", w.id, "call", what, "err", err)
	}
}
