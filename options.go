package workerpool

import (
	"context"
	"log/slog"
	"runtime"
	"time"
)

// DefaultQueueSize is the queue's capacity when [WithQueueSize] is not given.
const DefaultQueueSize = 1024

// MaxQueueSize is the largest capacity [WithQueueSize] accepts. The queue is
// allocated up front, so its memory is fixed for the pool's life.
const MaxQueueSize = 1 << 24

// Option configures a pool. Options are applied in order by [New] and
// [NewTaskPool], which validate them and return an error wrapping
// [ErrInvalidOption] for a bad value; a later option of the same kind
// overrides an earlier one.
type Option func(*config) error

type config struct {
	workers     int
	queueSize   int
	jobTimeout  time.Duration
	parent      context.Context
	logger      *slog.Logger
	resultHook  any // func(Result[T]); New[T] checks the T
	deadLetter  any // func(DeadLetter[T])
	stuckHook   any // func(StuckJob[T])
	retry       *RetryPolicy
	stuckGrace  time.Duration
	maxAbandon  int
	autoscale   bool
	minWorkers  int
	maxWorkers  int
	idleTimeout time.Duration

	queueSizeSet bool // WithQueueSize was given (an error with an external queue)
	noSupervisor bool // for the benchmark of the supervisor's cost only
}

func defaultConfig() config {
	return config{
		workers:    runtime.GOMAXPROCS(0),
		queueSize:  DefaultQueueSize,
		parent:     context.Background(),
		logger:     slog.New(slog.DiscardHandler),
		stuckGrace: DefaultStuckGrace,
		maxAbandon: DefaultMaxAbandoned,
	}
}

// MaxWorkers is the largest number of workers a pool may have.
const MaxWorkers = 1 << 20

// WithWorkers sets the number of worker goroutines, n ≥ 1. The default is
// runtime.GOMAXPROCS(0). Workers are started by New and run until the pool
// stops.
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 || n > MaxWorkers {
			return invalidOption("workers must be between 1 and %d, got %d", MaxWorkers, n)
		}
		c.workers = n
		return nil
	}
}

// WithQueueSize sets how many accepted jobs may wait for a worker, from 0 to
// [MaxQueueSize]. The default is [DefaultQueueSize]. The bound is exact:
// Submit blocks and TrySubmit fails while that many jobs wait. 0 makes
// every submission a hand-off to a waiting worker, like an unbuffered
// channel.
func WithQueueSize(n int) Option {
	return func(c *config) error {
		if n < 0 || n > MaxQueueSize {
			return invalidOption("queue size must be between 0 and %d, got %d", MaxQueueSize, n)
		}
		c.queueSize, c.queueSizeSet = n, true
		return nil
	}
}

// WithJobTimeout limits how long each job may run, d ≥ 0; 0 (the default)
// means no limit. When the time is up the job's context ends with cause
// [ErrJobTimeout] (and ctx.Deadline reports when that is); a handler that
// then returns the context's error is counted [TimedOut]. The pool's
// supervisor enforces the deadlines, to within about a sixteenth of d
// (at least 100µs, at most 10ms), instead of arming a timer per job.
//
// Go cannot stop a goroutine. A handler still running [WithStuckGrace]
// after its deadline is declared stuck: its job is counted TimedOut, its
// goroutine is abandoned (counted in [Health]) and a fresh worker takes its
// place, so the pool keeps its capacity.
func WithJobTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return invalidOption("job timeout must be ≥ 0, got %v", d)
		}
		c.jobTimeout = d
		return nil
	}
}

// WithContext makes parent the pool's parent context. Canceling it stops the
// pool hard: intake stops, running jobs' contexts are canceled, and queued
// jobs are not started and are counted [Canceled]. See the Lifecycle section
// of the package documentation. The default is context.Background().
func WithContext(parent context.Context) Option {
	return func(c *config) error {
		if parent == nil {
			return invalidOption("parent context must not be nil")
		}
		c.parent = parent
		return nil
	}
}

