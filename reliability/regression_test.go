package reliability_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/workerpool/workerpool"
)

// Regression tests for the bugs the model-based test found, each made
// deterministic with fake time.

// TestStatsFinalWhileAbandonedHandlerRuns: Stats are exact once Done is
// closed, even while a handler abandoned as stuck still runs. A worker
// makes its counts visible only now and then (at a new tick, or when it
// runs out of work); one that ran jobs and then got stuck, within one tick,
// kept them to itself, and since the pool does not wait for an abandoned
// handler, Stats after Done were short by those jobs (Submitted included)
// until it returned. Found by TestSequences as "Stats() with abandoned
// handlers still running = {Submitted:14 … Failed:6 …}; the results say
// {Submitted:15 … Failed:7 …}".
func TestStatsFinalWhileAbandonedHandlerRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate, stuck := make(chan struct{}), make(chan struct{})
		p, err := workerpool.New(func(_ context.Context, j int) error {
			switch j {
			case 0:
				<-gate
			case 1:
				<-stuck // ignores its context
			}
			return nil
		}, workerpool.WithWorkers(1), workerpool.WithQueueSize(8),
			workerpool.WithJobTimeout(time.Second), workerpool.WithStuckGrace(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		// Job 0 holds the worker while jobs 2..5 and then 1 queue up behind
		// it; released, the worker runs them all within the same tick, so
		// it publishes nothing after job 0 started.
		for _, j := range []int{0, 2, 3, 4, 5, 1} {
			if err := p.Submit(ctx, j); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		close(gate)
		synctest.Wait()
		time.Sleep(3 * time.Second) // job 1: past its timeout and grace: abandoned
		synctest.Wait()
		if h := p.Health(); h.Abandoned != 1 {
			t.Fatalf("Health().Abandoned = %d; want 1", h.Abandoned)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		want := workerpool.Stats{Submitted: 6, Succeeded: 5, TimedOut: 1}
		if got := p.Stats(); got != want {
			t.Errorf("Stats() after Close, with the abandoned handler still running = %+v; want %+v", got, want)
		}
		close(stuck)
		synctest.Wait()
		if got := p.Stats(); got != want {
			t.Errorf("Stats() after the abandoned handler returned = %+v; want %+v", got, want)
		}
	})
}

// manualParent is a parent context whose cancellation the test runs one
// callback at a time: context.WithCancelCause and context.AfterFunc both
// use its AfterFunc method, so the test decides when the pool's context
// sees the cancellation (the first callback New registers) and when the
// pool's hard stop runs (the second), and can let a worker go between.
type manualParent struct {
	done  chan struct{}
	mu    sync.Mutex
	err   error
	funcs []func()
}

func newManualParent() *manualParent { return &manualParent{done: make(chan struct{})} }

func (c *manualParent) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *manualParent) Done() <-chan struct{}       { return c.done }
func (c *manualParent) Value(any) any               { return nil }

func (c *manualParent) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *manualParent) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := len(c.funcs)
	c.funcs = append(c.funcs, f)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		stopped := c.funcs[i] != nil
		c.funcs[i] = nil
		return stopped
	}
}

// cancel cancels the context but runs none of its callbacks.
func (c *manualParent) cancel() {
	c.mu.Lock()
	c.err = errParent
	c.mu.Unlock()
	close(c.done)
}

// run runs callback i (in registration order), once, unless it was
// stopped (the pool stops its hard stop when it stops by itself).
func (c *manualParent) run(t *testing.T, i int) {
	t.Helper()
	c.mu.Lock()
	if i >= len(c.funcs) {
		c.mu.Unlock()
		t.Fatalf("callback %d of the parent is not registered", i)
	}
	f := c.funcs[i]
	if f == nil {
		c.mu.Unlock()
		return
	}
	c.funcs[i] = nil
	c.mu.Unlock()
	f()
}

// The one callback New registers on its parent: the pool's hard stop
// (context.AfterFunc). The pool's own context does not hang off the
// parent: the hard stop tells the workers to start nothing more, and only
// then cancels it, so that no worker can run a queued job in between.
const poolHardStop = 0

// TestParentCanceledQueuedJobNeverStarts: once the WithContext parent is
// canceled, queued jobs are not started but counted Canceled. The pool's
// context ends with the parent at once, while the hard stop that tells the
// workers runs on a goroutine of its own; a worker whose job returned in
// between (because its context ended) took the next queued job and ran
// it. Found by TestSequences: pool {workers:1 queue:2}, job 1 (block)
// running, jobs 2 (panic) and 3 (ignore) queued, Close, cancel the parent:
// "job 2 (panic): handler ran 1 times; model: 0".
func TestParentCanceledQueuedJobNeverStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent := newManualParent()
		var mu sync.Mutex
		ran := map[int]int{}
		results := map[int]workerpool.Result[int]{}
		p, err := workerpool.New(func(ctx context.Context, j int) error {
			mu.Lock()
			ran[j]++
			mu.Unlock()
			if j == 0 {
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		}, workerpool.WithWorkers(1), workerpool.WithQueueSize(2), workerpool.WithContext(parent),
			workerpool.WithResultHook(func(r workerpool.Result[int]) {
				mu.Lock()
				results[r.Job] = r
				mu.Unlock()
			}))
		if err != nil {
			t.Fatal(err)
		}
		for j := range 3 { // job 0 runs, 1 and 2 wait in the queue
			if err := p.Submit(context.Background(), j); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		parent.cancel()
		parent.run(t, poolHardStop)
		<-p.Done()
		mu.Lock()
		defer mu.Unlock()
		for j := 1; j <= 2; j++ {
			if r := results[j]; ran[j] != 0 || r.Outcome != workerpool.Canceled || r.Attempts != 0 {
				t.Errorf("queued job %d: ran %d times, %v after %d attempts; want never started, Canceled",
					j, ran[j], r.Outcome, r.Attempts)
			}
		}
		if s := p.Stats(); s != (workerpool.Stats{Submitted: 3, Canceled: 3}) {
			t.Errorf("Stats() = %+v; want 3 submitted, 3 canceled", s)
		}
	})
}

