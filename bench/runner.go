package bench

import (
	"context"
	"runtime"
	"time"
)

// QueueSize is the queue bound given to every library that has one: the raw
// pattern's channel buffer, workerpool's WithQueueSize and pond's
// WithQueueSize. It is the same for every W so that only the library varies.
const QueueSize = 1024

// Runner is one library's pool of W workers, seen by the benchmarks.
type Runner interface {
	// Submit hands j to the pool; it blocks where the library blocks (a full
	// queue, or no free worker). It is safe for concurrent use.
	Submit(j *Job) error
	// Wait waits until every submitted job has run, then stops the pool and
	// its goroutines. The Runner is not used afterwards.
	Wait() error
}

// Lib names a library and builds its Runner for W workers.
type Lib struct {
	Name string
	New  func(workers int) (Runner, error)
}

// Libs lists every adapter, the raw channel pattern first: it is the base
// that run.sh and cmd/chart compare against. Names are the values of the
// lib= key in benchmark names.
func Libs() []Lib {
	return []Lib{
		{"raw", newRaw},
		{"wp", newWP},
		{"wptask", newWPTask},
		{"ants", newAnts},
		{"pond", newPondSubmit},
		{"pondgo", newPondGo},
		{"gammazero", newGammazero},
		{"conc", newConc},
		{"errgroup", newErrgroup},
		{"goroutine", newGoroutine},
	}
}

// Workers is the list of pool sizes every workload runs at: GOMAXPROCS and 100.
func Workers() []int {
	if n := runtime.GOMAXPROCS(0); n != 100 {
		return []int{n, 100}
	}
	return []int{100}
}

// Job is one unit of benchmark work in each signature the libraries take,
// built once by NewJob before the timer starts.
type Job struct {
	Run    func()
	RunErr func() error
	RunCtx func(context.Context) error
}

// NewJob returns f in every signature. RunErr and RunCtx call f and return
// nil; the extra indirect call costs about a nanosecond.
func NewJob(f func()) *Job {
	return &Job{
		Run:    f,
		RunErr: func() error { f(); return nil },
		RunCtx: func(context.Context) error { f(); return nil },
	}
}

// TimeoutLibs lists the pools that give each job a deadline d: the raw
// pattern with context.WithTimeoutCause around each job, the base, and
// workerpool with WithJobTimeout.
func TimeoutLibs(d time.Duration) []Lib {
	return []Lib{
		{"raw", NewRawTimeout(d)},
		{"wp", newWPTimeout(d)},
		{"wptask", newWPTaskTimeout(d)},
	}
}