// WithLogger sets the logger the pool reports recovered panics and hook
// panics to. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return invalidOption("logger must not be nil")
		}
		c.logger = l
		return nil
	}
}

// WithResultHook has f called with the [Result] of every accepted job: its
// outcome, error, attempts and timings. f runs on one goroutine of the
// pool's, never concurrently with itself, in the order the jobs ended; it
// never blocks a worker, because results wait in a list between the workers
// and f (that list grows only while f is slower than the jobs). Every call
// has returned before [Pool.Close] returns and [Pool.Done] is closed. A
// panic in f is recovered and logged. Close called from f returns
// [ErrReentrant] instead of waiting for f itself.
//
// T must be the pool's job type; [New] rejects a hook of another type with
// [ErrInvalidOption].
func WithResultHook[T any](f func(Result[T])) Option {
	return func(c *config) error {
		if f == nil {
			return invalidOption("result hook must not be nil")
		}
		c.resultHook = f
		return nil
	}
}

// DefaultStuckGrace is the grace period of [WithStuckGrace].
const DefaultStuckGrace = 5 * time.Second

// DefaultMaxAbandoned is the cap of [WithMaxAbandoned].
const DefaultMaxAbandoned = 64

// WithStuckGrace sets how long a handler may go on after its job's
// deadline ([WithJobTimeout]) before it is declared stuck, d > 0. The
// default is [DefaultStuckGrace]. Without a job timeout nothing is ever
// declared stuck: a job may legitimately run for as long as it likes.
func WithStuckGrace(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalidOption("stuck grace must be > 0, got %v", d)
		}
		c.stuckGrace = d
		return nil
	}
}

// WithMaxAbandoned caps how many stuck handlers may be abandoned (still
// running, their workers replaced) at once, n ≥ 0; the default is
// [DefaultMaxAbandoned]. Past the cap the pool stops replacing stuck
// workers, so its capacity shrinks instead of its goroutines growing
// without bound, and [Health] reports it unhealthy. 0 means stuck workers
// are never replaced.
func WithMaxAbandoned(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return invalidOption("max abandoned must be ≥ 0, got %d", n)
		}
		c.maxAbandon = n
		return nil
	}
}

// WithStuckHook has f called for every handler declared stuck, with the
// job, how long it has run and the stack of its goroutine. f runs on the
// same goroutine as the result hook (see [WithResultHook]) and never
// blocks a worker or the supervisor. T must be the pool's job type.
func WithStuckHook[T any](f func(StuckJob[T])) Option {
	return func(c *config) error {
		if f == nil {
			return invalidOption("stuck hook must not be nil")
		}
		c.stuckHook = f
		return nil
	}
}

// WithAutoscale lets the number of workers follow the load between min and
// max (0 ≤ min ≤ max, max ≥ 1), instead of the fixed number of
// [WithWorkers]: the pool starts min workers, adds as many as jobs wait in
// the queue at each tick (about 10ms), up to max, and lets a worker go once
// it has been idle for idleTimeout (> 0) while more than min run. With min
// 0 an idle pool has no worker at all, and the first job submitted starts
// one. Autoscaling needs a queue: it is an error with WithQueueSize(0).
func WithAutoscale(min, max int, idleTimeout time.Duration) Option {
	return func(c *config) error {
		switch {
		case min < 0 || max < 1 || min > max || max > MaxWorkers:
			return invalidOption("autoscale needs 0 ≤ min ≤ max, 1 ≤ max ≤ %d; got min %d, max %d", MaxWorkers, min, max)
		case idleTimeout <= 0:
			return invalidOption("autoscale idle timeout must be > 0, got %v", idleTimeout)
		}
		c.autoscale, c.minWorkers, c.maxWorkers, c.idleTimeout = true, min, max, idleTimeout
		return nil
	}
}