// TestParentCanceledRetryWaitingInPlaceNeverStarts: a job waiting for its
// next attempt is queued too (Stats count it in Queued), so once the parent
// is canceled it must not run again. Once intake has stopped, a retry waits
// on the worker that ran it; that worker woke when the pool's context ended
// and, if it claimed the retry before the hard stop took it, ran the job
// again with a canceled context.
func TestParentCanceledRetryWaitingInPlaceNeverStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent := newManualParent()
		gate := make(chan struct{})
		var mu sync.Mutex
		ran := 0
		var result workerpool.Result[int]
		p, err := workerpool.New(func(context.Context, int) error {
			mu.Lock()
			ran++
			mu.Unlock()
			<-gate
			return errFail
		}, workerpool.WithWorkers(1), workerpool.WithContext(parent),
			workerpool.WithRetry(workerpool.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Hour, MaxDelay: time.Hour}),
			workerpool.WithResultHook(func(r workerpool.Result[int]) {
				mu.Lock()
				result = r
				mu.Unlock()
			}))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		closed := make(chan error, 1)
		go func() { closed <- p.Close() }() // intake stops: a retry now waits in place
		synctest.Wait()
		close(gate) // attempt 1 fails; the retry waits on the worker
		synctest.Wait()
		parent.cancel()
		parent.run(t, poolHardStop)
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if ran != 1 || result.Outcome != workerpool.Canceled || result.Attempts != 1 {
			t.Errorf("job ran %d times, %v after %d attempts; want 1 attempt, then Canceled waiting for its retry",
				ran, result.Outcome, result.Attempts)
		}
		if s := p.Stats(); s != (workerpool.Stats{Submitted: 1, Canceled: 1}) {
			t.Errorf("Stats() = %+v; want 1 submitted, 1 canceled", s)
		}
	})
}

// TestShrinkWhileBusyKeepsQueueBound: the queue's bound is exact, so a
// Resize down must not take queue slots. Resize woke idle workers with
// "pills" sent through the job queue, and sent them while every worker
// was busy, too: each pill then held a slot until a worker finished its
// job, and Submit and TrySubmit were refused with fewer jobs waiting than
// the queue size. Found by TestSequences: pool {workers:2 queue:2}, jobs 0
// and 1 (block) running, job 2 queued, Resize(1), then "Submit = context
// deadline exceeded; want <nil> (model: 1 queued, 2 running, 1 workers
// wanted, queue size 2)".
func TestShrinkWhileBusyKeepsQueueBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		p, err := workerpool.New(func(_ context.Context, j int) error {
			if j < 2 {
				<-release
			}
			return nil
		}, workerpool.WithWorkers(2), workerpool.WithQueueSize(2))
		if err != nil {
			t.Fatal(err)
		}
		for j := range 3 { // jobs 0 and 1 hold both workers, job 2 waits
			if err := p.TrySubmit(j); err != nil {
				t.Fatalf("TrySubmit(%d) = %v", j, err)
			}
			synctest.Wait()
		}
		if err := p.Resize(1); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if err := p.TrySubmit(3); err != nil {
			t.Errorf("TrySubmit with 1 job waiting in a queue of 2, after Resize(1) = %v; want nil", err)
		}
		if err := p.TrySubmit(4); err == nil {
			t.Errorf("TrySubmit with 2 jobs waiting in a queue of 2 = nil; want ErrQueueFull")
		}
		close(release)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if s := p.Stats(); s.Succeeded != s.Submitted || s.Submitted < 4 {
			t.Errorf("Stats() = %+v; want every accepted job (4) succeeded", s)
		}
	})
}

// TestShrinkWakesIdleWorkers: Resize down lets idle workers go at once
// (Health lists only the workers it keeps), busy ones after their job.
func TestShrinkWakesIdleWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		p, err := workerpool.New(func(_ context.Context, j int) error {
			if j == 0 {
				<-release
			}
			return nil
		}, workerpool.WithWorkers(4), workerpool.WithQueueSize(2))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // one worker busy, three idle
		if err := p.Resize(2); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := len(p.Health().Workers); n != 2 {
			t.Errorf("after Resize(2) with 3 idle workers of 4: %d workers; want 2", n)
		}
		if err := p.Resize(1); err != nil { // the busy one stays until its job ends
			t.Fatal(err)
		}
		synctest.Wait()
		if n := len(p.Health().Workers); n != 1 {
			t.Errorf("after Resize(1): %d workers; want 1", n)
		}
		close(release)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
