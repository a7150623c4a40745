package bench

import "golang.org/x/sync/errgroup"

// errgroup: a Group with SetLimit(W), its documented way to bound the number
// of active goroutines. It starts one goroutine per task (no reuse, no
// queue); Go blocks while W are running. The task is the Job's RunErr form.
type errgroupRunner struct{ g *errgroup.Group }

func newErrgroup(workers int) (Runner, error) {
	g := new(errgroup.Group)
	g.SetLimit(workers)
	return errgroupRunner{g}, nil
}

func (r errgroupRunner) Submit(j *Job) error { r.g.Go(j.RunErr); return nil }

func (r errgroupRunner) Wait() error { return r.g.Wait() }
