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

// TestStressStopWhileSubmitting hammers Submit and TrySubmit from many
// goroutines while the pool is stopped in each of its ways at a random
// moment, and checks that nothing is lost or doubled: every accepted job
// has exactly one result, ran at most once, and was handed back only if it
// never ran.
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

func stressRound(t *testing.T, round int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	const producers, perProducer = 8, 200
	stopKind := rng.IntN(4)
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()

	var mu sync.Mutex
	ranCount := map[int]int{}
	resultCount := map[int]int{}
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
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		return nil
	},
		workerpool.WithWorkers(1+rng.IntN(8)),
		workerpool.WithQueueSize(rng.IntN(32)),
		workerpool.WithContext(parent),
		workerpool.WithResultHook(func(r workerpool.Result[int]) {
			mu.Lock()
			resultCount[r.Job]++
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}

	accepted := make([][]int, producers)
	progress := make(chan struct{}, producers*perProducer)
	var wg sync.WaitGroup
	for i := range producers {
		wg.Go(func() {
			for k := range perProducer {
				j := i*perProducer + k
				var err error
				if k%2 == 0 {
					err = p.Submit(context.Background(), j)
				} else {
					err = p.TrySubmit(j)
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

	// Stop somewhere in the middle of the submissions.
	for range rng.IntN(producers * perProducer / 4) {
		recv(t, progress, "producers to make progress")
	}
	var unstarted []int
	switch stopKind {
	case 0:
		err = p.Close()
	case 1:
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		unstarted, err = p.Shutdown(ctx)
		if !errors.Is(err, context.Canceled) && err != nil {
			t.Fatalf("round %d: Shutdown = %v", round, err)
		}
		err = nil
	case 2:
		unstarted, err = p.Shutdown(context.Background())
	case 3:
		cancelParent()
		<-p.Done()
	}
	if err != nil {
		t.Fatalf("round %d: stop %d: %v", round, stopKind, err)
	}
	wg.Wait()
	<-p.Done()

	s := p.Stats()
	requireBalanced(t, s)
	handedBack := map[int]bool{}
	for _, j := range unstarted {
		if handedBack[j] && j >= 0 {
			t.Fatalf("round %d: job %d handed back twice", round, j)
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
				t.Fatalf("round %d (stop %d): accepted job %d has %d results; want 1", round, stopKind, j, resultCount[j])
			}
			if ranCount[j] > 1 || (ranCount[j] == 1 && handedBack[j]) {
				t.Fatalf("round %d: job %d ran %d times, handed back %v", round, j, ranCount[j], handedBack[j])
			}
		}
	}
	if round == 0 {
		t.Logf("round 0: stop %d, %d jobs accepted by producers, %+v", stopKind, total, s)
	}
	if s.Submitted < uint64(total) {
		t.Fatalf("round %d: Stats().Submitted = %d < %d jobs accepted by Submit", round, s.Submitted, total)
	}
	if s.Dropped != uint64(len(unstarted)) {
		t.Fatalf("round %d: Stats().Dropped = %d; Shutdown handed back %d", round, s.Dropped, len(unstarted))
	}
}
