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
	ext     Queue[T]        // NewWithQueue's queue; nil for the pool's own channel
	tracked bool            // jobs get contexts of their own (job timeout or external queue)
	hook    func(Result[T]) // nil when no result hook is set; jobs are timed only for it

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

	// ctl tells workers to leave their usual loop: Shutdown ran out of
	// time (ctlHandBack), the parent ended (ctlCancel), or Resize asked some
	// to exit (ctlShrink). Workers read it once per job; it is written
	// rarely.
	ctl atomic.Uint32
	// epoch is the pool's coarse clock, advanced by the supervisor every
	// tick while workers run; a worker publishes its counts when it sees a
	// new one.
	epoch atomic.Uint64
	kick  chan struct{} // capacity 1: wakes a sleeping supervisor
	// needsSupervisor: job timeouts or autoscaling need the supervisor
	// awake whenever a worker runs, so workers kick it when they start.
	needsSupervisor bool
	superStop       chan struct{}  // closed by finishStop: the supervisor returns
	superDone       chan struct{}  // closed when the supervisor has returned
	renewing        sync.WaitGroup // lease renewals the supervisor started

	// runCtx is canceled when the pool is canceled: by the WithContext
	// parent, or with ErrShutdown when Shutdown runs out of time. It is the
	// context of jobs without a timeout; jobs with one get their own (see
	// jobctx.go), canceled by the pool when runCtx is.
	runCtx    context.Context
	cancelRun context.CancelCauseFunc
	detached  context.Context // runCtx's values without its cancellation
	// takeCtx ends an external queue's Take calls once intake stops.
	takeCtx    context.Context
	cancelTake context.CancelFunc
	stopHooks  []func() bool // stop the AfterFuncs watching parent and runCtx

	// Retries (retry.go): jobs waiting for another attempt, and how many of
	// those are back in the queue; both only move on the retry path.
	pendingRetries atomic.Int64
	retriesQueued  atomic.Int64
	pills          atomic.Int64 // wake-up envelopes in the queue (see sendPills)
	deadLetter     func(DeadLetter[T])
	stuckHook      func(StuckJob[T])

	mu           sync.Mutex
	workers      []*worker                     // live workers; guarded by mu
	abandoned    []*worker                     // workers left to stuck handlers; guarded by mu
	retrying     map[*pendingRetry[T]]struct{} // pending retries; guarded by mu
	retriesTaken bool                          // a stop took the pending retries: schedule none; guarded by mu
	settled      counts                        // counts no longer held by a worker; guarded by mu
	target       int                           // workers wanted (Resize, autoscale); guarded by mu
	exits        int                           // workers asked to exit, not yet gone; guarded by mu
	health       healthLog                     // guarded by mu
	nextID       int                           // guarded by mu
	drainers     int                           // Shutdowns and hard stops ending jobs; guarded by mu
	finishing    bool                          // finishStop waits for no more drainers; guarded by mu
	drained      chan struct{}                 // the last drainer left after finishing
	late         []T                           // jobs finishStop handed back; guarded by mu
	lateReady    chan struct{}                 // closed once late is complete
	live         atomic.Int32                  // len(workers) - exits, for Submit's autoscale check
	wg           sync.WaitGroup                // workers, but abandoned ones
	out          *outbox[T]                    // nil when no hook is set
	done         chan struct{}
}

// envelope is what travels through the queue: the job, when a hook wants
// timings the moment it was accepted, and for a retried job its history.
type envelope[T any] struct {
	job      T
	accepted int64       // monotonic nanoseconds since the pool started; 0 without a result hook
	retry    *retryState // nil on the first attempt
}

const (
	ctlHandBack uint32 = 1 << iota // Shutdown ran out of time: leave queued jobs to it
	ctlCancel                      // the parent context ended: cancel queued jobs
	ctlShrink                      // some workers were asked to exit
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
	return newPool[T](nil, handler, opts)
}

