package bench

import "sync"

// goroutine is one goroutine per job with a WaitGroup (sync.WaitGroup.Go):
// no pool at all, so W is ignored and concurrency is unbounded.
type goroutineRunner struct{ wg *sync.WaitGroup }

func newGoroutine(int) (Runner, error) { return goroutineRunner{new(sync.WaitGroup)}, nil }

func (r goroutineRunner) Submit(j *Job) error { r.wg.Go(j.Run); return nil }

func (r goroutineRunner) Wait() error { r.wg.Wait(); return nil }
