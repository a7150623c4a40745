// Package queuetest is a conformance suite for implementations of
// [workerpool.Queue]: the queue semantics that a pool made with
// [workerpool.NewWithQueue] relies on, written down once as tests. Every
// queue of this module passes it ([workerpool.MemQueue] and the JetStream
// queue of package jsqueue), and a queue of one's own can be checked with it
// from an ordinary test:
//
//	func TestConformance(t *testing.T) {
//		queuetest.Run(t, func(t *testing.T) workerpool.Queue[int] {
//			q := newMyQueue(t) // empty, closed by a t.Cleanup
//			return q
//		}, queuetest.Options{Capacity: 8})
//	}
//
// The suite waits on events with bounds (the delivery it expects, or a
// context that runs out), never on sleeps, and asserts only lower bounds on
// delays. It uses only the standard library.
package queuetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
)

// Options describes what the queue under test can do, so that the suite
// knows which requirements apply. The zero value describes an unbounded
// queue and takes the default bounds.
type Options struct {
	// Capacity is the bound of the queues newQueue returns: how many jobs
	// TryPut accepts into an empty queue before it returns
	// [workerpool.ErrQueueFull], and past which Put blocks. 0 declares the
	// queue unbounded: the full-queue subtest is then skipped, and says so.
	// Negative is an error.
	Capacity int
	// Wait bounds every wait for an event that must happen: a delivery, or
	// a blocked call returning. Default 10s.
	Wait time.Duration
	// Quiet is how long the suite watches for an event that must not
	// happen: a delivery of a job that was acked or failed, or a
	// redelivery before its delay. Default 250ms.
	Quiet time.Duration
	// RetryDelay is the delay of the delayed-retry subtest: the job must
	// not come back before it has passed. Default 300ms.
	RetryDelay time.Duration
}

// withDefaults fills in the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Wait <= 0 {
		o.Wait = 10 * time.Second
	}
	if o.Quiet <= 0 {
		o.Quiet = 250 * time.Millisecond
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 300 * time.Millisecond
	}
	return o
}

// Run runs the conformance suite as subtests of t. newQueue must return a
// fresh, empty queue each time it is called (once per subtest, possibly in
// parallel), and release it when its t ends (t.Cleanup); the suite closes
// some of the queues itself, so Close must be idempotent, as the Queue
// interface says.
//
// The requirements, one subtest each:
//   - ExactlyOnce: jobs Put and taken by several concurrent takers, each
//     delivery acked, are delivered once each: none lost, none duplicated,
//     none delivered again after its Ack.
//   - FirstAttempt: Attempt is 1 on a job's first delivery.
//   - RetryDelay: Retry(delay) delivers the job again with Attempt+1, and
//     not before delay has passed since Retry was called.
//   - RetryNow: Retry(0) hands the job back at once (within Options.Wait,
//     with Attempt+1).
//   - Fail: a failed delivery's job is never delivered again.
//   - SettleOnce: once a delivery is settled, a second Ack, Retry or Fail
//     returns an error and does not bring the job back.
//   - TakeContext: Take returns an error wrapping ctx.Err() when ctx ends
//     while it waits, and when ctx is done already — also if a job waits,
//     which then stays in the queue.
//   - Close: Close ends a waiting Take, and makes later Take, Put and TryPut
//     calls return errors wrapping [workerpool.ErrClosed]; a second Close
//     returns nil.
//   - Full (only with a Capacity): TryPut on a full queue returns an error
//     wrapping [workerpool.ErrQueueFull], Put on it waits and returns an
//     error wrapping ctx.Err() when ctx ends, and once a job has been taken
//     and acked there is room for one more.
//
// Jobs are ints; a queue of another job type is checked through a
// Queue[int] of the same implementation.
func Run(t *testing.T, newQueue func(t *testing.T) workerpool.Queue[int], opts Options) {
	t.Helper()
	if newQueue == nil {
		t.Fatal("queuetest.Run: newQueue is nil")
	}
	if opts.Capacity < 0 {
		t.Fatalf("queuetest.Run: Options.Capacity %d; want ≥ 0 (0 declares an unbounded queue)", opts.Capacity)
	}
	s := &suite{newQueue: newQueue, o: opts.withDefaults()}
	for _, tc := range []struct {
		name string
		f    func(*testing.T)
	}{
		{"ExactlyOnce", s.exactlyOnce},
		{"FirstAttempt", s.firstAttempt},
		{"RetryDelay", s.retryDelay},
		{"RetryNow", s.retryNow},
		{"Fail", s.fail},
		{"SettleOnce", s.settleOnce},
		{"TakeContext", s.takeContext},
		{"Close", s.close},
		{"Full", s.full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t)
		})
	}
}

type suite struct {
	newQueue func(t *testing.T) workerpool.Queue[int]
	o        Options
}

// queue returns a fresh queue from newQueue, failing the test on nil.
func (s *suite) queue(t *testing.T) workerpool.Queue[int] {
	t.Helper()
	q := s.newQueue(t)
	if q == nil {
		t.Fatal("newQueue returned nil")
	}
	return q
}

