package jsqueue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
)

// Pool-level tests of DISTRIBUTED.md's table (rows 4, 12, 13 and 17): the
// core's pool on a real embedded engine, through workerpool.NewWithQueue.

// settleLog wraps a queue to record how the pool settles its deliveries.
// It keeps the queue's LeaseInterval (so the pool renews leases), and
// every call goes on to the real queue.
type settleLog struct {
	*jsqueue.Queue[job]

	mu      sync.Mutex
	acks    int
	retries []time.Duration
	fails   int
}

func (l *settleLog) Take(ctx context.Context) (workerpool.Delivery[job], error) {
	d, err := l.Queue.Take(ctx)
	if err != nil {
		return nil, err
	}
	return &loggedDelivery{Delivery: d, l: l}, nil
}

// settled returns the counts of Ack, Retry and Fail calls, and the delays
// of the Retry calls.
func (l *settleLog) settled() (acks int, retries []time.Duration, fails int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acks, append([]time.Duration(nil), l.retries...), l.fails
}

type loggedDelivery struct {
	workerpool.Delivery[job]
	l *settleLog
}

func (d *loggedDelivery) Ack(ctx context.Context) error {
	d.l.mu.Lock()
	d.l.acks++
	d.l.mu.Unlock()
	return d.Delivery.Ack(ctx)
}

func (d *loggedDelivery) Retry(ctx context.Context, delay time.Duration) error {
	d.l.mu.Lock()
	d.l.retries = append(d.l.retries, delay)
	d.l.mu.Unlock()
	return d.Delivery.Retry(ctx, delay)
}

func (d *loggedDelivery) Fail(ctx context.Context, reason string) error {
	d.l.mu.Lock()
	d.l.fails++
	d.l.mu.Unlock()
	return d.Delivery.Fail(ctx, reason)
}

// requireBalancedPool checks the Stats invariant of a stopped pool on an
// external queue: every delivery ended in one outcome or in Requeued.
func requireBalancedPool(t *testing.T, s workerpool.Stats) {
	t.Helper()
	ended := s.Succeeded + s.Failed + s.Panicked + s.TimedOut + s.Canceled + s.Dropped + s.Requeued
	if s.Running != 0 || s.Queued != 0 || s.Submitted != ended {
		t.Errorf("Stats() = %+v: want Submitted (deliveries) = outcomes + Requeued, nothing running or queued", s)
	}
}

// closeBounded closes p, failing the test if that takes longer than waitFor.
func closeBounded[T any](t *testing.T, p *workerpool.Pool[T]) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close() = %v; want nil", err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Close() still waiting after %v", waitFor)
	}
}

// receive waits for a value on ch, failing the test after waitFor.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("no %s within %v", what, waitFor)
		var zero T
		return zero
	}
}

