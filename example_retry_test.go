package workerpool_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/workerpool/workerpool"
)

// Retries with backoff, and a dead letter for the job that never
// succeeds. A job waiting for its next attempt does not hold a worker.
func ExampleWithRetry() {
	var mu sync.Mutex
	tries := map[string]int{}
	p, err := workerpool.New(func(ctx context.Context, name string) error {
		mu.Lock()
		defer mu.Unlock()
		tries[name]++
		switch {
		case name == "flaky" && tries[name] < 3:
			return errors.New("temporarily unavailable")
		case name == "broken":
			return errors.New("always fails")
		case name == "invalid":
			return workerpool.Permanent(errors.New("bad input")) // not worth retrying
		}
		return nil
	},
		workerpool.WithRetry(workerpool.RetryPolicy{
			MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond,
		}),
		workerpool.WithDeadLetter(func(d workerpool.DeadLetter[string]) {
			fmt.Printf("dead letter: %s after %d attempts (permanent: %v)\n", d.Job, len(d.Errors), d.Permanent)
		}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"flaky", "broken", "invalid"} {
		if err := p.Submit(context.Background(), name); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := p.Close(); err != nil { // waits for the retries too
		fmt.Println(err)
		return
	}
	s := p.Stats()
	fmt.Println("succeeded", s.Succeeded, "failed", s.Failed, "- flaky ran", tries["flaky"], "times")
	// Unordered output:
	// dead letter: invalid after 1 attempts (permanent: true)
	// dead letter: broken after 4 attempts (permanent: false)
	// succeeded 1 failed 2 - flaky ran 3 times
}