// ctx returns a context bounded by Options.Wait, canceled when t ends.
func (s *suite) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), s.o.Wait)
	t.Cleanup(cancel)
	return ctx
}

func (s *suite) put(t *testing.T, q workerpool.Queue[int], jobs ...int) {
	t.Helper()
	for _, j := range jobs {
		if err := q.Put(s.ctx(t), j); err != nil {
			t.Fatalf("Put(%d) = %v; want nil", j, err)
		}
	}
}

// take takes one delivery, failing the test after Options.Wait.
func (s *suite) take(t *testing.T, q workerpool.Queue[int]) workerpool.Delivery[int] {
	t.Helper()
	d, err := q.Take(s.ctx(t))
	if err != nil {
		t.Fatalf("Take() = %v; want a delivery within %v", err, s.o.Wait)
	}
	if d == nil {
		t.Fatal("Take() = nil, nil; want a delivery or an error")
	}
	return d
}

// requireNothing checks that no job is delivered within Options.Quiet.
func (s *suite) requireNothing(t *testing.T, q workerpool.Queue[int], why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), s.o.Quiet)
	defer cancel()
	d, err := q.Take(ctx)
	if err == nil {
		t.Fatalf("Take() = job %d attempt %d; want nothing (%s)", d.Job(), d.Attempt(), why)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Take() on a quiet queue = %v; want context.DeadlineExceeded", err)
	}
}

// takeAsync calls Take on a goroutine of its own and sends what it
// returned, a delivery being an error.
func takeAsync(ctx context.Context, q workerpool.Queue[int]) <-chan error {
	returned := make(chan error, 1)
	go func() {
		d, err := q.Take(ctx)
		if err == nil {
			err = fmt.Errorf("got job %d", d.Job())
		}
		returned <- err
	}()
	return returned
}

// requireTakeEnds checks that the Take of takeAsync returns an error
// wrapping want within Options.Wait.
func (s *suite) requireTakeEnds(t *testing.T, returned <-chan error, want error, when string) {
	t.Helper()
	select {
	case err := <-returned:
		if !errors.Is(err, want) {
			t.Errorf("Take() %s = %v; want %v", when, err, want)
		}
	case <-time.After(s.o.Wait):
		t.Fatalf("Take() %s still waiting after %v", when, s.o.Wait)
	}
}

func (s *suite) exactlyOnce(t *testing.T) {
	const jobs, takers = 100, 4
	q := s.queue(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.o.Wait)
	defer cancel()

	var (
		mu   sync.Mutex
		seen = map[int]int{}
		errs []error
		wg   sync.WaitGroup
	)
	for range takers {
		wg.Go(func() {
			for {
				d, err := q.Take(ctx)
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("Take() = %w", err))
						mu.Unlock()
						cancel()
					}
					return
				}
				if err := d.Ack(context.Background()); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("Ack(job %d) = %w", d.Job(), err))
					mu.Unlock()
				}
				mu.Lock()
				seen[d.Job()]++
				total := 0
				for _, c := range seen {
					total += c
				}
				mu.Unlock()
				if total == jobs {
					cancel() // every job delivered: stop the takers
				}
			}
		})
	}
	for j := range jobs { // takers run meanwhile: Put and Take race
		if err := q.Put(ctx, j); err != nil {
			cancel()
			wg.Wait()
			t.Fatalf("Put(%d) = %v; want nil", j, err)
		}
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	for j := range jobs {
		if seen[j] != 1 {
			t.Errorf("job %d delivered %d times; want exactly once", j, seen[j])
		}
	}
	if len(seen) != jobs {
		t.Errorf("%d distinct jobs delivered; want %d", len(seen), jobs)
	}
	s.requireNothing(t, q, "every job was acked")
}

// ackExpected checks that d is job's delivery number attempt, and acks it.
func (s *suite) ackExpected(t *testing.T, d workerpool.Delivery[int], what string, job, attempt int) {
	t.Helper()
	if d.Job() != job || d.Attempt() != attempt {
		t.Errorf("%s = job %d attempt %d; want job %d attempt %d", what, d.Job(), d.Attempt(), job, attempt)
	}
	if err := d.Ack(s.ctx(t)); err != nil {
		t.Errorf("Ack() = %v; want nil", err)
	}
}

func (s *suite) firstAttempt(t *testing.T) {
	q := s.queue(t)
	s.put(t, q, 7)
	s.ackExpected(t, s.take(t, q), "first delivery", 7, 1)
}

func (s *suite) retryDelay(t *testing.T) {
	q := s.queue(t)
	s.put(t, q, 1)
	d := s.take(t, q)
	before := time.Now() // the delay cannot start before Retry is called
	if err := d.Retry(s.ctx(t), s.o.RetryDelay); err != nil {
		t.Fatalf("Retry(%v) = %v; want nil", s.o.RetryDelay, err)
	}
	again := s.take(t, q)
	if took := time.Since(before); took < s.o.RetryDelay {
		t.Errorf("redelivered %v after Retry(%v); want no sooner than the delay", took, s.o.RetryDelay)
	}
	s.ackExpected(t, again, "redelivery", 1, 2)
}

