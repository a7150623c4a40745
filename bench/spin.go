package bench

import (
	"sync/atomic"
	"time"
)

// Spin runs n rounds of xorshift and returns the state, which is never zero,
// so callers can test it without the compiler removing the loop. It is the
// body of the CPU-bound job: a calibrated spin, not a sleep.
func Spin(n int) uint64 {
	x := uint64(n) | 1
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// spinSink keeps Spin's result observable.
var spinSink atomic.Uint64

// SpinJob spins n rounds; it is the ~1µs job when n comes from CalibrateSpin.
func SpinJob(n int) {
	if Spin(n) == 0 {
		spinSink.Add(1)
	}
}

// CalibrateSpin returns the number of Spin rounds that take about d on this
// machine: the fastest of several timed trials, so that a busy moment on a
// shared machine does not inflate the count.
func CalibrateSpin(d time.Duration) int {
	const rounds, calls, trials = 1 << 12, 64, 7
	best := time.Duration(1<<63 - 1)
	for range trials {
		start := time.Now()
		for range calls {
			SpinJob(rounds)
		}
		if el := time.Since(start) / calls; el < best {
			best = el
		}
	}
	return max(1, int(int64(rounds)*int64(d)/int64(max(best, 1))))
}
