package bench_test

import (
	"testing"
	"time"

	"github.com/workerpool/workerpool/bench"
)

// BenchmarkNoop: b.N no-op jobs from one producer; the pure cost of dispatch.
func BenchmarkNoop(b *testing.B) {
	j := bench.NewJob(func() {})
	workload{libs: bench.Libs(), workers: bench.Workers()}.run(b, func(b *testing.B, r bench.Runner) func() {
		submitFrom(b, r, j, b.N, 1)
		return nil
	})
}

// BenchmarkNoop8: b.N no-op jobs from 8 concurrent producers; contention on
// the submit side.
func BenchmarkNoop8(b *testing.B) {
	j := bench.NewJob(func() {})
	workload{libs: bench.Libs(), workers: bench.Workers()}.run(b, func(b *testing.B, r bench.Runner) func() {
		submitFrom(b, r, j, b.N, 8)
		return nil
	})
}

// BenchmarkCPU1us: b.N jobs that each spin about 1µs (calibrated, see -spin)
// from one producer; dispatch cost next to a small real job.
func BenchmarkCPU1us(b *testing.B) {
	n := spinRounds()
	j := bench.NewJob(func() { bench.SpinJob(n) })
	workload{libs: bench.Libs(), workers: bench.Workers()}.run(b, func(b *testing.B, r bench.Runner) func() {
		submitFrom(b, r, j, b.N, 1)
		return nil
	})
}

// BenchmarkSleep1ms: b.N jobs that each sleep 1ms on 1,000 workers, from one
// producer. Run it with -benchtime=100000x for the 100,000 jobs
// (run.sh does): the peak memory depends on how many jobs wait at once.
// Reports peak-B and peak-goroutines (see workload.peak).
func BenchmarkSleep1ms(b *testing.B) {
	j := bench.NewJob(func() { time.Sleep(time.Millisecond) })
	workload{libs: bench.Libs(), workers: []int{1000}, peak: true}.run(b, func(b *testing.B, r bench.Runner) func() {
		submitFrom(b, r, j, b.N, 1)
		return nil
	})
}
