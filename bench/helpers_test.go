package bench_test

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/workerpool/workerpool/bench"
)

var spinFlag = flag.Int("spin", 0, "Spin rounds of the ~1µs CPU job; 0 calibrates once per process")

// spinRounds is -spin, or a calibration for 1µs done once per process.
var spinRounds = sync.OnceValue(func() int {
	if *spinFlag > 0 {
		return *spinFlag
	}
	return bench.CalibrateSpin(time.Microsecond)
})

// workload runs body once per library (lib=NAME) and pool size (W=N). The
// pool is built before the timer starts; body submits b.N jobs and may return
// a func to run after the timer stops (to report metrics). Wait, the drain
// and stop, is timed: it is part of getting b.N jobs done.
type workload struct {
	libs    []bench.Lib
	workers []int
	// peak samples memory from before the pool is built to after Wait, and
	// reports peak-B (live heap plus goroutine stacks above the baseline) and
	// peak-goroutines (above the baseline). Pools that start their workers up
	// front and pools that start them on demand are measured alike.
	peak bool
}

func (wl workload) run(b *testing.B, body func(b *testing.B, r bench.Runner) func()) {
	for _, lib := range wl.libs {
		b.Run("lib="+lib.Name, func(b *testing.B) {
			for _, w := range wl.workers {
				b.Run(fmt.Sprintf("W=%d", w), func(b *testing.B) {
					var peak *bench.PeakSampler
					if wl.peak {
						peak = bench.StartPeak(500 * time.Microsecond)
					}
					r, err := lib.New(w)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					after := body(b, r)
					if err := r.Wait(); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					if peak != nil {
						bytes, goroutines := peak.Stop()
						b.ReportMetric(float64(bytes), "peak-B")
						b.ReportMetric(float64(goroutines), "peak-goroutines")
					}
					if after != nil {
						after()
					}
				})
			}
		})
	}
}

// submitN submits j n times from the calling goroutine.
func submitN(r bench.Runner, j *bench.Job, n int) error {
	for range n {
		if err := r.Submit(j); err != nil {
			return err
		}
	}
	return nil
}

// submitFrom submits j n times in total from p concurrent producers.
func submitFrom(b *testing.B, r bench.Runner, j *bench.Job, n, p int) {
	var wg sync.WaitGroup
	for i := range p {
		share := n / p
		if i < n%p {
			share++
		}
		wg.Go(func() {
			if err := submitN(r, j, share); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
}
