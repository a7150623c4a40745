package workerpool

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Pool runs jobs of type T on a fixed set of worker goroutines that take
// them from a bounded queue, as the seed's buffered channel and
// `for job := range jobs` loop do, and accounts for every job it accepted.
// Create one with [New]; the zero Pool is not usable.
//
// All methods are safe for concurrent use.
type Pool[T any] struct {
	handler func(context.Context, T) error
	cfg     config
	hook    func(Result[T]) // nil when no result hook is set
	timed   bool            // stamp jobs with times (only when a hook wants them)

	// jobs is the queue: the seed's buffered channel. Workers range over it.
	// It is closed once intake has stopped and no Submit is still sending.
	jobs chan envelope[T]

	// gate admits sends on jobs: its low bits count Submit/TrySubmit calls
	// between their admission and the end of their send, and gateClosed is
	// set once intake stops. jobs is closed only when the gate is closed and
	// no send is admitted, since a send on a closed channel panics. One
	// word, so that admission costs a send one atomic add and no more.
	_         [64]byte     // the gate is written by every send: keep it off
	gate      atomic.Int64 // the cache lines that workers read
	_         [64]byte
	closing   chan struct{} // closed when intake stops; wakes blocked Submits
	sendsDone chan struct{} // capacity 1: the last admitted send has ended
	closeOnce sync.Once

	// mode tells workers what to do with the jobs they take: run them, stop
	// taking them (Shutdown ran out of time and drains the queue itself) or
	// cancel them unstarted (the parent context ended).
	mode atomic.Uint32
	// epoch is the pool's coarse clock, advanced by the supervisor every
	// tick while workers run; a worker publishes its counts when it sees a
	// new one. Reading it is the only shared access on the dispatch path.
	epoch     atomic.Uint64
	kick      chan struct{} // capacity 1: wakes a sleeping supervisor
	superStop chan struct{} // closed by finishStop: the supervisor returns
	superDone chan struct{} // closed when the supervisor has returned

	// runCtx is the parent of every job's context: the WithContext parent,
	// canceled with ErrShutdown when Shutdown runs out of time.
	runCtx    context.Context
	cancelRun context.CancelCauseFunc
	stopHook  func() bool // stops the AfterFunc watching the parent

	mu      sync.Mutex
	workers []*worker // live workers; guarded by mu
	settled counts    // counts no longer held by a live worker; guarded by mu
	nextID  int       // guarded by mu
	wg      sync.WaitGroup
	out     *outbox[T] // nil when no result hook is set
	done    chan struct{}
}

// envelope is what travels through the queue: the job, and when a result
// hook wants timings, the moment it was accepted.
type envelope[T any] struct {
	job      T
	accepted int64 // monotonic nanoseconds since the pool started; 0 if untimed
}

const (
	modeRun      uint32 = iota // run every job taken
	modeHandBack               // Shutdown ran out of time: leave queued jobs to it
	modeCancel                 // the parent context ended: cancel queued jobs
)

