package workerpool

import (
	"log/slog"
	"sync"
	"sync/atomic"
)

// outbox carries results, dead letters and stuck reports from the workers
// and the supervisor to the hooks. Producers only append to a list under a
// short lock, so a slow hook never blocks them; one goroutine calls the
// hooks, one item at a time, in order.
type outbox[T any] struct {
	p        *Pool[T]
	logger   *slog.Logger
	mu       sync.Mutex
	pending  []item[T] // guarded by mu
	closed   bool      // guarded by mu
	wake     chan struct{}
	finished chan struct{}
	gid      atomic.Uint64 // the deliverer's goroutine, for Close's self-check
}

// item is one thing to deliver: a job's final result (and, if it failed
// for good, its dead letter), or a stuck report.
type item[T any] struct {
	res        Result[T]
	deadLetter bool    // also deliver it to the dead-letter hook
	permanent  bool    // the last error was not retryable
	errs       []error // the dead letter's errors
	stuck      *StuckJob[T]
}

func newOutbox[T any](p *Pool[T], logger *slog.Logger) *outbox[T] {
	o := &outbox[T]{
		p:        p,
		logger:   logger,
		wake:     make(chan struct{}, 1),
		finished: make(chan struct{}),
	}
	// Stops once close has been called and every pending item delivered.
	go o.deliver()
	return o
}

// push queues it for the hooks; it never waits for them. Items pushed
// after close (by an abandoned handler that returned late) are dropped.
func (o *outbox[T]) push(it item[T]) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	o.pending = append(o.pending, it)
	first := len(o.pending) == 1
	o.mu.Unlock()
	if first { // the deliverer may be asleep: only an empty list lets it sleep
		o.poke()
	}
}

// close delivers what is pending, then stops the deliverer and waits for it.
func (o *outbox[T]) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.poke()
	<-o.finished
}

func (o *outbox[T]) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *outbox[T]) deliver() {
	defer close(o.finished)
	o.gid.Store(goroutineID())
	// Two lists take turns: producers append to one while this goroutine
	// delivers the other, so spare never shares an array with pending.
	var spare []item[T]
	for {
		o.mu.Lock()
		batch, closed := o.pending, o.closed
		o.pending = spare
		o.mu.Unlock()
		for i := range batch {
			o.call(&batch[i])
		}
		clear(batch) // drop references to delivered jobs
		spare = batch[:0]
		if len(batch) == 0 {
			if closed {
				return
			}
			<-o.wake
		}
	}
}

// call runs the hooks for one item, each under its own recovery, so that
// a panic in one (recovered and logged) skips no other.
func (o *outbox[T]) call(it *item[T]) {
	p := o.p
	if it.stuck != nil {
		if p.stuckHook != nil {
			o.guard("stuck", func() { p.stuckHook(*it.stuck) })
		}
		return
	}
	if it.deadLetter {
		o.guard("dead-letter", func() {
			p.deadLetter(DeadLetter[T]{
				Job: it.res.Job, Outcome: it.res.Outcome, Errors: it.errs, Permanent: it.permanent,
			})
		})
	}
	if p.hook != nil {
		o.guard("result", func() { p.hook(it.res) })
	}
}

func (o *outbox[T]) guard(which string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			o.logger.Error("workerpool: hook panicked", "hook", which, "panic", v)
		}
	}()
	f()
}
