package workerpool_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/queuetest"
)

const memCapacity = 8

func newMem(t *testing.T) *workerpool.MemQueue[int] {
	t.Helper()
	q, err := workerpool.NewMemQueue[int](memCapacity)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	return q
}

// The in-memory queue passes the queue conformance suite.
func TestMemQueueConformance(t *testing.T) {
	t.Parallel()
	queuetest.Run(t, func(t *testing.T) workerpool.Queue[int] { return newMem(t) },
		queuetest.Options{Capacity: memCapacity})
}

func TestNewMemQueueRejectsBadCapacity(t *testing.T) {
	t.Parallel()
	for _, c := range []int{-1, 0, workerpool.MaxQueueSize + 1} {
		if q, err := workerpool.NewMemQueue[int](c); !errors.Is(err, workerpool.ErrInvalidArgument) || q != nil {
			t.Errorf("NewMemQueue(%d) = %v, %v; want nil, ErrInvalidArgument", c, q, err)
		}
	}
}

func TestMemQueueBadInput(t *testing.T) {
	t.Parallel()
	q := newMem(t)
	//lint:ignore SA1012 a nil context is the bad input under test
	if err := q.Put(nil, 1); !errors.Is(err, workerpool.ErrInvalidArgument) {
		t.Errorf("Put(nil ctx) = %v; want ErrInvalidArgument", err)
	}
	//lint:ignore SA1012 a nil context is the bad input under test
	if _, err := q.Take(nil); !errors.Is(err, workerpool.ErrInvalidArgument) {
		t.Errorf("Take(nil ctx) = %v; want ErrInvalidArgument", err)
	}
	if err := q.TryPut(1); err != nil {
		t.Fatal(err)
	}
	d, err := q.Take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A nil context is harmless to settle with: MemQueue does not use it.
	//lint:ignore SA1012 a nil context is the bad input under test
	if err := d.Extend(nil); err != nil {
		t.Errorf("Extend(nil ctx) = %v; want nil (a no-op)", err)
	}
	if err := d.Retry(context.Background(), -time.Second); err != nil {
		t.Errorf("Retry(negative delay) = %v; want nil, as Retry(0)", err)
	}
	if d, err := q.Take(context.Background()); err != nil || d.Attempt() != 2 {
		t.Fatalf("Take() after Retry(-1s) = %v, %v; want attempt 2 at once", d, err)
	}
}

// Fail drops the job and records it; Failed returns a copy.
func TestMemQueueRecordsFailures(t *testing.T) {
	t.Parallel()
	q := newMem(t)
	ctx := context.Background()
	if err := q.Put(ctx, 9); err != nil {
		t.Fatal(err)
	}
	d, _ := q.Take(ctx)
	if err := d.Retry(ctx, 0); err != nil {
		t.Fatal(err)
	}
	d, _ = q.Take(ctx)
	if err := d.Fail(ctx, "broken"); err != nil {
		t.Fatal(err)
	}
	got := q.Failed()
	if len(got) != 1 || got[0] != (workerpool.FailedJob[int]{Job: 9, Attempt: 2, Reason: "broken"}) {
		t.Fatalf("Failed() = %+v; want job 9, attempt 2, reason broken", got)
	}
	got[0].Job = 0
	if q.Failed()[0].Job != 9 || q.Len() != 0 {
		t.Fatalf("Failed() shares its slice, or Len() = %d; want a copy and an empty queue", q.Len())
	}
}

// A job coming back from Retry is never refused, even into a full queue.
func TestMemQueueRetryPastCapacity(t *testing.T) {
	t.Parallel()
	q, err := workerpool.NewMemQueue[int](1)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	ctx := context.Background()
	_ = q.TryPut(1)
	d, _ := q.Take(ctx)
	_ = q.TryPut(2) // full again
	if err := d.Retry(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if q.Len() != 2 {
		t.Fatalf("Len() = %d after a retry into a full queue; want 2", q.Len())
	}
	if err := q.TryPut(3); !errors.Is(err, workerpool.ErrQueueFull) {
		t.Fatalf("TryPut() = %v; want ErrQueueFull", err)
	}
}

// Close discards the jobs waiting out a Retry delay: their timers are
// stopped, and nothing is delivered (or leaked) later.
func TestMemQueueCloseStopsRetryTimers(t *testing.T) {
	t.Parallel()
	q := newMem(t)
	ctx := context.Background()
	_ = q.TryPut(1)
	d, _ := q.Take(ctx)
	if err := d.Retry(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if q.Len() != 0 {
		t.Fatalf("Len() = %d after Close; want 0", q.Len())
	}
}

// A pool runs on a MemQueue through the seam: jobs retried through the
// queue, failures recorded there, and balanced Stats.
func TestPoolOnMemQueue(t *testing.T) {
	t.Parallel()
	q := newMem(t)
	var mu sync.Mutex
	runs := map[int]int{}
	done := make(chan struct{}, 20)
	p, err := workerpool.NewWithQueue[int](q, func(_ context.Context, j int) error {
		mu.Lock()
		runs[j]++
		n := runs[j]
		mu.Unlock()
		defer func() { done <- struct{}{} }()
		switch {
		case j == 0:
			return workerpool.Permanent(errors.New("never works"))
		case j%3 == 0 && n == 1:
			return errors.New("first attempt fails")
		}
		return nil
	}, workerpool.WithWorkers(3), workerpool.WithRetry(workerpool.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	for j := range 10 {
		if err := p.Submit(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 + 3 { // 10 first runs, jobs 3, 6 and 9 once more
		recv(t, done, "a run to finish")
	}
	mustClose(t, p)
	s := p.Stats()
	requireBalancedExt(t, s)
	if s.Succeeded != 9 || s.Failed != 1 || s.Requeued != 3 {
		t.Fatalf("Stats() = %+v; want 9 succeeded, 1 failed, 3 requeued", s)
	}
	if f := q.Failed(); len(f) != 1 || f[0].Job != 0 {
		t.Fatalf("Failed() = %+v; want job 0", f)
	}
}