// New starts a pool that runs handler for every submitted job, on the
// number of workers set by [WithWorkers], with a queue of the size set by
// [WithQueueSize]. It returns an error wrapping [ErrInvalidOption] if
// handler is nil or an option is invalid, and then starts nothing.
//
// Each job's context carries the pool's cancellation and the job's
// timeout; a handler should return when it ends. Stop the pool with
// [Pool.Close] or [Pool.Shutdown] to release its goroutines.
func New[T any](handler func(ctx context.Context, job T) error, opts ...Option) (*Pool[T], error) {
	if handler == nil {
		return nil, invalidOption("handler must not be nil")
	}
	cfg := defaultConfig()
	for i, opt := range opts {
		if opt == nil {
			return nil, invalidOption("option %d is nil", i)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	p := &Pool[T]{
		handler:   handler,
		cfg:       cfg,
		jobs:      make(chan envelope[T], cfg.queueSize),
		closing:   make(chan struct{}),
		sendsDone: make(chan struct{}, 1),
		kick:      make(chan struct{}, 1),
		superStop: make(chan struct{}),
		superDone: make(chan struct{}),
		done:      make(chan struct{}),
	}
	if cfg.resultHook != nil {
		hook, ok := cfg.resultHook.(func(Result[T]))
		if !ok {
			return nil, invalidOption("result hook is a %T; this pool needs a func(workerpool.Result[%T])", cfg.resultHook, *new(T))
		}
		p.hook = hook
		p.timed = true
		p.out = newOutbox(hook, cfg.logger)
	}
	p.runCtx, p.cancelRun = context.WithCancelCause(cfg.parent)
	p.mu.Lock()
	for range cfg.workers {
		p.startWorkerLocked()
	}
	p.mu.Unlock()
	go p.supervise()
	// Runs hardStop on its own goroutine if the parent is canceled; stopped
	// (never run) once the pool has stopped by Close or Shutdown.
	p.stopHook = context.AfterFunc(cfg.parent, p.hardStop)
	return p, nil
}

// Submit adds job to the queue, blocking while the queue is full, and
// returns nil once the job is accepted: from then on it will end in exactly
// one [Outcome]. If ctx ends before there is room, Submit returns ctx.Err()
// and the job is not accepted (and not counted). Once [Pool.Close] or
// [Pool.Shutdown] has begun, or the [WithContext] parent has been canceled,
// Submit returns [ErrClosed]; this is safe even while Close is racing it.
// If ctx is already done, Submit returns ctx.Err() without trying.
//
// A handler that submits to its own pool should pass its job's context, so
// that the call gives up when the pool shuts down, or use [Pool.TrySubmit]:
// a full pool whose workers all wait to submit can make no progress.
func (p *Pool[T]) Submit(ctx context.Context, job T) error {
	if ctx == nil {
		return invalidArgument("Submit needs a non-nil context")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !p.enter() {
		return ErrClosed
	}
	e := envelope[T]{job: job}
	if p.timed {
		e.accepted = p.now()
	}
	select {
	case p.jobs <- e: // the common case: there is room
		p.leave()
		return nil
	default:
	}
	var err error
	select {
	case p.jobs <- e:
	case <-ctx.Done():
		err = ctx.Err()
	case <-p.closing:
		err = ErrClosed
	}
	p.leave()
	return err
}

// TrySubmit adds job to the queue if there is room right now and never
// blocks. It returns [ErrQueueFull] if the queue is full (with a queue size
// of 0: if no worker is waiting), and [ErrClosed] once the pool has begun
// to stop. A job refused with an error is not accepted and not counted.
func (p *Pool[T]) TrySubmit(job T) error {
	if !p.enter() {
		return ErrClosed
	}
	e := envelope[T]{job: job}
	if p.timed {
		e.accepted = p.now()
	}
	var err error
	select {
	case p.jobs <- e:
	default:
		err = ErrQueueFull
	}
	p.leave()
	return err
}

const gateClosed = 1 << 62

// enter admits a send on jobs; it reports false once intake has stopped.
// Every true must be paired with leave.
func (p *Pool[T]) enter() bool {
	if p.gate.Add(1)&gateClosed != 0 {
		p.leave()
		return false
	}
	return true
}

// leave ends a send admitted by enter. The last one to leave after intake
// stopped tells beginClose that jobs can now be closed.
func (p *Pool[T]) leave() {
	if p.gate.Add(-1) == gateClosed {
		select {
		case p.sendsDone <- struct{}{}:
		default:
		}
	}
}

// Done returns a channel that is closed once the pool has stopped: intake
// stopped, every worker exited and every result delivered to the result
// hook. A handler that ignores its context keeps Done open until it
// returns.
func (p *Pool[T]) Done() <-chan struct{} { return p.done }

// epoch is the zero of the pool's monotonic clock.
var epoch = time.Now()

// now returns monotonic nanoseconds since epoch; never 0.
func (p *Pool[T]) now() int64 { return int64(time.Since(epoch)) + 1 }
