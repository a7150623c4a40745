package jsqueue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
)

// TestPoolOnJetStream runs the core's pool on the queue, through the seam
// (workerpool.NewWithQueue): two pools on one stream, one producing, both
// working, with retries going through the engine. Every job runs to
// success exactly once, the stream ends empty, and both pools' Stats
// balance.
func TestPoolOnJetStream(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{AckWait: 2 * time.Second, MaxDeliver: 5})
	other := newQueue(t, b.js, jsqueue.Config{AckWait: 2 * time.Second, MaxDeliver: 5})

	const n = 200
	var mu sync.Mutex
	succeeded := map[int]int{}
	attempts := map[int]int{}
	done := make(chan struct{}, n)
	handler := func(_ context.Context, j job) error {
		mu.Lock()
		defer mu.Unlock()
		attempts[j.N]++
		if j.N%10 == 0 && attempts[j.N] == 1 {
			return errors.New("first attempt fails") // retried through the engine
		}
		succeeded[j.N]++
		done <- struct{}{}
		return nil
	}
	policy := workerpool.WithRetry(workerpool.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})
	pools := make([]*workerpool.Pool[job], 2)
	for i, q := range []*jsqueue.Queue[job]{b.q, other} {
		p, err := workerpool.NewWithQueue[job](q, handler, workerpool.WithWorkers(3), policy)
		if err != nil {
			t.Fatal(err)
		}
		pools[i] = p
	}
	ctx := ctxFor(t)
	for i := range n {
		if err := pools[0].Submit(ctx, job{N: i}); err != nil {
			t.Fatalf("Submit(%d) = %v", i, err)
		}
	}
	for range n {
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatalf("only %d of %d jobs succeeded", len(succeeded), n)
		}
	}
	var total workerpool.Stats
	for _, p := range pools {
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		s := p.Stats()
		if s.Running != 0 || s.Submitted != s.Succeeded+s.Failed+s.Panicked+s.TimedOut+s.Canceled+s.Dropped+s.Requeued {
			t.Errorf("Stats() = %+v: unbalanced", s)
		}
		total.Succeeded += s.Succeeded
		total.Requeued += s.Requeued
	}
	if len(succeeded) != n || total.Succeeded != n || total.Requeued != n/10 {
		t.Fatalf("%d distinct jobs succeeded, Stats succeeded %d requeued %d; want %d, %d, %d", len(succeeded), total.Succeeded, total.Requeued, n, n, n/10)
	}
	for i, c := range succeeded {
		if c != 1 {
			t.Fatalf("job %d succeeded %d times; want once", i, c)
		}
	}
	st, err := b.q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Stored != 0 {
		t.Fatalf("stream holds %d messages after every job was acked; want 0", st.Stored)
	}
}
