package bench

import "github.com/sourcegraph/conc/pool"

// conc: pool.New().WithMaxGoroutines(W), as its docs show for a bounded
// pool. It has no queue: Go blocks until a worker takes the task, and
// workers are started lazily up to W. Wait closes the task channel and waits
// for the workers.
type concRunner struct{ p *pool.Pool }

func newConc(workers int) (Runner, error) {
	return concRunner{pool.New().WithMaxGoroutines(workers)}, nil
}

func (r concRunner) Submit(j *Job) error { r.p.Go(j.Run); return nil }

func (r concRunner) Wait() error { r.p.Wait(); return nil }
