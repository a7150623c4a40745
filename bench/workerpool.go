package bench

import (
	"context"
	"time"

	"github.com/workerpool/workerpool"
)

// workerpool, typed form: New[*Job] with a handler that runs the job, W
// workers (WithWorkers) and the same queue bound as the raw channel
// (WithQueueSize(QueueSize)). The queue carries *Job, one word, as the raw
// channel does. Submit blocks while the queue is full, like a channel send.
// Wait is Close: stop intake, run every queued job, wait for the workers.
type wpRunner struct {
	p *workerpool.Pool[*Job]
}

func runJob(_ context.Context, j *Job) error { j.Run(); return nil }

func newWP(workers int) (Runner, error) { return newWPWith(workers) }

func newWPWith(workers int, opts ...workerpool.Option) (Runner, error) {
	opts = append([]workerpool.Option{workerpool.WithWorkers(workers), workerpool.WithQueueSize(QueueSize)}, opts...)
	p, err := workerpool.New(runJob, opts...)
	if err != nil {
		return nil, err
	}
	return wpRunner{p}, nil
}

func (r wpRunner) Submit(j *Job) error { return r.p.Submit(context.Background(), j) }

func (r wpRunner) Wait() error { return r.p.Close() }

// workerpool, func form: NewTaskPool with the same options, and Go with the
// Job's RunCtx form (func(context.Context) error, built once, so Go gets the
// same func value every time and the adapter allocates nothing).
type wpTaskRunner struct {
	p *workerpool.TaskPool
}

func newWPTask(workers int) (Runner, error) { return newWPTaskWith(workers) }

func newWPTaskWith(workers int, opts ...workerpool.Option) (Runner, error) {
	opts = append([]workerpool.Option{workerpool.WithWorkers(workers), workerpool.WithQueueSize(QueueSize)}, opts...)
	p, err := workerpool.NewTaskPool(opts...)
	if err != nil {
		return nil, err
	}
	return wpTaskRunner{p}, nil
}

func (r wpTaskRunner) Submit(j *Job) error { return r.p.Go(j.RunCtx) }

func (r wpTaskRunner) Wait() error { return r.p.Close() }

// newWPTimeout and newWPTaskTimeout add WithJobTimeout(d): each job runs
// under its own deadline, enforced by the pool.
func newWPTimeout(d time.Duration) func(int) (Runner, error) {
	return func(w int) (Runner, error) { return newWPWith(w, workerpool.WithJobTimeout(d)) }
}

func newWPTaskTimeout(d time.Duration) func(int) (Runner, error) {
	return func(w int) (Runner, error) { return newWPTaskWith(w, workerpool.WithJobTimeout(d)) }
}
