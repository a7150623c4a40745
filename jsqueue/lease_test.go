package jsqueue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/workerpool/workerpool/jsqueue"
)

// Test 2 of DISTRIBUTED.md: a worker that takes a job and neither settles
// it nor extends its lease loses it after AckWait; the job goes to another
// worker (here another queue value, on its own connection) as attempt 2.
func TestLeaseRunsOut(t *testing.T) {
	t.Parallel()
	b := setup(t, redeliveryConfig())
	other := otherProcess(t, b, redeliveryConfig())
	mustPut(t, b.q, 1)

	stalled := mustTake(t, b.q)
	taken := time.Now()
	d := mustTake(t, other)
	if d.Job().N != 0 || d.Attempt() != 2 {
		t.Errorf("other worker's Take() = job %d attempt %d; want job 0 attempt 2", d.Job().N, d.Attempt())
	}
	// The lease started before the first Take returned, so allow a little.
	if took := time.Since(taken); took < b.q.AckWait()*9/10 {
		t.Errorf("redelivered %v after the first delivery; want no sooner than AckWait %v", took, b.q.AckWait())
	}
	if st := stats(t, b.q); st.Redelivered != 1 || st.AckPending != 1 {
		t.Errorf("Stats() = %+v; want Redelivered 1, AckPending 1", st)
	}
	// The stalled worker must not settle the job it lost: the engine knows
	// a job by its sequence only, so its Retry or Fail would act on the new
	// delivery.
	ctx := ctxFor(t)
	for name, err := range map[string]error{
		"Extend": stalled.Extend(ctx),
		"Retry":  stalled.Retry(ctx, 0),
		"Fail":   stalled.Fail(ctx, "stale"),
	} {
		if !errors.Is(err, jsqueue.ErrLeaseExpired) {
			t.Errorf("stalled %s() = %v; want ErrLeaseExpired", name, err)
		}
	}
	mustAck(t, d) // so the new delivery's lease was untouched
	requireDrained(t, b.q)
	if st := stats(t, b.q); st.DeadLetters != 0 {
		t.Errorf("Stats().DeadLetters = %d; want 0", st.DeadLetters)
	}
}

// Test 3 of DISTRIBUTED.md: heartbeats keep the lease. The holder extends
// every LeaseInterval for 3 × AckWait while a competitor waits for a job:
// the competitor gets nothing. Once the heartbeats stop, the lease runs out
// and the competitor gets the job as attempt 2.
func TestExtendKeepsLease(t *testing.T) {
	t.Parallel()
	b := setup(t, redeliveryConfig())
	competitor := otherProcess(t, b, redeliveryConfig())
	mustPut(t, b.q, 1)
	held := mustTake(t, b.q)

	stop := make(chan struct{})
	beats := make(chan error, 1)
	go func() { // the holder's heartbeat, as the pool's supervisor will run it
		tick := time.NewTicker(b.q.LeaseInterval())
		defer tick.Stop()
		for {
			select {
			case <-stop:
				beats <- nil
				return
			case <-tick.C:
				if err := held.Extend(context.Background()); err != nil {
					beats <- err
					return
				}
			}
		}
	}()
	requireNoJob(t, competitor, 3*b.q.AckWait())
	close(stop)
	if err := <-beats; err != nil {
		t.Fatalf("Extend() = %v; want nil", err)
	}

	d := mustTake(t, competitor)
	if d.Job().N != 0 || d.Attempt() != 2 {
		t.Errorf("competitor's Take() after the heartbeats stopped = job %d attempt %d; want job 0 attempt 2", d.Job().N, d.Attempt())
	}
	mustAck(t, d)
	requireDrained(t, b.q)
}

// Retry hands a job back with a delay without holding the worker: another
// job is taken meanwhile, and the retried one comes back as attempt 2 no
// sooner than the delay.
func TestRetryWithDelay(t *testing.T) {
	t.Parallel()
	const delay = 500 * time.Millisecond
	b := setup(t, redeliveryConfig())
	mustPut(t, b.q, 2)

	first := mustTake(t, b.q)
	if err := first.Retry(ctxFor(t), delay); err != nil {
		t.Fatalf("Retry(%v) = %v", delay, err)
	}
	retried := time.Now()
	if d := mustTake(t, b.q); d.Job().N != 1 {
		t.Fatalf("Take() during the retry delay = job %d; want job 1", d.Job().N)
	} else {
		mustAck(t, d)
	}
	d := mustTake(t, b.q)
	if d.Job().N != 0 || d.Attempt() != 2 {
		t.Errorf("Take() after the delay = job %d attempt %d; want job 0 attempt 2", d.Job().N, d.Attempt())
	}
	if took := time.Since(retried); took < delay {
		t.Errorf("retried job came back after %v; want no sooner than %v", took, delay)
	}
	mustAck(t, d)
	requireDrained(t, b.q)
}

// Retry(0) hands the job back at once (a shutting-down worker's hand-back):
// it is taken again without waiting for AckWait.
func TestRetryNowHandsBack(t *testing.T) {
	t.Parallel()
	b := setup(t, redeliveryConfig())
	mustPut(t, b.q, 1)
	if err := mustTake(t, b.q).Retry(ctxFor(t), 0); err != nil {
		t.Fatalf("Retry(0) = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.q.AckWait()/2)
	defer cancel()
	d, err := b.q.Take(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("a job handed back with Retry(0) did not come back within AckWait/2")
		}
		t.Fatalf("Take() = %v", err)
	}
	if d.Attempt() != 2 {
		t.Errorf("Attempt() after a hand-back = %d; want 2", d.Attempt())
	}
	mustAck(t, d)
	requireDrained(t, b.q)
}
