package bench

import "github.com/alitto/pond/v2"

// pond v2: NewPool(W), the README's "pool with limited concurrency", with
// WithQueueSize(QueueSize) so its queue has the same bound as the raw
// channel (pond's default queue is unbounded). Blocking mode (the default):
// Submit and Go wait while the queue is full. Two forms, both measured:
// Submit returns a Task future (an allocation per task), Go is
// fire-and-forget. Wait is StopAndWait, which runs every queued task and
// waits for the workers.
type pondRunner struct {
	p     pond.Pool
	useGo bool
}

func newPond(workers int, useGo bool) (Runner, error) {
	return pondRunner{pond.NewPool(workers, pond.WithQueueSize(QueueSize)), useGo}, nil
}

func newPondSubmit(workers int) (Runner, error) { return newPond(workers, false) }

func newPondGo(workers int) (Runner, error) { return newPond(workers, true) }

func (r pondRunner) Submit(j *Job) error {
	if r.useGo {
		return r.p.Go(j.Run)
	}
	r.p.Submit(j.Run) // the future is dropped: fire-and-forget, as Go
	return nil
}

func (r pondRunner) Wait() error { r.p.StopAndWait(); return nil }
