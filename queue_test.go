package workerpool_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/workerpool/workerpool"
)

// fakeQueue is an external queue for the tests: a buffered channel, with a
// log of how each delivery was settled. Retry puts the job back after its
// delay, as a broker would.
type fakeQueue struct {
	items  chan fakeItem
	closed chan struct{}
	once   sync.Once

	mu      sync.Mutex
	acks    []int
	retries []time.Duration
	fails   []string
	extends int
	failExt bool // Extend fails
}

type fakeItem struct{ job, attempt int }

func newFakeQueue() *fakeQueue {
	return &fakeQueue{items: make(chan fakeItem, 1000), closed: make(chan struct{})}
}

func (q *fakeQueue) Put(ctx context.Context, job int) error {
	select {
	case q.items <- fakeItem{job, 1}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (q *fakeQueue) TryPut(job int) error {
	select {
	case q.items <- fakeItem{job, 1}:
		return nil
	default:
		return workerpool.ErrQueueFull
	}
}

func (q *fakeQueue) Take(ctx context.Context) (workerpool.Delivery[int], error) {
	select {
	case it := <-q.items:
		return &fakeDelivery{q: q, item: it}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-q.closed:
		return nil, workerpool.ErrClosed
	}
}

func (q *fakeQueue) Close() error {
	q.once.Do(func() { close(q.closed) })
	return nil
}

type fakeDelivery struct {
	q    *fakeQueue
	item fakeItem
}

func (d *fakeDelivery) Job() int     { return d.item.job }
func (d *fakeDelivery) Attempt() int { return d.item.attempt }

func (d *fakeDelivery) Ack(context.Context) error {
	d.q.mu.Lock()
	defer d.q.mu.Unlock()
	d.q.acks = append(d.q.acks, d.item.job)
	return nil
}

func (d *fakeDelivery) Retry(_ context.Context, delay time.Duration) error {
	d.q.mu.Lock()
	d.q.retries = append(d.q.retries, delay)
	d.q.mu.Unlock()
	next := fakeItem{d.item.job, d.item.attempt + 1}
	if delay == 0 {
		d.q.items <- next
		return nil
	}
	time.AfterFunc(delay, func() { d.q.items <- next })
	return nil
}

func (d *fakeDelivery) Extend(context.Context) error {
	d.q.mu.Lock()
	defer d.q.mu.Unlock()
	d.q.extends++
	if d.q.failExt {
		return errors.New("broker unreachable")
	}
	return nil
}

func (d *fakeDelivery) Fail(_ context.Context, reason string) error {
	d.q.mu.Lock()
	defer d.q.mu.Unlock()
	d.q.fails = append(d.q.fails, fmt.Sprintf("%d: %s", d.item.job, reason))
	return nil
}

// leasedQueue is a fakeQueue whose deliveries are leased for a second.
type leasedQueue struct{ *fakeQueue }

func (leasedQueue) LeaseInterval() time.Duration { return time.Second }

func requireBalancedExt(t *testing.T, s workerpool.Stats) {
	t.Helper()
	ended := s.Succeeded + s.Failed + s.Panicked + s.TimedOut + s.Canceled + s.Dropped + s.Requeued
	if s.Running != 0 || s.Queued != 0 || s.Submitted != ended {
		t.Errorf("Stats() = %+v: want Submitted (deliveries) = outcomes + Requeued, nothing running or queued", s)
	}
}

func TestExternalQueueRunsAndAcks(t *testing.T) {
	t.Parallel()
	q := newFakeQueue()
	var mu sync.Mutex
	ran := map[int]int{}
	finished := make(chan struct{}, 200)
	p, err := workerpool.NewWithQueue[int](q, func(_ context.Context, j int) error {
		mu.Lock()
		ran[j]++
		mu.Unlock()
		return nil
	}, workerpool.WithWorkers(4), workerpool.WithResultHook(func(workerpool.Result[int]) { finished <- struct{}{} }))
	if err != nil {
		t.Fatal(err)
	}
	for j := range 100 {
		if err := p.Submit(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.TrySubmit(100); err != nil {
		t.Fatal(err)
	}
	// Wait until every job has run, then close: Close stops taking.
	for range 101 {
		recv(t, finished, "a job to finish")
	}
	mustClose(t, p)
	if len(q.acks) != 101 {
		t.Fatalf("broker saw %d acks; want 101", len(q.acks))
	}
	s := p.Stats()
	requireBalancedExt(t, s)
	if s.Submitted != 101 || s.Succeeded != 101 || len(ran) != 101 {
		t.Fatalf("Stats() = %+v, %d jobs ran; want 101 deliveries, all acked", s, len(ran))
	}
	if err := p.Submit(context.Background(), 1); !errors.Is(err, workerpool.ErrClosed) {
		t.Fatalf("Submit after Close = %v; want ErrClosed", err)
	}
}

func TestExternalQueueRetriesAndDeadLetters(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := newFakeQueue()
		var letters []workerpool.DeadLetter[int]
		var mu sync.Mutex
		p, err := workerpool.NewWithQueue[int](q, func(_ context.Context, j int) error {
			return fmt.Errorf("job %d failed", j)
		}, workerpool.WithRetry(workerpool.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Second}),
			workerpool.WithDeadLetter(func(d workerpool.DeadLetter[int]) {
				mu.Lock()
				letters = append(letters, d)
				mu.Unlock()
			}))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 7); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Second) // fake time: every retry delay passes
		synctest.Wait()
		mustClose(t, p)
		s := p.Stats()
		requireBalancedExt(t, s)
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.retries) != 2 || len(q.fails) != 1 || len(q.acks) != 0 {
			t.Fatalf("broker saw retries %v, fails %v, acks %v; want 2 retries then 1 fail", q.retries, q.fails, q.acks)
		}
		for _, d := range q.retries {
			if d < 0 || d >= time.Second {
				t.Fatalf("retry delay %v; want the policy's backoff, in [0, 1s)", d)
			}
		}
		if s.Submitted != 3 || s.Requeued != 2 || s.Failed != 1 {
			t.Fatalf("Stats() = %+v; want 3 deliveries: 2 requeued, 1 failed", s)
		}
		if len(letters) != 1 || letters[0].Job != 7 {
			t.Fatalf("dead letters = %+v; want job 7 once", letters)
		}
	})
}

