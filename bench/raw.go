package bench

import (
	"context"
	"errors"
	"sync"
	"time"
)

// raw is the seed's pattern, the base of every comparison: a channel
// buffered to QueueSize, W goroutines ranging over it, close, WaitGroup. The
// channel carries *Job, one word, as workerpool's typed pool does.
type raw struct {
	jobs chan *Job
	wg   sync.WaitGroup
}

func newRaw(workers int) (Runner, error) {
	r := &raw{jobs: make(chan *Job, QueueSize)}
	for range workers {
		r.wg.Go(func() {
			for j := range r.jobs {
				j.Run()
			}
		})
	}
	return r, nil
}

func (r *raw) Submit(j *Job) error { r.jobs <- j; return nil }

func (r *raw) Wait() error {
	close(r.jobs)
	r.wg.Wait()
	return nil
}

// errJobTimeout is the cause given to per-job timeout contexts.
var errJobTimeout = errors.New("bench: job timed out")

// NewRawTimeout is the raw pattern plus what a user writes by hand to give
// each job a deadline: context.WithTimeoutCause around every job. It is the
// reference for workerpool's WithJobTimeout.
func NewRawTimeout(d time.Duration) func(workers int) (Runner, error) {
	return func(workers int) (Runner, error) {
		r := &raw{jobs: make(chan *Job, QueueSize)}
		for range workers {
			r.wg.Go(func() {
				for j := range r.jobs {
					ctx, cancel := context.WithTimeoutCause(context.Background(), d, errJobTimeout)
					_ = j.RunCtx(ctx)
					cancel()
				}
			})
		}
		return r, nil
	}
}
