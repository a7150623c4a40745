package workerpool_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/workerpool/workerpool"
)

// The benchmarks here compare the pool with the seed's raw channel pattern
// in one run: b.N jobs through W workers and a queue of benchQueue, one
// producer. Compare with benchstat; never read them as absolute times.
//
//	go test -run '^$' -bench 'RawChannel|Pool' -count 10 | tee out.txt
//	benchstat -col /impl out.txt (or compare the two names side by side)

const benchQueue = 1024

// spin burns about 1µs of CPU without sleeping or allocating.
//
//go:noinline
func spin(n int) int {
	x := 0
	for i := range n {
		x += i * i
	}
	return x
}

var spinIters = calibrateSpin()

// calibrateSpin finds the iteration count of spin that takes about 1µs.
func calibrateSpin() int {
	r := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			spin(1000)
		}
	})
	if r.NsPerOp() <= 0 {
		return 1000
	}
	return int(1000 * 1000 / r.NsPerOp())
}

type benchJob struct{ n int }

var sink sync.Map

func work(j benchJob) {
	if j.n > 0 && spin(j.n) == -1 {
		sink.Store(j, j) // never: keeps spin from being optimised away
	}
}

func benchWorkers() []int { return []int{runtime.GOMAXPROCS(0), 100} }

func BenchmarkRawChannel(b *testing.B) {
	for _, load := range []struct {
		name string
		n    int
	}{{"noop", 0}, {"1us", spinIters}} {
		for _, w := range benchWorkers() {
			b.Run(fmt.Sprintf("%s/W=%d", load.name, w), func(b *testing.B) {
				b.ReportAllocs()
				jobs := make(chan benchJob, benchQueue)
				var wg sync.WaitGroup
				for range w {
					wg.Go(func() {
						for j := range jobs {
							work(j)
						}
					})
				}
				for range b.N {
					jobs <- benchJob{load.n}
				}
				close(jobs)
				wg.Wait()
			})
		}
	}
}

func BenchmarkPool(b *testing.B) {
	for _, load := range []struct {
		name string
		n    int
	}{{"noop", 0}, {"1us", spinIters}} {
		for _, w := range benchWorkers() {
			b.Run(fmt.Sprintf("%s/W=%d", load.name, w), func(b *testing.B) {
				b.ReportAllocs()
				p, err := workerpool.New(func(_ context.Context, j benchJob) error {
					work(j)
					return nil
				}, workerpool.WithWorkers(w), workerpool.WithQueueSize(benchQueue))
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				for range b.N {
					if err := p.Submit(ctx, benchJob{load.n}); err != nil {
						b.Fatal(err)
					}
				}
				if err := p.Close(); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
