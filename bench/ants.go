package bench

import (
	"context"

	"github.com/panjf2000/ants/v2"
)

// ants: NewPool(W) with default options, as its README shows for a pool of
// fixed capacity. Blocking mode (the default), so Submit waits for a free
// worker: ants has no task queue, a full pool parks the caller. PreAlloc is
// off: the README recommends it only for ultra-large pools whose tasks run
// long, which none of these workloads is (W is GOMAXPROCS, 100 or 1,000).
// Wait is ReleaseContext: every task was handed to a worker when its Submit
// returned, and ReleaseContext waits for all workers and for the pool's purge
// and ticktock goroutines to exit, so no per-task WaitGroup wrapper (and its
// closure allocation) is needed.
type antsRunner struct{ p *ants.Pool }

func newAnts(workers int) (Runner, error) {
	p, err := ants.NewPool(workers)
	if err != nil {
		return nil, err
	}
	return antsRunner{p}, nil
}

func (r antsRunner) Submit(j *Job) error { return r.p.Submit(j.Run) }

func (r antsRunner) Wait() error { return r.p.ReleaseContext(context.Background()) }
