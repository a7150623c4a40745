package bench

import "github.com/gammazero/workerpool"

// gammazero/workerpool: New(W) with default options, as its README example.
// It has no queue bound to set: Submit never blocks and tasks wait in an
// unbounded deque (its docs say so; bounding it is left to the caller), so
// its memory grows with a fast producer. Idle workers stop after the default
// idle timeout. Wait is StopWait, which runs every queued task and stops the
// dispatcher goroutine.
type gammazeroRunner struct{ p *workerpool.WorkerPool }

func newGammazero(workers int) (Runner, error) {
	return gammazeroRunner{workerpool.New(workers)}, nil
}

func (r gammazeroRunner) Submit(j *Job) error { return r.p.Do(j.Run) }

func (r gammazeroRunner) Wait() error { r.p.StopWait(); return nil }
