package bench_test

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/workerpool/workerpool/bench"
)

// latencyInterval is the steady submission rate of BenchmarkLatency: one job
// every 50µs (20,000 jobs/s), far below every pool's capacity, so that the
// latency measured is the wake-up of an idle worker, not queueing.
const latencyInterval = 50 * time.Microsecond

// BenchmarkLatency: b.N no-op jobs submitted at a steady rate by one
// producer. Reports p50-ns and p99-ns, the time from the call to Submit to
// the start of the job. ns/op is the pacing interval and means nothing.
// The producer paces itself by spinning (with runtime.Gosched) because
// timers are too coarse for 50µs.
func BenchmarkLatency(b *testing.B) {
	workload{libs: bench.Libs(), workers: bench.Workers()}.run(b, func(b *testing.B, r bench.Runner) func() {
		b.StopTimer()
		epoch := time.Now()
		submitted, started := make([]time.Duration, b.N), make([]time.Duration, b.N)
		jobs := make([]*bench.Job, b.N)
		for i := range jobs {
			jobs[i] = bench.NewJob(func() { started[i] = time.Since(epoch) })
		}
		b.StartTimer()
		for i, j := range jobs {
			due := time.Duration(i) * latencyInterval
			for time.Since(epoch) < due {
				runtime.Gosched()
			}
			submitted[i] = time.Since(epoch)
			if err := r.Submit(j); err != nil {
				b.Fatal(err)
			}
		}
		return func() {
			lat := make([]time.Duration, b.N)
			for i := range lat {
				lat[i] = started[i] - submitted[i]
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2]), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
		}
	})
}