func (s *suite) retryNow(t *testing.T) {
	q := s.queue(t)
	s.put(t, q, 2)
	d := s.take(t, q)
	if err := d.Retry(s.ctx(t), 0); err != nil {
		t.Fatalf("Retry(0) = %v; want nil", err)
	}
	s.ackExpected(t, s.take(t, q), "redelivery", 2, 2)
}

func (s *suite) fail(t *testing.T) {
	q := s.queue(t)
	s.put(t, q, 3)
	if err := s.take(t, q).Fail(s.ctx(t), "queuetest: failed for good"); err != nil {
		t.Fatalf("Fail() = %v; want nil", err)
	}
	s.requireNothing(t, q, "the only job failed")
}

func (s *suite) settleOnce(t *testing.T) {
	q := s.queue(t)
	s.put(t, q, 4)
	d := s.take(t, q)
	ctx := s.ctx(t)
	if err := d.Ack(ctx); err != nil {
		t.Fatalf("Ack() = %v; want nil", err)
	}
	if err := d.Ack(ctx); err == nil {
		t.Error("second Ack() = nil; want an error")
	}
	if err := d.Retry(ctx, 0); err == nil {
		t.Error("Retry(0) after Ack = nil; want an error")
	}
	if err := d.Fail(ctx, "late"); err == nil {
		t.Error("Fail() after Ack = nil; want an error")
	}
	s.requireNothing(t, q, "the only job was acked; later settling calls must not bring it back")
}

func (s *suite) takeContext(t *testing.T) {
	q := s.queue(t)
	// Ends while Take waits on an empty queue.
	ctx, cancel := context.WithTimeout(context.Background(), s.o.Quiet)
	defer cancel()
	s.requireTakeEnds(t, takeAsync(ctx, q), context.DeadlineExceeded, "on an empty queue as its ctx ran out")

	// Done already, with a job waiting: the job stays.
	s.put(t, q, 5)
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if d, err := q.Take(done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Take(canceled ctx) = %v, %v; want context.Canceled", d, err)
	}
	s.ackExpected(t, s.take(t, q), "Take() after a canceled Take", 5, 1)
}

func (s *suite) close(t *testing.T) {
	q := s.queue(t)
	returned := takeAsync(context.Background(), q)
	if err := q.Close(); err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	// The Take began before or after Close: either way it must end.
	s.requireTakeEnds(t, returned, workerpool.ErrClosed, "waiting as the queue closed")
	ctx := s.ctx(t)
	if _, err := q.Take(ctx); !errors.Is(err, workerpool.ErrClosed) {
		t.Errorf("Take() after Close = %v; want ErrClosed", err)
	}
	if err := q.Put(ctx, 6); !errors.Is(err, workerpool.ErrClosed) {
		t.Errorf("Put() after Close = %v; want ErrClosed", err)
	}
	if err := q.TryPut(6); !errors.Is(err, workerpool.ErrClosed) {
		t.Errorf("TryPut() after Close = %v; want ErrClosed", err)
	}
	if err := q.Close(); err != nil {
		t.Errorf("second Close() = %v; want nil", err)
	}
}

func (s *suite) full(t *testing.T) {
	if s.o.Capacity == 0 {
		t.Skip("Options.Capacity is 0: the queue declares itself unbounded, so it is never full")
	}
	q := s.queue(t)
	for j := range s.o.Capacity {
		if err := q.TryPut(j); err != nil {
			t.Fatalf("TryPut(%d) into a queue of capacity %d = %v; want nil", j, s.o.Capacity, err)
		}
	}
	if err := q.TryPut(-1); !errors.Is(err, workerpool.ErrQueueFull) {
		t.Fatalf("TryPut() on a full queue = %v; want ErrQueueFull", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.o.Quiet)
	defer cancel()
	if err := q.Put(ctx, -2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Put() on a full queue as its ctx ran out = %v; want context.DeadlineExceeded", err)
	}
	d := s.take(t, q)
	if err := d.Ack(s.ctx(t)); err != nil {
		t.Fatalf("Ack() = %v; want nil", err)
	}
	if err := q.TryPut(s.o.Capacity); err != nil {
		t.Fatalf("TryPut() after a job left the full queue = %v; want nil", err)
	}
	if err := q.TryPut(-3); !errors.Is(err, workerpool.ErrQueueFull) {
		t.Fatalf("TryPut() on the full-again queue = %v; want ErrQueueFull", err)
	}
	// Every job put is there, once: the refused ones are not.
	seen := map[int]bool{}
	for range s.o.Capacity {
		d := s.take(t, q)
		if d.Job() < 0 || seen[d.Job()] {
			t.Fatalf("Take() = job %d; want each accepted job once, no refused one", d.Job())
		}
		seen[d.Job()] = true
		if err := d.Ack(s.ctx(t)); err != nil {
			t.Fatalf("Ack() = %v; want nil", err)
		}
	}
	s.requireNothing(t, q, "every accepted job was taken")
}