func TestExternalQueueShutdownHandsRunningJobsBack(t *testing.T) {
	t.Parallel()
	q := newFakeQueue()
	started := make(chan struct{})
	p, err := workerpool.NewWithQueue[int](q, func(ctx context.Context, _ int) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}, workerpool.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	unstarted, err := p.Shutdown(ctx)
	if !errors.Is(err, context.Canceled) || unstarted != nil {
		t.Fatalf("Shutdown = %v, %v; want nil, context.Canceled", unstarted, err)
	}
	<-p.Done()
	s := p.Stats()
	requireBalancedExt(t, s)
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.retries) != 1 || q.retries[0] != 0 || s.Requeued != 1 {
		t.Fatalf("broker saw retries %v, Stats %+v; want the running job handed back at once", q.retries, s)
	}
	if len(q.items) != 1 {
		t.Fatalf("%d jobs back in the queue; want 1", len(q.items))
	}
}

func TestExternalQueueLeases(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := leasedQueue{newFakeQueue()}
		release := make(chan struct{})
		causes := make(chan error, 1)
		p, err := workerpool.NewWithQueue[int](q, func(ctx context.Context, j int) error {
			if j == 1 { // a long job: its lease is renewed while it runs
				<-release
				return nil
			}
			<-ctx.Done() // job 2 runs until its lease is lost
			causes <- context.Cause(ctx)
			return ctx.Err()
		}, workerpool.WithWorkers(1))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5500 * time.Millisecond)
		synctest.Wait()
		q.mu.Lock()
		renewed := q.extends
		q.mu.Unlock()
		if renewed < 4 {
			t.Fatalf("Extend called %d times in 5.5 leases; want about one per lease", renewed)
		}
		close(release)
		synctest.Wait()

		q.mu.Lock()
		q.failExt = true
		q.mu.Unlock()
		if err := p.Submit(context.Background(), 2); err != nil {
			t.Fatal(err)
		}
		if cause := <-causes; cause != workerpool.ErrLeaseLost {
			t.Fatalf("job 2's context cause = %v; want ErrLeaseLost", cause)
		}
		mustClose(t, p)
		s := p.Stats()
		requireBalancedExt(t, s)
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.acks) != 1 || len(q.retries) != 0 || len(q.fails) != 0 || s.Requeued != 1 {
			t.Fatalf("acks %v retries %v fails %v, Stats %+v; want job 1 acked, job 2 left unsettled and counted Requeued",
				q.acks, q.retries, q.fails, s)
		}
	})
}

