package bench_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/workerpool/workerpool/bench"
)

// jobTimeout is long enough never to fire: these benchmarks measure what a
// deadline per job costs, not what a timeout does.
const jobTimeout = time.Minute

// BenchmarkJobTimeout: b.N no-op jobs from one producer, each with its own
// deadline. lib=raw wraps each job in context.WithTimeoutCause by hand;
// workerpool uses WithJobTimeout. Compare with BenchmarkNoop (no deadline)
// and BenchmarkWithTimeoutCause (the deadline alone).
func BenchmarkJobTimeout(b *testing.B) {
	j := bench.NewJob(func() {})
	workload{libs: bench.TimeoutLibs(jobTimeout), workers: bench.Workers()}.run(b, func(b *testing.B, r bench.Runner) func() {
		submitFrom(b, r, j, b.N, 1)
		return nil
	})
}

// BenchmarkWithTimeoutCause: context.WithTimeoutCause and its cancel, alone,
// once per op: the cost per job that the timeout target halves.
func BenchmarkWithTimeoutCause(b *testing.B) {
	cause := errors.New("job timed out")
	b.ReportAllocs()
	for b.Loop() {
		_, cancel := context.WithTimeoutCause(context.Background(), jobTimeout, cause)
		cancel()
	}
}
