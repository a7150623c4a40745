package workerpool_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/workerpool/workerpool"
)

// The seed's pattern, as a pool: submit jobs, close to drain, read the
// counts.
func Example() {
	var mu sync.Mutex
	lengths := map[string]int{}
	p, err := workerpool.New(func(ctx context.Context, word string) error {
		mu.Lock()
		defer mu.Unlock()
		lengths[word] = len(word)
		return nil
	}, workerpool.WithWorkers(3), workerpool.WithQueueSize(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range strings.Fields("a buffered channel as the job queue") {
		if err := p.Submit(context.Background(), w); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := p.Close(); err != nil { // runs every queued job, then returns
		fmt.Println(err)
		return
	}
	fmt.Println(lengths["buffered"], lengths["queue"])
	s := p.Stats()
	fmt.Println(s.Submitted, s.Succeeded)
	// Output:
	// 8 5
	// 7 7
}

// Every job's outcome reaches the result hook, failures and panics
// included.
func ExampleWithResultHook() {
	var mu sync.Mutex
	outcomes := map[int]string{}
	p, err := workerpool.New(func(ctx context.Context, n int) error {
		switch {
		case n%5 == 0:
			panic("multiple of five")
		case n%2 == 0:
			return fmt.Errorf("%d is even", n)
		}
		return nil
	}, workerpool.WithResultHook(func(r workerpool.Result[int]) {
		mu.Lock()
		defer mu.Unlock()
		outcomes[r.Job] = r.Outcome.String()
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for n := 1; n <= 5; n++ {
		if err := p.Submit(context.Background(), n); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := p.Close(); err != nil { // every hook call has returned by now
		fmt.Println(err)
		return
	}
	for n := 1; n <= 5; n++ {
		fmt.Println(n, outcomes[n])
	}
	// Output:
	// 1 succeeded
	// 2 failed
	// 3 succeeded
	// 4 failed
	// 5 panicked
}

// TrySubmit never blocks: a full queue is an error to act on.
func ExamplePool_TrySubmit() {
	release := make(chan struct{})
	p, err := workerpool.New(func(ctx context.Context, n int) error {
		<-release
		return nil
	}, workerpool.WithWorkers(1), workerpool.WithQueueSize(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Submit waits for the idle worker to take the job.
	if err := p.Submit(context.Background(), 1); err != nil {
		fmt.Println(err)
		return
	}
	// The only worker is busy and there is no queue.
	err = p.TrySubmit(2)
	fmt.Println(errors.Is(err, workerpool.ErrQueueFull))
	close(release)
	if err := p.Close(); err != nil {
		fmt.Println(err)
		return
	}
	err = p.TrySubmit(3)
	fmt.Println(errors.Is(err, workerpool.ErrClosed))
	// Output:
	// true
	// true
}

// Shutdown bounds the wait. When its context ends, running jobs are
// canceled and queued jobs come back unstarted.
func ExamplePool_Shutdown() {
	started := make(chan struct{})
	p, err := workerpool.New(func(ctx context.Context, n int) error {
		if n == 0 {
			close(started)
		}
		<-ctx.Done() // a job that runs until it is canceled
		return ctx.Err()
	}, workerpool.WithWorkers(1), workerpool.WithQueueSize(10))
	if err != nil {
		fmt.Println(err)
		return
	}
	for n := range 4 {
		if err := p.Submit(context.Background(), n); err != nil {
			fmt.Println(err)
			return
		}
	}
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the deadline has passed already
	unstarted, err := p.Shutdown(ctx)
	fmt.Println(unstarted, err)
	<-p.Done()
	s := p.Stats()
	fmt.Println(s.Canceled, s.Dropped)
	// Output:
	// [1 2 3] context canceled
	// 1 3
}

// The func-job form.
func ExampleTaskPool_Go() {
	p, err := workerpool.NewTaskPool(workerpool.WithWorkers(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	var mu sync.Mutex
	total := 0
	for i := 1; i <= 10; i++ {
		err := p.Go(func(ctx context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			total += i
			return nil
		})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := p.Close(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(total)
	// Output: 55
}
