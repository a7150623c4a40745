package jsqueue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool/jsqueue"
)

// Test 1 of DISTRIBUTED.md: 1000 jobs, 4 queue values (each on its own
// connection, as 4 processes would be) with 2 concurrent takers each, all
// on the one consumer: every job is delivered exactly once, on its first
// attempt, and the stream is empty once they are acked.
func TestManyConsumersNoDuplicates(t *testing.T) {
	t.Parallel()
	const jobs, queues, takersPerQueue = 1000, 4, 2
	b := setup(t, jsqueue.Config{}) // AckWait 30s: no lease runs out here
	mustPut(t, b.q, jobs)

	var (
		mu       sync.Mutex
		seen     = make(map[int]int)
		attempts = make(map[int]int) // attempt → count
		taken    int
	)
	ctx, cancel := context.WithCancel(ctxFor(t))
	defer cancel()
	var wg sync.WaitGroup
	for range queues {
		q := otherProcess(t, b, jsqueue.Config{})
		for range takersPerQueue {
			wg.Go(func() {
				for {
					d, err := q.Take(ctx)
					if err != nil {
						if !errors.Is(err, context.Canceled) {
							t.Errorf("Take() = %v; want a job or context.Canceled", err)
						}
						return
					}
					if err := d.Ack(ctx); err != nil {
						t.Errorf("Ack(job %d) = %v", d.Job().N, err)
					}
					mu.Lock()
					seen[d.Job().N]++
					attempts[d.Attempt()]++
					if taken++; taken == jobs {
						cancel() // every job is in: stop the takers
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()

	if len(seen) != jobs || attempts[1] != jobs || len(attempts) != 1 {
		t.Errorf("delivered %d distinct jobs, attempts %v; want %d, all attempt 1", len(seen), attempts, jobs)
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("job %d delivered %d times; want once", n, c)
		}
	}
	requireDrained(t, b.q)
	if st := stats(t, b.q); st.Redelivered != 0 {
		t.Errorf("Stats().Redelivered = %d; want 0", st.Redelivered)
	}
}

// Test 14 of DISTRIBUTED.md, the prefetch guard: one slow worker (100ms a
// job) and 15 jobs, 1.5s of work against a 1s AckWait. With a prefetching
// consumer the last jobs' leases run out in the buffer and they run twice;
// Take pulls one job per call, so there are exactly 15 deliveries, none a
// redelivery.
func TestNoPrefetch(t *testing.T) {
	t.Parallel()
	const jobs = 15
	b := setup(t, redeliveryConfig())
	mustPut(t, b.q, jobs)
	for i := range jobs {
		d := mustTake(t, b.q)
		if d.Job().N != i || d.Attempt() != 1 {
			t.Errorf("delivery %d = job %d attempt %d; want job %d attempt 1", i, d.Job().N, d.Attempt(), i)
		}
		time.Sleep(100 * time.Millisecond) // the slow handler's work, not a wait for an event
		mustAck(t, d)
	}
	requireDrained(t, b.q) // all 15 acked: nothing left that could come back
	if st := stats(t, b.q); st.Redelivered != 0 {
		t.Errorf("Stats().Redelivered = %d; want 0", st.Redelivered)
	}
}

// Take on a context that is already done pulls nothing: the job stays
// pending, and the next Take gets it as its first delivery. (A pull sent
// anyway would be served to a request nobody reads, and the job would
// wait out AckWait.)
func TestTakeOnDoneContextPullsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	ctx := ctxFor(t)
	if err := b.q.Put(ctx, job{N: 1}); err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	for range 20 {
		if d, err := b.q.Take(done); !errors.Is(err, context.Canceled) {
			t.Fatalf("Take(done context) = %v, %v; want context.Canceled", d, err)
		}
	}
	if st := stats(t, b.q); st.Pending != 1 || st.AckPending != 0 {
		t.Fatalf("Stats() after Takes on a done context = %+v; want Pending 1, AckPending 0", st)
	}
	if d := mustTake(t, b.q); d.Attempt() != 1 {
		t.Errorf("Attempt() = %d; want 1", d.Attempt())
	}
}
