package bench

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// PeakSampler records, every interval, the bytes of live heap objects plus
// goroutine stacks, and the number of goroutines, keeping the peak of each.
// Pools differ in where jobs wait (queue slots, parked goroutines), and this
// sum sees both.
type PeakSampler struct {
	stop, done chan struct{}
	baseBytes  uint64
	baseG      uint64
	peakBytes  uint64
	peakG      uint64
}

var peakNames = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/sched/goroutines:goroutines",
}

func readPeak(samples []metrics.Sample) (bytes, goroutines uint64) {
	metrics.Read(samples)
	return samples[0].Value.Uint64() + samples[1].Value.Uint64(), samples[2].Value.Uint64()
}

func peakSamples() []metrics.Sample {
	samples := make([]metrics.Sample, len(peakNames))
	for i, n := range peakNames {
		samples[i].Name = n
	}
	return samples
}

// processBaseBytes is the live heap plus stacks when the process started,
// set by MarkProcessBaseline; zero until then.
var processBaseBytes uint64

// MarkProcessBaseline records the memory in use at the start of the process
// (call it from TestMain). From then on StartPeak measures bytes above it,
// not above the memory at its own start: goroutines that exited keep their
// stacks cached for reuse, so a baseline taken after a warm-up run (testing
// runs b.N=1 first) would hide the stacks of pools that start all their
// workers up front. The byte peak is thus only comparable between processes
// that ran the same benchmarks before it; run.sh runs each library's memory
// benchmark first in its own process.
func MarkProcessBaseline() {
	runtime.GC()
	processBaseBytes, _ = readPeak(peakSamples())
}

// StartPeak collects garbage, takes the baseline and starts sampling.
func StartPeak(interval time.Duration) *PeakSampler {
	runtime.GC()
	s := &PeakSampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := peakSamples()
	read := func() (uint64, uint64) { return readPeak(samples) }
	s.baseBytes, s.baseG = read()
	if processBaseBytes > 0 {
		s.baseBytes = min(s.baseBytes, processBaseBytes)
	}
	s.peakBytes, s.peakG = s.baseBytes, s.baseG
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			b, g := read()
			s.peakBytes, s.peakG = max(s.peakBytes, b), max(s.peakG, g)
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the peaks above the baseline (bytes: see
// MarkProcessBaseline). The sampler's own goroutine is not counted.
func (s *PeakSampler) Stop() (bytes, goroutines uint64) {
	close(s.stop)
	<-s.done
	return s.peakBytes - s.baseBytes, s.peakG - s.baseG - 1
}
