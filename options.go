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
	workers    int
	queueSize  int
	jobTimeout time.Duration
	parent     context.Context
	logger     *slog.Logger
	resultHook any // func(Result[T]); New[T] checks the T
}

func defaultConfig() config {
	return config{
		workers:   runtime.GOMAXPROCS(0),
		queueSize: DefaultQueueSize,
		parent:    context.Background(),
		logger:    slog.New(slog.DiscardHandler),
	}
}

// WithWorkers sets the number of worker goroutines, n ≥ 1. The default is
// runtime.GOMAXPROCS(0). Workers are started by New and run until the pool
// stops.
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return invalidOption("workers must be ≥ 1, got %d", n)
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
		c.queueSize = n
		return nil
	}
}

// WithJobTimeout limits how long each job may run, d ≥ 0; 0 (the default)
// means no limit. When the time is up the job's context ends with cause
// [ErrJobTimeout]; a handler that then returns the context's error is
// counted [TimedOut]. Go cannot stop a goroutine, so a handler that ignores
// its context keeps running (and keeps its worker) until it returns.
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
// panic in f is recovered and logged.
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
