package jsqueue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
)

// *jsqueue.Queue is a queue for the core's seam (workerpool.NewWithQueue),
// and it is a Leaser, so the pool renews its leases.
var (
	_ workerpool.Queue[job]    = (*jsqueue.Queue[job])(nil)
	_ workerpool.Delivery[job] = (*jsqueue.Message[job])(nil)
	_ workerpool.Leaser        = (*jsqueue.Queue[job])(nil)
)

func TestPutTakeAck(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	ctx := ctxFor(t)
	if err := b.q.Put(ctx, job{N: 7}); err != nil {
		t.Fatalf("Put() = %v", err)
	}
	if st := stats(t, b.q); st.Pending != 1 || st.Stored != 1 {
		t.Errorf("Stats() after Put = %+v; want Pending 1, Stored 1", st)
	}
	d := mustTake(t, b.q)
	if d.Job().N != 7 || d.Attempt() != 1 || d.ID() != "" || d.Sequence() != 1 {
		t.Errorf("Take() = job %d, attempt %d, ID %q, seq %d; want job 7, attempt 1, no ID, seq 1",
			d.Job().N, d.Attempt(), d.ID(), d.Sequence())
	}
	if st := stats(t, b.q); st.Pending != 0 || st.AckPending != 1 {
		t.Errorf("Stats() while leased = %+v; want Pending 0, AckPending 1", st)
	}
	mustAck(t, d)
	requireDrained(t, b.q)
	for name, err := range map[string]error{
		"Ack":   d.Ack(ctx),
		"Retry": d.Retry(ctx, 0),
		"Fail":  d.Fail(ctx, "late"),
	} {
		if !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
			t.Errorf("%s() after Ack = %v; want jetstream.ErrMsgAlreadyAckd", name, err)
		}
	}
	if err := d.Extend(ctx); !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
		t.Errorf("Extend() after Ack = %v; want jetstream.ErrMsgAlreadyAckd", err)
	}
}

func TestTakeHonoursContext(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.q.Take(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Take(canceled ctx) = %v; want context.Canceled", err)
	}
	requireNoJob(t, b.q, 50*time.Millisecond)
}

// Close ends Take calls that are waiting, and later calls, with ErrClosed;
// it is idempotent and safe from many goroutines.
func TestClose(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	const takers = 4
	errs := make(chan error, takers)
	for range takers {
		go func() {
			_, err := b.q.Take(context.Background())
			errs <- err
		}()
	}
	// Close only once every taker is waiting on the engine, so that the
	// test is about ending waits, not about refusing new calls.
	waitUntil(t, func() bool { return stats(t, b.q).Waiting == takers }, "all takers waiting")
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := b.q.Close(); err != nil {
				t.Errorf("Close() = %v; want nil", err)
			}
		})
	}
	wg.Wait()
	for range takers {
		if err := <-errs; !errors.Is(err, workerpool.ErrClosed) {
			t.Errorf("waiting Take() after Close = %v; want ErrClosed", err)
		}
	}
	ctx := ctxFor(t)
	if _, err := b.q.Take(ctx); !errors.Is(err, workerpool.ErrClosed) {
		t.Errorf("Take() after Close = %v; want ErrClosed", err)
	}
	if err := b.q.Put(ctx, job{}); !errors.Is(err, workerpool.ErrClosed) {
		t.Errorf("Put() after Close = %v; want ErrClosed", err)
	}
	if err := b.q.TryPut(job{}); !errors.Is(err, workerpool.ErrClosed) {
		t.Errorf("TryPut() after Close = %v; want ErrClosed", err)
	}
}

// Deliveries taken before Close can still be settled after it.
func TestSettleAfterClose(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	mustPut(t, b.q, 1)
	d := mustTake(t, b.q)
	if err := b.q.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	mustAck(t, d)
	requireDrained(t, b.q)
}

// waitUntil polls cond, which asks the engine, until it holds: the engine
// offers no event for "a pull request is waiting". Bounded by waitFor.
func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
