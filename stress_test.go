package workerpool_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
)

// TestStressStopWhileSubmitting hammers Submit, TrySubmit and Resize from
// many goroutines while the pool is stopped in each of its ways at a
// random moment, with and without retries and job timeouts, and checks
// that nothing is lost or doubled: every accepted job has exactly one
// result; without retries it ran at most once, and was handed back only if
// it never ran.
func TestStressStopWhileSubmitting(t *testing.T) {
	t.Parallel()
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range rounds {
		stressRound(t, round, rng.Uint64())
	}
}

type stressConfig struct {
	stopKind         int // 0 Close, 1 Shutdown out of time, 2 Shutdown in time, 3 parent canceled
	retry, timeout   bool
	workers, queue   int
	producers, each  int
	stopAfterSubmits int
}

func stressRound(t *testing.T, round int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	cfg := stressConfig{
		stopKind: rng.IntN(4), retry: rng.IntN(2) == 0, timeout: rng.IntN(2) == 0,
		workers: 1 + rng.IntN(8), queue: rng.IntN(32), producers: 8, each: 200,
	}
	cfg.stopAfterSubmits = rng.IntN(cfg.producers * cfg.each / 4)
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()

	var mu sync.Mutex
	ranCount := map[int]int{}
	resultCount := map[int]int{}
	opts := []workerpool.Option{
		workerpool.WithWorkers(cfg.workers),
		workerpool.WithQueueSize(cfg.queue),
		workerpool.WithContext(parent),
		workerpool.WithResultHook(func(r workerpool.Result[int]) {
			mu.Lock()
			resultCount[r.Job]++
			mu.Unlock()
		}),
	}
	if cfg.retry {
		opts = append(opts, workerpool.WithRetry(workerpool.RetryPolicy{
			MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 3 * time.Millisecond,
		}))
	}
	if cfg.timeout {
		opts = append(opts, workerpool.WithJobTimeout(5*time.Millisecond))
	}
	p, err := workerpool.New(func(ctx context.Context, j int) error {
		mu.Lock()
		ranCount[j]++
		mu.Unlock()
		switch j % 5 {
		case 0:
			return errors.New("failed")
		case 1:
			panic("panicked")
		case 2:
			if j%200 == 2 && cfg.timeout {
				<-ctx.Done() // runs into its timeout
			}
			return ctx.Err()
		}
		return nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}

	accepted := make([][]int, cfg.producers)
	progress := make(chan struct{}, cfg.producers*cfg.each)
	var wg sync.WaitGroup
	for i := range cfg.producers {
		wg.Go(func() {
			for k := range cfg.each {
				j := i*cfg.each + k
				var err error
				switch k % 3 {
				case 0:
					err = p.Submit(context.Background(), j)
				case 1:
					err = p.TrySubmit(j)
				case 2:
					err = p.Submit(context.Background(), j)
					if k%30 == 2 {
						if rerr := p.Resize(1 + (i+k)%6); rerr != nil && !errors.Is(rerr, workerpool.ErrClosed) {
							t.Errorf("Resize = %v", rerr)
						}
					}
				}
				switch {
				case err == nil:
					accepted[i] = append(accepted[i], j)
					progress <- struct{}{}
				case errors.Is(err, workerpool.ErrClosed):
					return
				case errors.Is(err, workerpool.ErrQueueFull):
				default:
					t.Errorf("Submit(%d) = %v", j, err)
					return
				}
			}
		})
	}

	for range cfg.stopAfterSubmits { // stop in the middle of the submissions
		recv(t, progress, "producers to make progress")
	}
	var unstarted []int
	switch cfg.stopKind {
	case 0:
		err = p.Close()
	case 1:
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		unstarted, err = p.Shutdown(ctx)
		if errors.Is(err, context.Canceled) {
			err = nil
		}
	case 2:
		unstarted, err = p.Shutdown(context.Background())
	case 3:
		cancelParent()
	}
	if err != nil {
		t.Fatalf("round %d %+v: stop: %v", round, cfg, err)
	}
	wg.Wait()
	<-p.Done()

	s := p.Stats()
	requireBalanced(t, s)
	handedBack := map[int]bool{}
	for _, j := range unstarted {
		if handedBack[j] {
			t.Fatalf("round %d %+v: job %d handed back twice", round, cfg, j)
		}
		handedBack[j] = true
	}
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, js := range accepted {
		for _, j := range js {
			total++
			if resultCount[j] != 1 {
				t.Fatalf("round %d %+v: accepted job %d has %d results; want 1", round, cfg, j, resultCount[j])
			}
			if !cfg.retry && (ranCount[j] > 1 || (ranCount[j] == 1 && handedBack[j])) {
				t.Fatalf("round %d %+v: job %d ran %d times, handed back %v", round, cfg, j, ranCount[j], handedBack[j])
			}
			if ranCount[j] > 3 {
				t.Fatalf("round %d %+v: job %d ran %d times; at most 3 attempts", round, cfg, j, ranCount[j])
			}
		}
	}
	if s.Submitted != uint64(total) {
		t.Fatalf("round %d %+v: Stats().Submitted = %d; producers had %d jobs accepted", round, cfg, s.Submitted, total)
	}
	if s.Dropped != uint64(len(unstarted)) {
		t.Fatalf("round %d %+v: Stats().Dropped = %d; Shutdown handed back %d", round, cfg, s.Dropped, len(unstarted))
	}
}
