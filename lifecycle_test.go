package workerpool_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
)

func TestCloseRunsQueuedJobsAndRefusesNewOnes(t *testing.T) {
	t.Parallel()
	g := newGate(false)
	var mu sync.Mutex
	var ran []int
	p, err := workerpool.New(func(ctx context.Context, j int) error {
		if j == 0 {
			return g.handle(ctx, j)
		}
		mu.Lock()
		ran = append(ran, j)
		mu.Unlock()
		return nil
	}, workerpool.WithWorkers(1), workerpool.WithQueueSize(5))
	if err != nil {
		t.Fatal(err)
	}
	for j := range 6 { // one runs, five fill the queue
		if err := p.Submit(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	recv(t, g.started, "job 0 to start")
	blocked := make(chan error)
	go func() { blocked <- p.Submit(context.Background(), 100) }() // the queue is full
	closed := make(chan error)
	go func() { closed <- p.Close() }()
	// Close wakes a Submit blocked on the full queue with ErrClosed.
	if err := recv(t, blocked, "blocked Submit to return"); !errors.Is(err, workerpool.ErrClosed) {
		t.Fatalf("Submit blocked while Close began = %v; want ErrClosed", err)
	}
	if err := p.TrySubmit(101); !errors.Is(err, workerpool.ErrClosed) {
		t.Fatalf("TrySubmit after Close = %v; want ErrClosed", err)
	}
	if err := p.Submit(context.Background(), 101); !errors.Is(err, workerpool.ErrClosed) {
		t.Fatalf("Submit after Close = %v; want ErrClosed", err)
	}
	select {
	case <-p.Done():
		t.Fatal("Done closed while a job was still running")
	default:
	}
	close(g.release)
	if err := recv(t, closed, "Close to return"); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if want := []int{1, 2, 3, 4, 5}; !slices.Equal(ran, want) {
		t.Fatalf("queued jobs ran as %v; want %v, all of them, in order", ran, want)
	}
	s := p.Stats()
	requireBalanced(t, s)
	if s.Succeeded != 6 {
		t.Fatalf("Stats().Succeeded = %d; want 6", s.Succeeded)
	}
	// Idempotent: every later call waits (nothing left) and returns nil.
	for range 3 {
		if err := p.Close(); err != nil {
			t.Fatalf("second Close() = %v; want nil", err)
		}
	}
	if u, err := p.Shutdown(context.Background()); err != nil || u != nil {
		t.Fatalf("Shutdown after Close = %v, %v; want nil, nil", u, err)
	}
}

func TestCloseFromManyGoroutines(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New(noop)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if err := p.Close(); err != nil {
				t.Errorf("Close() = %v", err)
			}
		})
	}
	wg.Wait()
	requireBalanced(t, p.Stats())
}

func TestShutdownWithinDeadlineRunsEverything(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New(noop, workerpool.WithWorkers(2))
	if err != nil {
		t.Fatal(err)
	}
	submitRange(t, p, 100)
	unstarted, err := p.Shutdown(context.Background())
	if err != nil || unstarted != nil {
		t.Fatalf("Shutdown(no deadline) = %v, %v; want nil, nil", unstarted, err)
	}
	s := p.Stats()
	requireBalanced(t, s)
	if s.Succeeded != 100 {
		t.Fatalf("Stats().Succeeded = %d; want 100", s.Succeeded)
	}
}

