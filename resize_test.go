package workerpool_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/workerpool/workerpool"
)

// countWorkers returns how many workers Health lists, and how many of them
// run jobs.
func countWorkers(p *workerpool.Pool[int]) (all, running int) {
	for _, w := range p.Health().Workers {
		all++
		if w.State == workerpool.WorkerRunning {
			running++
		}
	}
	return all, running
}

func TestResizeGrowsAndShrinks(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var mu sync.Mutex
		running, peak := 0, 0
		p, err := workerpool.New(func(context.Context, int) error {
			mu.Lock()
			running++
			peak = max(peak, running)
			mu.Unlock()
			<-release
			mu.Lock()
			running--
			mu.Unlock()
			return nil
		}, workerpool.WithWorkers(1), workerpool.WithQueueSize(10))
		if err != nil {
			t.Fatal(err)
		}
		submitRange(t, p, 6)
		synctest.Wait()
		if err := p.Resize(4); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n, r := countWorkers(p); n != 4 || peak != 4 {
			t.Fatalf("after Resize(4): %d workers, %d jobs at once (%d running); want 4 and 4", n, peak, r)
		}
		if err := p.Resize(2); err != nil {
			t.Fatal(err)
		}
		close(release) // jobs finish; two workers leave, nothing is lost
		synctest.Wait()
		if n, _ := countWorkers(p); n != 2 {
			t.Fatalf("after Resize(2): %d workers; want 2", n)
		}
		mustClose(t, p)
		s := p.Stats()
		requireBalanced(t, s)
		if s.Succeeded != 6 {
			t.Fatalf("Stats() = %+v; want all 6 jobs Succeeded", s)
		}
	})
}

func TestResizeRejectsBadInput(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New(noop)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, -1, workerpool.MaxWorkers + 1} {
		if err := p.Resize(n); !errors.Is(err, workerpool.ErrInvalidArgument) {
			t.Errorf("Resize(%d) = %v; want ErrInvalidArgument", n, err)
		}
	}
	mustClose(t, p)
	if err := p.Resize(3); !errors.Is(err, workerpool.ErrClosed) {
		t.Errorf("Resize after Close = %v; want ErrClosed", err)
	}
	a, err := workerpool.New(noop, workerpool.WithAutoscale(0, 2, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Resize(3); !errors.Is(err, workerpool.ErrInvalidArgument) {
		t.Errorf("Resize on an autoscaling pool = %v; want ErrInvalidArgument", err)
	}
}

func TestResizeRacingSubmitAndClose(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New(noop, workerpool.WithWorkers(2), workerpool.WithQueueSize(4))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 500 {
				if err := p.Submit(context.Background(), j); err != nil {
					return
				}
				if j%50 == 0 {
					if err := p.Resize(1 + (i+j)%7); err != nil && !errors.Is(err, workerpool.ErrClosed) {
						t.Errorf("Resize = %v", err)
					}
				}
			}
		})
	}
	wg.Go(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	wg.Wait()
	requireBalanced(t, p.Stats())
}

func TestAutoscaleFollowsTheLoad(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		p, err := workerpool.New(func(context.Context, int) error {
			<-release
			return nil
		}, workerpool.WithAutoscale(0, 4, time.Second), workerpool.WithQueueSize(20))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := countWorkers(p); n != 0 {
			t.Fatalf("an idle pool at min 0 has %d workers; want 0", n)
		}
		submitRange(t, p, 10)
		synctest.Wait() // the first job started a worker
		time.Sleep(50 * time.Millisecond)
		synctest.Wait() // jobs wait in the queue: the pool grows to its max
		if n, r := countWorkers(p); n != 4 || r != 4 {
			t.Fatalf("under load: %d workers, %d running; want 4 and 4", n, r)
		}
		close(release)
		synctest.Wait()
		time.Sleep(2 * time.Second) // idle past the timeout: back to min
		synctest.Wait()
		if n, _ := countWorkers(p); n != 0 {
			t.Fatalf("after the idle timeout: %d workers; want 0", n)
		}
		// At min 0, a new job starts a worker again.
		done := make(chan struct{})
		tp, err := workerpool.NewTaskPool(workerpool.WithAutoscale(0, 1, time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := tp.Go(func(context.Context) error { close(done); return nil }); err != nil {
			t.Fatal(err)
		}
		<-done
		for _, q := range []interface{ Close() error }{p, tp} {
			mustClose(t, q)
		}
		s := p.Stats()
		requireBalanced(t, s)
		if s.Succeeded != 10 {
			t.Fatalf("Stats() = %+v; want 10 Succeeded", s)
		}
	})
}