// Row 4: lease lost cancels the handler. The engine stops while a handler
// runs; its heartbeats fail past AckWait, so the pool cancels the handler's
// context with cause ErrLeaseLost. The outcome is reported once, as
// Requeued (the engine will deliver the job again), and the delivery is
// not settled: no Ack, Retry or Fail reaches the queue.
func TestPoolLeaseLostCancelsHandler(t *testing.T) {
	t.Parallel()
	b := setup(t, redeliveryConfig())
	q := &settleLog{Queue: b.q}
	started := make(chan struct{}, 1)
	causes := make(chan error, 2)
	var results sync.Map // job → number of results
	p, err := workerpool.NewWithQueue[job](q, func(ctx context.Context, _ job) error {
		started <- struct{}{}
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	}, workerpool.WithWorkers(1), workerpool.WithResultHook(func(r workerpool.Result[job]) {
		n, _ := results.LoadOrStore(r.Job.N, new(int))
		*n.(*int)++
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(ctxFor(t), job{N: 1}); err != nil {
		t.Fatal(err)
	}
	receive(t, started, "handler start")
	stopServer(b.srv) // heartbeats fail from now on

	if cause := receive(t, causes, "handler cancellation"); !errors.Is(cause, workerpool.ErrLeaseLost) {
		t.Fatalf("handler's context cause = %v; want ErrLeaseLost", cause)
	}
	closeBounded(t, p)
	s := p.Stats()
	requireBalancedPool(t, s)
	if s.Submitted != 1 || s.Requeued != 1 || s.Succeeded+s.Failed+s.Canceled+s.TimedOut != 0 {
		t.Errorf("Stats() = %+v; want the one delivery counted once, as Requeued (lease lost)", s)
	}
	if acks, retries, fails := q.settled(); acks+len(retries)+fails != 0 {
		t.Errorf("settled with %d acks, retries %v, %d fails; want the delivery left unsettled", acks, retries, fails)
	}
	results.Range(func(k, v any) bool {
		t.Errorf("result hook got job %v %d times; want no final outcome for a lost lease", k, *v.(*int))
		return true
	})
	select {
	case c := <-causes:
		t.Errorf("handler canceled a second time (cause %v); want once", c)
	default:
	}
}

// Row 12: Shutdown hands work back. Shutdown with a short ctx cancels the
// running handlers (cause ErrShutdown); the pool hands their jobs back with
// Retry(0) and counts them Requeued, not Canceled or Failed; another pool
// on its own connection runs them as attempt 2 well before AckWait, so they
// came back by the hand-back and not by a lapsed lease.
func TestPoolShutdownHandsWorkBack(t *testing.T) {
	t.Parallel()
	const jobs = 2
	cfg := jsqueue.Config{AckWait: 30 * time.Second} // > waitFor: a lapsed lease cannot explain a redelivery
	b := setup(t, cfg)
	qa := &settleLog{Queue: b.q}
	started := make(chan struct{}, jobs)
	causes := make(chan error, jobs)
	a, err := workerpool.NewWithQueue[job](qa, func(ctx context.Context, _ job) error {
		started <- struct{}{}
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	}, workerpool.WithWorkers(jobs))
	if err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		if err := a.Submit(ctxFor(t), job{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	for range jobs {
		receive(t, started, "handler start")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if unstarted, err := a.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) || unstarted != nil {
		t.Fatalf("Shutdown(50ms) = %v, %v; want nil, context.DeadlineExceeded", unstarted, err)
	}
	handedBack := time.Now()
	for range jobs {
		if cause := receive(t, causes, "handler cancellation"); !errors.Is(cause, workerpool.ErrShutdown) {
			t.Errorf("handler's context cause = %v; want ErrShutdown", cause)
		}
	}
	receive(t, a.Done(), "pool A stopping")
	sa := a.Stats()
	requireBalancedPool(t, sa)
	if sa.Submitted != jobs || sa.Requeued != jobs || sa.Canceled+sa.Failed+sa.Succeeded != 0 {
		t.Errorf("pool A Stats() = %+v; want %d deliveries, all Requeued (handed back)", sa, jobs)
	}
	if acks, retries, fails := qa.settled(); acks != 0 || fails != 0 || len(retries) != jobs || retries[0] != 0 || retries[1] != 0 {
		t.Errorf("pool A settled with %d acks, retries %v, %d fails; want %d Retry(0)", acks, retries, fails, jobs)
	}

	// Another instance picks them up before AckWait.
	other := otherProcess(t, b, cfg)
	attempts := make(chan int, jobs)
	qb := &attemptLog{Queue: other, attempts: attempts}
	done := make(chan struct{}, jobs)
	bp, err := workerpool.NewWithQueue[job](qb, func(context.Context, job) error {
		done <- struct{}{}
		return nil
	}, workerpool.WithWorkers(jobs))
	if err != nil {
		t.Fatal(err)
	}
	for range jobs {
		receive(t, done, "handed-back job to run on pool B")
		if n := receive(t, attempts, "attempt"); n != 2 {
			t.Errorf("pool B got attempt %d; want 2 (the handed-back delivery)", n)
		}
	}
	if took := time.Since(handedBack); took >= cfg.AckWait {
		t.Errorf("handed-back jobs ran %v after Shutdown; want before AckWait %v", took, cfg.AckWait)
	}
	closeBounded(t, bp)
	sb := bp.Stats()
	requireBalancedPool(t, sb)
	if sb.Submitted != jobs || sb.Succeeded != jobs {
		t.Errorf("pool B Stats() = %+v; want %d deliveries, all Succeeded", sb, jobs)
	}
	requireDrained(t, b.q)
}

// attemptLog wraps a queue to report the Attempt of each delivery taken.
type attemptLog struct {
	*jsqueue.Queue[job]
	attempts chan<- int
}

func (l *attemptLog) Take(ctx context.Context) (workerpool.Delivery[job], error) {
	d, err := l.Queue.Take(ctx)
	if err == nil {
		l.attempts <- d.Attempt()
	}
	return d, err
}

// Row 13: start/stop stress. Goroutines start and stop pools on one queue
// over and over, each pool submitting a job, stopping alternately with
// Close and with a Shutdown that runs out of time at once; every stop ends
// within a bound, every pool's Stats balance, no goroutine outlives the
// test (TestMain's goleak), and every job submitted runs at least once.
//
// A stop may leave one pulled job leased until AckWait (a pull request the
// engine serves after the stopping Take gave up on it: the job goes to an
// inbox nobody reads), so the queue has a short AckWait and the last pool
// picks such jobs up as redeliveries.
func TestPoolStartStopStress(t *testing.T) {
	t.Parallel()
	const goroutines, cycles = 5, 10
	cfg := redeliveryConfig()
	// Every stop may leak a pulled job to an inbox nobody reads (above), and
	// each such leak is a delivery: with the default limit of 5, a job
	// leaked five times is dead-lettered by Take instead of running, as
	// MaxDeliver says. This test is about start/stop, not that limit.
	cfg.MaxDeliver = -1
	b := setup(t, cfg)
	var mu sync.Mutex
	ran := map[int]int{}
	handler := func(_ context.Context, j job) error {
		mu.Lock()
		ran[j.N]++
		mu.Unlock()
		return nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*cycles)
	for g := range goroutines {
		wg.Go(func() {
			for i := range cycles {
				if err := startStop(b.q, handler, job{N: g*cycles + i}, i%2 == 0); err != nil {
					errs <- fmt.Errorf("goroutine %d cycle %d: %w", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	// A last pool runs whatever the stopped ones left in the queue.
	all := make(chan struct{})
	var once sync.Once
	last, err := workerpool.NewWithQueue[job](b.q, func(ctx context.Context, j job) error {
		err := handler(ctx, j)
		mu.Lock()
		if len(ran) == goroutines*cycles {
			once.Do(func() { close(all) })
		}
		mu.Unlock()
		return err
	}, workerpool.WithWorkers(2))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(ran) == goroutines*cycles {
		once.Do(func() { close(all) })
	}
	mu.Unlock()
	select {
	case <-all:
	case <-time.After(waitFor):
		mu.Lock()
		n := len(ran)
		mu.Unlock()
		t.Errorf("%d of %d jobs ran; want every one", n, goroutines*cycles)
	}
	closeBounded(t, last)
	requireBalancedPool(t, last.Stats())
	mu.Lock()
	defer mu.Unlock()
	dups := 0
	for _, n := range ran {
		dups += n - 1
	}
	if dups > 0 { // at least once allows it; report, never hide
		t.Logf("%d duplicate executions across %d jobs", dups, len(ran))
	}
	requireDrained(t, b.q)
}

// stopBound bounds each stop of the stress test.
const stopBound = 5 * time.Second

// startStop starts a pool on q, submits j, and stops the pool with Close or
// with an expired Shutdown, within stopBound; it checks the pool's Stats.
func startStop(q *jsqueue.Queue[job], handler func(context.Context, job) error, j job, useClose bool) error {
	p, err := workerpool.NewWithQueue[job](q, handler, workerpool.WithWorkers(2))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), stopBound)
	defer cancel()
	if err := p.Submit(ctx, j); err != nil {
		_ = p.Close()
		return fmt.Errorf("Submit: %w", err)
	}
	began := time.Now()
	if useClose {
		go func() { _ = p.Close() }()
	} else {
		expired, cancelNow := context.WithCancel(context.Background())
		cancelNow()
		if _, err := p.Shutdown(expired); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("Shutdown: %w", err)
		}
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		return fmt.Errorf("pool still stopping %v after the stop began", time.Since(began))
	}
	s := p.Stats()
	ended := s.Succeeded + s.Failed + s.Panicked + s.TimedOut + s.Canceled + s.Dropped + s.Requeued
	if s.Running != 0 || s.Submitted != ended || s.Failed+s.Panicked+s.TimedOut+s.Dropped != 0 {
		return fmt.Errorf("stopped pool's Stats() = %+v: want balanced, nothing failed", s)
	}
	return nil
}

// Row 17: late ack after lease loss. Instance A's handler ignores its
// context; A loses its connection, so its heartbeats fail and its lease is
// lost (cause ErrLeaseLost) while the handler goes on. The engine delivers
// the job to instance B, which runs it to success. When A's handler finally
// returns nil, A must not count a second success nor settle the delivery:
// the duplicate execution shows in A's Stats as Requeued (lease lost), and
// across both instances the job succeeded once.
func TestPoolLateSuccessAfterLeaseLoss(t *testing.T) {
	t.Parallel()
	cfg := redeliveryConfig()
	b := setup(t, cfg)
	ncA, jsA := connect(t, b.srv.ClientURL())
	qa := &settleLog{Queue: newQueue(t, jsA, cfg)}

	started := make(chan struct{}, 1)
	causes := make(chan error, 1)
	release := make(chan struct{})
	a, err := workerpool.NewWithQueue[job](qa, func(ctx context.Context, _ job) error {
		started <- struct{}{}
		<-ctx.Done()
		causes <- context.Cause(ctx)
		<-release // goes on regardless, and then succeeds
		return nil
	}, workerpool.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, b.q, 1)
	receive(t, started, "handler start on A")
	ncA.Close() // A is cut off: its heartbeats fail from now on
	if cause := receive(t, causes, "A's handler cancellation"); !errors.Is(cause, workerpool.ErrLeaseLost) {
		t.Fatalf("A's handler context cause = %v; want ErrLeaseLost", cause)
	}

	// The engine delivers the job again, to B, which runs it.
	ran := make(chan struct{}, 1)
	bp, err := workerpool.NewWithQueue[job](otherProcess(t, b, cfg), func(context.Context, job) error {
		ran <- struct{}{}
		return nil
	}, workerpool.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	receive(t, ran, "the job to run on B")
	closeBounded(t, bp)

	close(release) // A's handler finishes, late
	closeBounded(t, a)

	sa, sb := a.Stats(), bp.Stats()
	requireBalancedPool(t, sa)
	requireBalancedPool(t, sb)
	if sa.Submitted != 1 || sa.Requeued != 1 || sa.Succeeded != 0 {
		t.Errorf("A's Stats() = %+v; want its one delivery counted Requeued (lease lost), not Succeeded", sa)
	}
	if sb.Succeeded != 1 {
		t.Errorf("B's Stats() = %+v; want 1 Succeeded", sb)
	}
	if total := sa.Succeeded + sb.Succeeded; total != 1 {
		t.Errorf("job counted Succeeded %d times across both instances; want once", total)
	}
	if acks, retries, fails := qa.settled(); acks+len(retries)+fails != 0 {
		t.Errorf("A settled with %d acks, retries %v, %d fails; want the lost delivery left unsettled", acks, retries, fails)
	}
	requireDrained(t, b.q)
}