func TestShutdownOutOfTimeCancelsRunningAndHandsBackQueued(t *testing.T) {
	t.Parallel()
	g := newGate(true)
	var mu sync.Mutex
	results := map[int]workerpool.Result[int]{}
	p, err := workerpool.New(func(ctx context.Context, j int) error {
		err := g.handle(ctx, j)
		if err != nil && context.Cause(ctx) != workerpool.ErrShutdown {
			t.Errorf("job %d: context.Cause = %v; want ErrShutdown", j, context.Cause(ctx))
		}
		return err
	},
		workerpool.WithWorkers(2), workerpool.WithQueueSize(10),
		workerpool.WithResultHook(func(r workerpool.Result[int]) {
			mu.Lock()
			results[r.Job] = r
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	submitRange(t, p, 7)
	a, b := recv(t, g.started, "a job to start"), recv(t, g.started, "another job to start")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	unstarted, err := p.Shutdown(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown(canceled ctx) error = %v; want context.Canceled", err)
	}
	<-p.Done()
	s := p.Stats()
	requireBalanced(t, s)
	// The two running jobs were canceled. The five queued ones were handed
	// back, except any a freed worker took first: those ran, canceled.
	if s.Canceled+s.Dropped != 7 || s.Dropped != uint64(len(unstarted)) {
		t.Fatalf("Stats() = %+v, %d handed back; want 7 canceled or dropped, Dropped = handed back", s, len(unstarted))
	}
	for _, j := range []int{a, b} {
		if r := results[j]; r.Outcome != workerpool.Canceled || !errors.Is(r.Err, workerpool.ErrShutdown) {
			t.Errorf("running job %d: %v, %v; want Canceled with ErrShutdown", j, r.Outcome, r.Err)
		}
	}
	for _, j := range unstarted {
		if r := results[j]; r.Outcome != workerpool.Dropped || r.Attempts != 0 {
			t.Errorf("handed-back job %d: outcome %v, %d attempts; want Dropped, 0", j, r.Outcome, r.Attempts)
		}
	}
	if len(results) != 7 {
		t.Errorf("result hook saw %d jobs; want 7", len(results))
	}
	// A second Shutdown finds nothing more to hand back.
	if u, err := p.Shutdown(context.Background()); err != nil || u != nil {
		t.Fatalf("second Shutdown = %v, %v; want nil, nil", u, err)
	}
}

func TestShutdownReturnsWhileHandlerIgnoresContext(t *testing.T) {
	t.Parallel()
	g := newGate(false) // ignores its context
	p, err := workerpool.New(g.handle, workerpool.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	recv(t, g.started, "job 0 to start")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v; want context.Canceled", err)
	}
	select {
	case <-p.Done():
		t.Fatal("Done closed while a handler still runs")
	default:
	}
	if s := p.Stats(); s.Running != 1 {
		t.Fatalf("Stats().Running = %d; want 1 (the handler that ignores its context)", s.Running)
	}
	close(g.release) // the handler returns at last
	<-p.Done()
	s := p.Stats()
	requireBalanced(t, s)
	if s.Succeeded != 1 { // it returned nil: it did finish its work
		t.Fatalf("Stats() = %+v; want 1 Succeeded", s)
	}
}

func TestParentCancelStopsHard(t *testing.T) {
	t.Parallel()
	g := newGate(true)
	parent, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("operator said stop")
	var mu sync.Mutex
	outcomes := map[workerpool.Outcome]int{}
	p, err := workerpool.New(g.handle, workerpool.WithWorkers(1), workerpool.WithQueueSize(10),
		workerpool.WithContext(parent),
		workerpool.WithResultHook(func(r workerpool.Result[int]) {
			if !errors.Is(r.Err, stop) {
				t.Errorf("job %d: Err = %v; want the parent's cause", r.Job, r.Err)
			}
			mu.Lock()
			outcomes[r.Outcome]++
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	submitRange(t, p, 5)
	recv(t, g.started, "job 0 to start")
	cancel(stop)
	<-p.Done()
	if err := p.Submit(context.Background(), 9); !errors.Is(err, workerpool.ErrClosed) {
		t.Fatalf("Submit after the parent ended = %v; want ErrClosed", err)
	}
	s := p.Stats()
	requireBalanced(t, s)
	if s.Canceled != 5 || outcomes[workerpool.Canceled] != 5 {
		t.Fatalf("Stats() = %+v, hook saw %v; want all 5 jobs Canceled (1 running, 4 never started)", s, outcomes)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close after a hard stop = %v", err)
	}
}

func TestShutdownRejectsNilContext(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New(noop)
	if err != nil {
		t.Fatal(err)
	}
	closePool(t, p)
	var nilCtx context.Context
	if _, err := p.Shutdown(nilCtx); !errors.Is(err, workerpool.ErrInvalidArgument) {
		t.Fatalf("Shutdown(nil) = %v; want ErrInvalidArgument", err)
	}
}

func TestNewWithACanceledParentStopsAtOnce(t *testing.T) {
	t.Parallel()
	// A parent canceled before New stops the pool while New is still
	// setting it up: that must be clean (run with -race).
	for range 200 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p, err := workerpool.New(noop, workerpool.WithContext(ctx), workerpool.WithJobTimeout(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		<-p.Done()
		if err := p.Submit(context.Background(), 1); !errors.Is(err, workerpool.ErrClosed) {
			t.Fatalf("Submit to a pool whose parent was canceled = %v; want ErrClosed", err)
		}
		requireBalanced(t, p.Stats())
	}
}

func TestCloseFromOwnHandlerOrHookDoesNotHang(t *testing.T) {
	t.Parallel()
	var p *workerpool.Pool[int]
	fromHandler, fromHook := make(chan error, 1), make(chan error, 1)
	ready := make(chan struct{})
	var err error
	p, err = workerpool.New(func(ctx context.Context, j int) error {
		<-ready
		if j == 0 {
			fromHandler <- p.Close()
		}
		return nil
	}, workerpool.WithWorkers(1), workerpool.WithResultHook(func(r workerpool.Result[int]) {
		if r.Job == 0 {
			_, err := p.Shutdown(context.Background())
			fromHook <- err
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	close(ready)
	if err := p.Submit(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, fromHandler, "Close from a handler"); !errors.Is(err, workerpool.ErrReentrant) {
		t.Fatalf("Close from the pool's handler = %v; want ErrReentrant", err)
	}
	if err := recv(t, fromHook, "Shutdown from a hook"); !errors.Is(err, workerpool.ErrReentrant) {
		t.Fatalf("Shutdown(no deadline) from the pool's hook = %v; want ErrReentrant", err)
	}
	<-p.Done() // the stop began and finished once they returned
	if err := p.Submit(context.Background(), 1); !errors.Is(err, workerpool.ErrClosed) {
		t.Fatalf("Submit after the reentrant Close = %v; want ErrClosed", err)
	}
	requireBalanced(t, p.Stats())
}
