package workerpool_test

import (
	"context"
	"fmt"
	"time"

	"github.com/workerpool/workerpool"
)

// A handler that ignores its context is declared stuck once it runs past
// its deadline and grace: its job is counted TimedOut, the hook gets its
// stack, and a fresh worker takes its place, so the pool of one keeps
// running jobs.
func ExampleWithStuckHook() {
	release := make(chan struct{})
	stuck := make(chan workerpool.StuckJob[string], 1)
	p, err := workerpool.New(func(ctx context.Context, job string) error {
		if job == "ignores its context" {
			<-release // never looks at ctx
		}
		return nil
	},
		workerpool.WithWorkers(1),
		workerpool.WithJobTimeout(10*time.Millisecond),
		workerpool.WithStuckGrace(10*time.Millisecond),
		workerpool.WithStuckHook(func(s workerpool.StuckJob[string]) { stuck <- s }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Submit(context.Background(), "ignores its context"); err != nil {
		fmt.Println(err)
		return
	}
	s := <-stuck
	fmt.Printf("stuck: %q, abandoned: %v, stack captured: %v\n", s.Job, s.Abandoned, len(s.Stack) > 0)
	h := p.Health()
	fmt.Println("abandoned handlers:", h.Abandoned, "healthy:", h.Healthy)

	// The replacement worker runs the next job.
	if err := p.Submit(context.Background(), "next"); err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Close(); err != nil { // does not wait for the abandoned handler
		fmt.Println(err)
		return
	}
	st := p.Stats()
	fmt.Println("succeeded", st.Succeeded, "timed out", st.TimedOut)
	close(release) // let the abandoned goroutine end
	// Output:
	// stuck: "ignores its context", abandoned: true, stack captured: true
	// abandoned handlers: 1 healthy: true
	// succeeded 1 timed out 1
}

// Resize changes the number of workers while the pool runs.
func ExamplePool_Resize() {
	p, err := workerpool.New(func(context.Context, int) error { return nil }, workerpool.WithWorkers(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Resize(8); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(p.Health().Workers), "workers")
	if err := p.Close(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Resize(4))
	// Output:
	// 8 workers
	// workerpool: closed
}