// newPool is New, and with q non-nil NewWithQueue.
func newPool[T any](q Queue[T], handler func(ctx context.Context, job T) error, opts []Option) (*Pool[T], error) {
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
	if q != nil {
		switch {
		case cfg.queueSizeSet:
			return nil, invalidOption("WithQueueSize does not apply to an external queue")
		case cfg.autoscale:
			return nil, invalidOption("WithAutoscale does not apply to an external queue")
		}
		cfg.queueSize = 0
	}
	if cfg.autoscale && cfg.queueSize == 0 {
		// Autoscaling grows on jobs waiting in the queue; with no queue
		// nothing ever waits there.
		return nil, invalidOption("WithAutoscale needs a queue: WithQueueSize must be ≥ 1")
	}
	p := &Pool[T]{
		handler:   handler,
		cfg:       cfg,
		ext:       q,
		jobs:      make(chan envelope[T], cfg.queueSize),
		closing:   make(chan struct{}),
		sendsDone: make(chan struct{}, 1),
		kick:      make(chan struct{}, 1),
		superStop: make(chan struct{}),
		superDone: make(chan struct{}),
		drained:   make(chan struct{}, 1),
		lateReady: make(chan struct{}),
		retrying:  map[*pendingRetry[T]]struct{}{},
		done:      make(chan struct{}),
	}
	if err := p.setHooks(); err != nil {
		return nil, err
	}
	// The pool's context has the parent's values and deadline but not its
	// cancellation: hardStop cancels it when the parent ends, after it has
	// told workers to start nothing more (see parentEnded).
	p.runCtx, p.cancelRun = context.WithCancelCause(withoutCancel(cfg.parent))
	p.detached = context.WithoutCancel(p.runCtx)
	p.takeCtx, p.cancelTake = context.WithCancel(p.detached)
	p.tracked = cfg.jobTimeout > 0 || q != nil
	if p.hook != nil || p.deadLetter != nil || p.stuckHook != nil {
		p.out = newOutbox(p, cfg.logger)
	}
	p.needsSupervisor = p.tracked || cfg.autoscale
	p.target = cfg.workers
	if cfg.autoscale {
		p.target = cfg.minWorkers
	}
	p.mu.Lock()
	for range p.target {
		p.startWorkerLocked(nil)
	}
	p.mu.Unlock()
	// Stopped by finishStop once every worker has exited.
	if cfg.noSupervisor {
		close(p.superDone) // tests measuring the supervisor's cost only
	} else {
		go p.supervise()
	}
	// Jobs with a timeout have contexts of their own: cancelTimedJobs
	// cancels them when the pool is canceled. hardStop runs on its own
	// goroutine if the parent is canceled, perhaps at once. finishStop stops
	// both (and neither runs after it).
	p.mu.Lock()
	if p.tracked {
		p.stopHooks = append(p.stopHooks, context.AfterFunc(p.runCtx, p.cancelTimedJobs))
	}
	p.stopHooks = append(p.stopHooks, context.AfterFunc(cfg.parent, p.hardStop))
	p.mu.Unlock()
	return p, nil
}

// setHooks checks that the hooks given as options take this pool's T.
func (p *Pool[T]) setHooks() error {
	var ok bool
	if h := p.cfg.resultHook; h != nil {
		if p.hook, ok = h.(func(Result[T])); !ok {
			return invalidOption("result hook is a %T; this pool needs a func(workerpool.Result[%T])", h, *new(T))
		}
	}
	if h := p.cfg.deadLetter; h != nil {
		if p.deadLetter, ok = h.(func(DeadLetter[T])); !ok {
			return invalidOption("dead-letter hook is a %T; this pool needs a func(workerpool.DeadLetter[%T])", h, *new(T))
		}
	}
	if h := p.cfg.stuckHook; h != nil {
		if p.stuckHook, ok = h.(func(StuckJob[T])); !ok {
			return invalidOption("stuck hook is a %T; this pool needs a func(workerpool.StuckJob[%T])", h, *new(T))
		}
	}
	return nil
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
	if p.ext != nil {
		defer p.leave()
		return p.ext.Put(ctx, job)
	}
	e := envelope[T]{job: job}
	if p.hook != nil {
		e.accepted = p.now()
	}
	select {
	case p.jobs <- e: // the common case: there is room
		p.accepted()
		p.leave()
		return nil
	default:
	}
	var err error
	select {
	case p.jobs <- e:
		p.accepted()
	case <-ctx.Done():
		err = ctx.Err()
	case <-p.closing:
		err = ErrClosed
	}
	p.leave()
	return err
}

// accepted runs after a job entered the queue, before its send leaves the
// gate. Only an autoscaling pool has work to do here: start a worker if it
// has none (before leave, so that the queue cannot close meanwhile).
func (p *Pool[T]) accepted() {
	if p.cfg.autoscale && p.live.Load() == 0 {
		p.scaleFromZero()
	}
}

// TrySubmit adds job to the queue if there is room right now and never
// blocks. It returns [ErrQueueFull] if the queue is full (with a queue size
// of 0: if no worker is waiting), and [ErrClosed] once the pool has begun
// to stop. A job refused with an error is not accepted and not counted.
func (p *Pool[T]) TrySubmit(job T) error {
	if !p.enter() {
		return ErrClosed
	}
	if p.ext != nil {
		defer p.leave()
		return p.ext.TryPut(job)
	}
	e := envelope[T]{job: job}
	if p.hook != nil {
		e.accepted = p.now()
	}
	var err error
	select {
	case p.jobs <- e:
		p.accepted()
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

// withoutCancel is context.WithoutCancel that still reports the parent's
// deadline.
func withoutCancel(parent context.Context) context.Context {
	c := context.WithoutCancel(parent)
	if d, ok := parent.Deadline(); ok {
		return deadlineContext{c, d}
	}
	return c
}

type deadlineContext struct {
	context.Context
	deadline time.Time
}

func (c deadlineContext) Deadline() (time.Time, bool) { return c.deadline, true }
