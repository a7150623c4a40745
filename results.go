package workerpool

import (
	"log/slog"
	"sync"
)

// outbox carries results from the workers to the result hook. Workers only
// append to a list under a short lock, so a slow hook never blocks them;
// one goroutine calls the hook for each result in order.
type outbox[T any] struct {
	hook     func(Result[T])
	logger   *slog.Logger
	mu       sync.Mutex
	pending  []Result[T] // guarded by mu
	closed   bool        // guarded by mu
	wake     chan struct{}
	finished chan struct{}
}

func newOutbox[T any](hook func(Result[T]), logger *slog.Logger) *outbox[T] {
	o := &outbox[T]{
		hook:     hook,
		logger:   logger,
		wake:     make(chan struct{}, 1),
		finished: make(chan struct{}),
	}
	// Stops once close has been called and every pending result delivered.
	go o.deliver()
	return o
}

// push queues r for the hook; it never waits for the hook.
func (o *outbox[T]) push(r Result[T]) {
	o.mu.Lock()
	o.pending = append(o.pending, r)
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
	// Two lists take turns: workers append to one while this goroutine
	// delivers the other, so spare never shares an array with pending.
	var spare []Result[T]
	for {
		o.mu.Lock()
		batch, closed := o.pending, o.closed
		o.pending = spare
		o.mu.Unlock()
		for _, r := range batch {
			o.call(r)
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

// call runs the hook once, recovering (and logging) a panic in it.
func (o *outbox[T]) call(r Result[T]) {
	defer func() {
		if v := recover(); v != nil {
			o.logger.Error("workerpool: result hook panicked", "panic", v)
		}
	}()
	o.hook(r)
}
