package workerpool_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
)

// waitTimeout bounds every wait on a channel in these tests, so that a bug
// fails the test instead of hanging it.
const waitTimeout = 10 * time.Second

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		buf := make([]byte, 1<<20)
		t.Fatalf("timed out waiting for %s; goroutines:\n%s", what, buf[:runtime.Stack(buf, true)])
		panic("unreachable")
	}
}

// gate is a handler whose jobs report that they started and then block
// until released (or their context ends, if honour is set).
type gate struct {
	started chan int
	release chan struct{}
	honour  bool
}

func newGate(honour bool) *gate {
	return &gate{started: make(chan int, 100), release: make(chan struct{}), honour: honour}
}

func (g *gate) handle(ctx context.Context, job int) error {
	g.started <- job
	if g.honour {
		select {
		case <-g.release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	<-g.release
	return nil
}

// busyPool returns a pool of one worker, with the given queue size, whose
// worker runs job 0 until the test ends.
func busyPool(t *testing.T, queueSize int) *workerpool.Pool[int] {
	t.Helper()
	g := newGate(false)
	p, err := workerpool.New(g.handle, workerpool.WithWorkers(1), workerpool.WithQueueSize(queueSize))
	if err != nil {
		t.Fatal(err)
	}
	closePool(t, p)
	t.Cleanup(func() { close(g.release) }) // runs before closePool's Close
	if err := p.Submit(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	recv(t, g.started, "job 0 to start")
	return p
}

func TestSubmitRunsEveryJobOnce(t *testing.T) {
	t.Parallel()
	const n = 10_000
	var seen [n]atomic.Int32
	p, err := workerpool.New(func(_ context.Context, j int) error {
		seen[j].Add(1)
		return nil
	}, workerpool.WithWorkers(8), workerpool.WithQueueSize(16))
	if err != nil {
		t.Fatal(err)
	}
	for j := range n {
		if err := p.Submit(context.Background(), j); err != nil {
			t.Fatalf("Submit(%d) = %v", j, err)
		}
	}
	mustClose(t, p)
	for j := range n {
		if got := seen[j].Load(); got != 1 {
			t.Fatalf("job %d ran %d times; want 1", j, got)
		}
	}
	s := p.Stats()
	requireBalanced(t, s)
	if s.Submitted != n || s.Succeeded != n {
		t.Fatalf("Stats() = %+v; want Submitted = Succeeded = %d", s, n)
	}
}

func TestTrySubmitReportsFullQueue(t *testing.T) {
	t.Parallel()
	g := newGate(false)
	p, err := workerpool.New(g.handle, workerpool.WithWorkers(1), workerpool.WithQueueSize(2))
	if err != nil {
		t.Fatal(err)
	}
	closePool(t, p)
	defer close(g.release)
	if err := p.TrySubmit(0); err != nil {
		t.Fatalf("TrySubmit(0) = %v", err)
	}
	recv(t, g.started, "job 0 to start")
	for j := 1; j <= 2; j++ {
		if err := p.TrySubmit(j); err != nil {
			t.Fatalf("TrySubmit(%d) into a queue with room = %v", j, err)
		}
	}
	if err := p.TrySubmit(3); !errors.Is(err, workerpool.ErrQueueFull) {
		t.Fatalf("TrySubmit into a full queue = %v; want ErrQueueFull", err)
	}
	if s := p.Stats(); s.Queued != 2 || s.Submitted != 3 {
		t.Fatalf("Stats() = %+v; want Queued 2, Submitted 3 (the refused job is not counted)", s)
	}
}

func TestSubmitBlocksWhileFullAndHonoursContext(t *testing.T) {
	t.Parallel()
	p := busyPool(t, 1)
	if err := p.Submit(context.Background(), 1); err != nil { // fills the queue
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error)
	go func() { result <- p.Submit(ctx, 2) }()
	cancel()
	if err := recv(t, result, "blocked Submit to return"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit blocked on a full queue, ctx canceled = %v; want context.Canceled", err)
	}
	if s := p.Stats(); s.Submitted != 2 {
		t.Fatalf("Stats().Submitted = %d; want 2: a job refused by its context is not accepted", s.Submitted)
	}
}

func TestSubmitWithDoneContextIsRefused(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New(noop)
	if err != nil {
		t.Fatal(err)
	}
	closePool(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Submit(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit(canceled ctx) = %v; want context.Canceled", err)
	}
	var nilCtx context.Context
	if err := p.Submit(nilCtx, 1); !errors.Is(err, workerpool.ErrInvalidArgument) {
		t.Fatalf("Submit(nil ctx) = %v; want ErrInvalidArgument", err)
	}
	if s := p.Stats(); s.Submitted != 0 {
		t.Fatalf("Stats().Submitted = %d; want 0", s.Submitted)
	}
}

func TestUnbufferedQueueHandsOff(t *testing.T) {
	t.Parallel()
	p := busyPool(t, 0)
	// The only worker is busy, so there is nobody to hand to.
	if err := p.TrySubmit(1); !errors.Is(err, workerpool.ErrQueueFull) {
		t.Fatalf("TrySubmit with a busy worker and queue size 0 = %v; want ErrQueueFull", err)
	}
}

func TestNestedSubmitWithJobContextDoesNotDeadlock(t *testing.T) {
	t.Parallel()
	// PITFALLS 1: a job submitting to its own saturated pool. With its own
	// context it gives up when the pool shuts down, instead of hanging.
	var p *workerpool.Pool[int]
	var ran atomic.Int32
	inner := make(chan error, 1)
	started, filled := make(chan struct{}), make(chan struct{})
	var err error
	p, err = workerpool.New(func(ctx context.Context, j int) error {
		if j == 0 {
			close(started)
			<-filled
			inner <- p.Submit(ctx, 99) // the queue is full and the only worker is us
			<-ctx.Done()
			return ctx.Err()
		}
		ran.Add(1)
		return nil
	}, workerpool.WithWorkers(1), workerpool.WithQueueSize(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := p.Submit(context.Background(), 1); err != nil { // fills the queue
		t.Fatal(err)
	}
	close(filled)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // shut down at once
	unstarted, err := p.Shutdown(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v; want context.Canceled", err)
	}
	// Intake stopped, so the nested Submit ends with ErrClosed (or, had it
	// lost that race, with its canceled job context).
	if err := recv(t, inner, "nested Submit to return"); !errors.Is(err, workerpool.ErrClosed) && !errors.Is(err, context.Canceled) {
		t.Fatalf("nested Submit = %v; want ErrClosed or context.Canceled", err)
	}
	<-p.Done()
	// Job 1 was queued when Shutdown ran out of time: it is handed back,
	// unless the worker, freed by the canceled job 0, took it first; then
	// it ran (with a canceled context). Never both, never neither.
	handedBack := len(unstarted) == 1 && unstarted[0] == 1
	if handedBack == (ran.Load() == 1) || len(unstarted) > 1 {
		t.Fatalf("Shutdown handed back %v and job 1 ran %d times; want exactly one of the two", unstarted, ran.Load())
	}
	requireBalanced(t, p.Stats())
}
