package workerpool_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/workerpool/workerpool"
)

// stubborn is a handler that ignores its context: job 0 blocks until
// release is closed; other jobs return at once.
func stubborn(release <-chan struct{}) func(context.Context, int) error {
	return func(_ context.Context, j int) error {
		if j == 0 {
			<-release
		}
		return nil
	}
}

func TestStuckHandlerIsAbandonedAndReplaced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var mu sync.Mutex
		var reports []workerpool.StuckJob[int]
		hook, results := collect[int]()
		p, err := workerpool.New(stubborn(release),
			workerpool.WithWorkers(1),
			workerpool.WithJobTimeout(time.Second),
			workerpool.WithStuckGrace(2*time.Second),
			workerpool.WithStuckHook(func(s workerpool.StuckJob[int]) {
				mu.Lock()
				reports = append(reports, s)
				mu.Unlock()
			}), hook)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second) // fake time: past the deadline and the grace
		synctest.Wait()
		h := p.Health()
		if h.Abandoned != 1 || h.Stuck != 1 || !h.Healthy {
			t.Fatalf("Health() = %+v; want 1 stuck handler abandoned, and healthy (replaced)", h)
		}
		// The pool of one keeps its capacity: the replacement runs job 1.
		if err := p.Submit(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if s := p.Stats(); s.Succeeded != 1 || s.TimedOut != 1 || s.Running != 0 {
			t.Fatalf("Stats() = %+v; want job 1 done by the replacement, job 0 TimedOut", s)
		}
		// Close does not wait for the abandoned handler.
		mustClose(t, p)
		requireBalanced(t, p.Stats())
		mu.Lock()
		if len(reports) != 1 || reports[0].Job != 0 || !reports[0].Abandoned || reports[0].Ran < 3*time.Second ||
			!bytes.Contains(reports[0].Stack, []byte("stubborn")) {
			t.Fatalf("stuck reports = %+v; want one for job 0, abandoned, ran ≥ 3s, with the handler's stack", reports)
		}
		mu.Unlock()
		for _, r := range results() {
			if r.Job == 0 && (r.Outcome != workerpool.TimedOut || !errors.Is(r.Err, workerpool.ErrStuck) ||
				!errors.Is(r.Err, workerpool.ErrJobTimeout)) {
				t.Fatalf("job 0: %v, %v; want TimedOut wrapping ErrStuck and ErrJobTimeout", r.Outcome, r.Err)
			}
		}
		close(release) // the abandoned handler returns at last
		synctest.Wait()
		requireBalanced(t, p.Stats())
		kinds := map[workerpool.EventKind]int{}
		for _, e := range p.Health().Events {
			kinds[e.Kind]++
		}
		if kinds[workerpool.EventStuck] != 1 || kinds[workerpool.EventReplaced] != 1 || kinds[workerpool.EventStuckReturned] != 1 {
			t.Fatalf("health events %v; want one stuck, one replaced, one stuck-returned", kinds)
		}
		if h := p.Health(); h.Abandoned != 0 || h.Stuck != 0 {
			t.Fatalf("Health() after the handler returned = %+v; want nothing abandoned", h)
		}
	})
}

func TestAbandonCapKeepsTheStuckWorker(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		p, err := workerpool.New(stubborn(release),
			workerpool.WithWorkers(1), workerpool.WithJobTimeout(time.Second),
			workerpool.WithStuckGrace(time.Second), workerpool.WithMaxAbandoned(0))
		if err != nil {
			t.Fatal(err)
		}
		submitRange(t, p, 2)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		h := p.Health()
		if h.Healthy || h.Stuck != 1 || h.Abandoned != 0 || len(h.Workers) != 1 || h.Workers[0].State != workerpool.WorkerStuck {
			t.Fatalf("Health() = %+v; want unhealthy: one stuck worker, not replaced", h)
		}
		if s := p.Stats(); s.Queued != 1 || s.TimedOut != 1 {
			t.Fatalf("Stats() = %+v; want job 1 still queued behind the stuck one", s)
		}
		close(release) // the stuck handler returns; its worker goes on with job 1
		mustClose(t, p)
		s := p.Stats()
		requireBalanced(t, s)
		if s.Succeeded != 1 || s.TimedOut != 1 {
			t.Fatalf("Stats() = %+v; want 1 Succeeded, 1 TimedOut (counted once)", s)
		}
		if !p.Health().Healthy {
			t.Fatal("Health().Healthy = false after the stuck handler returned")
		}
	})
}

func TestJobContextReportsItsDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		type seen struct {
			deadline time.Time
			ok       bool
			err      error
			cause    error
			at       time.Duration
		}
		got := make(chan seen, 1)
		start := time.Now()
		p, err := workerpool.New(func(ctx context.Context, _ int) error {
			d, ok := ctx.Deadline()
			<-ctx.Done()
			got <- seen{d, ok, ctx.Err(), context.Cause(ctx), time.Since(start)}
			return ctx.Err()
		}, workerpool.WithJobTimeout(1600*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		s := <-got
		mustClose(t, p)
		if !s.ok || !s.deadline.Equal(start.Add(1600*time.Millisecond)) {
			t.Errorf("ctx.Deadline() = %v, %v; want start+1.6s", s.deadline, s.ok)
		}
		if !errors.Is(s.err, context.DeadlineExceeded) || s.cause != workerpool.ErrJobTimeout {
			t.Errorf("ctx.Err() = %v, Cause = %v; want DeadlineExceeded, ErrJobTimeout", s.err, s.cause)
		}
		// The supervisor checks deadlines every timeout/16 = 100ms.
		if s.at < 1600*time.Millisecond || s.at > 1700*time.Millisecond {
			t.Errorf("canceled %v after the start; want within [1.6s, 1.7s]", s.at)
		}
		if st := p.Stats(); st.TimedOut != 1 {
			t.Errorf("Stats() = %+v; want 1 TimedOut", st)
		}
	})
}

func TestStuckOptionsValidation(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]workerpool.Option{
		"zero grace":         workerpool.WithStuckGrace(0),
		"negative abandoned": workerpool.WithMaxAbandoned(-1),
		"nil stuck hook":     workerpool.WithStuckHook[int](nil),
		"nil dead letter":    workerpool.WithDeadLetter[int](nil),
		"stuck hook type":    workerpool.WithStuckHook(func(workerpool.StuckJob[string]) {}),
		"dead letter type":   workerpool.WithDeadLetter(func(workerpool.DeadLetter[string]) {}),
		"autoscale min>max":  workerpool.WithAutoscale(3, 2, time.Second),
		"autoscale max 0":    workerpool.WithAutoscale(0, 0, time.Second),
		"autoscale idle 0":   workerpool.WithAutoscale(0, 2, 0),
		"workers too many":   workerpool.WithWorkers(workerpool.MaxWorkers + 1),
	} {
		if _, err := workerpool.New(noop, opt); !errors.Is(err, workerpool.ErrInvalidOption) {
			t.Errorf("%s: New error = %v; want ErrInvalidOption", name, err)
		}
	}
}