func TestNewWithQueueRejectsBadInput(t *testing.T) {
	t.Parallel()
	if _, err := workerpool.NewWithQueue[int](nil, noop); !errors.Is(err, workerpool.ErrInvalidOption) {
		t.Errorf("NewWithQueue(nil) = %v; want ErrInvalidOption", err)
	}
	for name, opt := range map[string]workerpool.Option{
		"queue size": workerpool.WithQueueSize(10),
		"autoscale":  workerpool.WithAutoscale(0, 2, time.Second),
	} {
		if _, err := workerpool.NewWithQueue[int](newFakeQueue(), noop, opt); !errors.Is(err, workerpool.ErrInvalidOption) {
			t.Errorf("NewWithQueue with %s = %v; want ErrInvalidOption", name, err)
		}
	}
}

func TestExternalQueueStuckHandlerLetsItsLeaseLapse(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := leasedQueue{newFakeQueue()}
		release := make(chan struct{})
		p, err := workerpool.NewWithQueue[int](q, stubborn(release),
			workerpool.WithWorkers(1), workerpool.WithJobTimeout(2*time.Second), workerpool.WithStuckGrace(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 0); err != nil { // job 0 ignores its context
			t.Fatal(err)
		}
		time.Sleep(4 * time.Second) // past deadline and grace: declared stuck
		synctest.Wait()
		q.mu.Lock()
		before := q.extends
		q.mu.Unlock()
		time.Sleep(5 * time.Second) // no more renewals: the broker may deliver it elsewhere
		synctest.Wait()
		q.mu.Lock()
		after, settled := q.extends, len(q.acks)+len(q.retries)+len(q.fails)
		q.mu.Unlock()
		if before == 0 || after != before || settled != 0 {
			t.Fatalf("renewals %d then %d, %d settle calls; want renewals to stop once stuck, and no settle", before, after, settled)
		}
		mustClose(t, p)
		close(release)
		synctest.Wait()
		s := p.Stats()
		requireBalancedExt(t, s)
		if s.TimedOut != 1 {
			t.Fatalf("Stats() = %+v; want the stuck delivery TimedOut", s)
		}
	})
}

// A handler that goes on after its lease was lost and then succeeds or
// fails for good must not settle the delivery or count an outcome: the
// queue has handed the job to someone else, who counts it (DISTRIBUTED.md
// test 17, late ack after lease loss). The delivery is left unsettled and
// counted Requeued, and the dead-letter hook does not fire.
func TestExternalQueueLateResultAfterLeaseLost(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := leasedQueue{newFakeQueue()}
		q.failExt = true // every renewal fails: each lease is lost
		var letters int
		p, err := workerpool.NewWithQueue[int](q, func(ctx context.Context, j int) error {
			<-ctx.Done() // lease lost; the handler finishes all the same
			if j == 1 {
				return nil
			}
			return workerpool.Permanent(errors.New("late permanent failure"))
		}, workerpool.WithWorkers(1), workerpool.WithDeadLetter(func(workerpool.DeadLetter[int]) { letters++ }))
		if err != nil {
			t.Fatal(err)
		}
		for j := 1; j <= 2; j++ {
			if err := p.Submit(context.Background(), j); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(10 * time.Second) // fake time: both leases are lost
		synctest.Wait()
		mustClose(t, p)
		s := p.Stats()
		requireBalancedExt(t, s)
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.acks)+len(q.retries)+len(q.fails) != 0 || letters != 0 {
			t.Fatalf("acks %v retries %v fails %v, %d dead letters; want both deliveries left unsettled", q.acks, q.retries, q.fails, letters)
		}
		if s.Submitted != 2 || s.Requeued != 2 || s.Succeeded != 0 || s.Failed != 0 {
			t.Fatalf("Stats() = %+v; want 2 deliveries, both Requeued (lease lost), none Succeeded or Failed", s)
		}
	})
}
