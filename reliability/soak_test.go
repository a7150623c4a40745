package reliability_test

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
)

var soakFor = flag.Duration("soak", 0,
	"run TestSoak for this long (off by default; WORKERPOOL_SOAK=5m does the same; see soak.sh)")

// Soak job kinds, drawn per mille by the producers.
const (
	soakSucceed   = iota // returns nil
	soakFlaky            // fails half its attempts: retried, ends Succeeded or Failed
	soakPermanent        // fails for good: Failed at once, dead letter
	soakPanic            // panics: Panicked
	soakGoexit           // runtime.Goexit: Panicked, its worker replaced
	soakTimeout          // waits for its context: TimedOut after the job timeout
	soakStuck            // ignores its context past timeout and grace: TimedOut, abandoned
)

var soakMix = []struct{ kind, perMille int }{
	{soakSucceed, 900}, {soakFlaky, 50}, {soakPermanent, 30}, {soakPanic, 8},
	{soakGoexit, 4}, {soakTimeout, 7}, {soakStuck, 1},
}

const (
	soakJobTimeout = 2 * time.Millisecond
	soakGrace      = 3 * time.Millisecond
	soakStuckFor   = 20 * time.Millisecond // the work a stuck handler does past its grace
	soakProducers  = 4
	soakQuietEvery = 2 * time.Second
)

// TestSoak runs one pool for a long time (-soak=5m, WORKERPOOL_SOAK=5m or
// soak.sh) under producers that submit millions of jobs of mixed outcomes
// while the pool is resized now and then. Every soakQuietEvery it pauses
// them, waits until the pool is quiet (every result delivered, every worker
// waiting for work), and checks that Stats are exact: Submitted is every
// accepted job, each outcome count is what the results say, nothing is
// running or queued. At each quiet point it samples the live heap after
// runtime.GC; at the end it reports the heap's slope (least squares over
// the samples after the first quarter) and fails if the heap grew by more
// than soakMaxGrowth over the run.
func TestSoak(t *testing.T) {
	d := *soakFor
	if env := os.Getenv("WORKERPOOL_SOAK"); d == 0 && env != "" {
		var err error
		if d, err = time.ParseDuration(env); err != nil {
			t.Fatalf("WORKERPOOL_SOAK=%q: %v", env, err)
		}
	}
	if d <= 0 {
		t.Skip("soak test off: run it with -soak=5m, WORKERPOOL_SOAK=5m or reliability/soak.sh 5m")
	}
	var (
		accepted  atomic.Uint64
		results   [workerpool.Dropped + 1]atomic.Uint64
		dead      atomic.Uint64
		delivered = make(chan struct{}, 1) // results caught up with waitFor
		waitFor   atomic.Uint64            // 0: nobody waits
		total     atomic.Uint64
	)
	p, err := workerpool.New(soakHandler,
		workerpool.WithWorkers(4),
		workerpool.WithQueueSize(256),
		workerpool.WithJobTimeout(soakJobTimeout),
		workerpool.WithStuckGrace(soakGrace),
		workerpool.WithRetry(workerpool.RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Microsecond, MaxDelay: time.Millisecond}),
		workerpool.WithResultHook(func(r workerpool.Result[uint64]) {
			results[r.Outcome].Add(1)
			if n := total.Add(1); n == waitFor.Load() {
				delivered <- struct{}{}
			}
		}),
		workerpool.WithDeadLetter(func(workerpool.DeadLetter[uint64]) { dead.Add(1) }),
	)
	if err != nil {
		t.Fatal(err)
	}

	// Producers submit until ctx ends, pausing while the test holds pause.
	ctx, stop := context.WithCancel(context.Background())
	var pause sync.RWMutex
	var producers sync.WaitGroup
	for i := range soakProducers {
		producers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				pause.RLock() // counted before the test can pause
				err := p.Submit(ctx, soakJob(rng))
				if err == nil {
					accepted.Add(1)
				}
				pause.RUnlock()
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("Submit = %v", err)
					return
				}
			}
		})
	}

	var samples []heapSample
	start := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	for quiet := 1; time.Since(start) < d; quiet++ {
		time.Sleep(soakQuietEvery) // the load runs meanwhile
		if err := p.Resize(2 + rng.IntN(7)); err != nil {
			t.Fatalf("Resize: %v", err)
		}
		pause.Lock()
		want := accepted.Load()
		if total.Load() < want {
			waitFor.Store(want)
			if total.Load() < want { // else the hook may have passed want before waitFor was set
				select {
				case <-delivered:
				case <-time.After(time.Minute):
					t.Fatalf("quiet point %d: %d results of %d accepted jobs after a minute", quiet, total.Load(), want)
				}
			}
			waitFor.Store(0)
			select { // a signal sent after the check above
			case <-delivered:
			default:
			}
		}
		waitIdle(t, p)
		s := p.Stats()
		checkSoakStats(t, quiet, s, want, &results)
		samples = append(samples, sampleHeap(time.Since(start)))
		last := samples[len(samples)-1]
		t.Logf("quiet point %d at %v: %d jobs, live heap %d KiB, %d goroutines, Health: %d abandoned",
			quiet, last.at.Round(time.Second), want, last.heap>>10, runtime.NumGoroutine(), p.Health().Abandoned)
		pause.Unlock()
	}
	stop()
	producers.Wait()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	checkSoakStats(t, 0, p.Stats(), accepted.Load(), &results)
	elapsed := time.Since(start)
	n := accepted.Load()
	slope, growth := heapSlope(samples)
	t.Logf("soak: %v, %d jobs (%.0f/s): %d succeeded, %d failed, %d panicked, %d timed out, %d dead letters; "+
		"%d quiet points checked; live heap after GC: first %d KiB, last %d KiB, slope %+.1f KiB/min over the last 3/4 (%+.1f KiB in all)",
		elapsed.Round(time.Second), n, float64(n)/elapsed.Seconds(),
		results[workerpool.Succeeded].Load(), results[workerpool.Failed].Load(), results[workerpool.Panicked].Load(),
		results[workerpool.TimedOut].Load(), dead.Load(), len(samples),
		samples[0].heap>>10, samples[len(samples)-1].heap>>10, slope/1024, growth/1024)
	if growth > soakMaxGrowth {
		t.Errorf("the live heap grew by %.0f KiB over the run (slope %.1f KiB/min); want it flat (under %d KiB)",
			growth/1024, slope/1024, soakMaxGrowth>>10)
	}
}

// soakMaxGrowth bounds how much the live heap may grow, by its slope, over
// a soak: a leak of one small object per job would pass it after a few
// thousand jobs.
const soakMaxGrowth = 1 << 20

func soakJob(rng *rand.Rand) uint64 {
	r := rng.IntN(1000)
	for _, m := range soakMix {
		if r < m.perMille {
			return uint64(m.kind)
		}
		r -= m.perMille
	}
	return soakSucceed
}

var (
	errSoakFlaky = errors.New("flaky")
	errSoakFatal = errors.New("fatal")
)

func soakHandler(ctx context.Context, kind uint64) error {
	switch kind {
	case soakFlaky:
		if rand.IntN(2) == 0 {
			return errSoakFlaky
		}
	case soakPermanent:
		return workerpool.Permanent(errSoakFatal)
	case soakPanic:
		panic("soak panic")
	case soakGoexit:
		runtime.Goexit()
	case soakTimeout:
		<-ctx.Done()
		return ctx.Err()
	case soakStuck:
		<-ctx.Done()
		time.Sleep(soakGrace + soakStuckFor) // work that ignores its context
	}
	return nil
}

// waitIdle waits until every live worker of p waits for work (Health
// reports what each one last published). Stats are exact only then, and
// no event says so, so it looks, for at most a few seconds.
func waitIdle(t *testing.T, p *workerpool.Pool[uint64]) {
	t.Helper()
	for range 20000 {
		idle := true
		for _, w := range p.Health().Workers {
			idle = idle && (w.Abandoned || w.State == workerpool.WorkerIdle)
		}
		if idle {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
	t.Fatalf("the pool is not idle with every result delivered: Health() = %+v", p.Health())
}

// checkSoakStats checks a quiet pool's Stats against the accepted jobs and
// the results the hook received (quiet point 0: after Close).
func checkSoakStats(t *testing.T, quiet int, s workerpool.Stats, accepted uint64, results *[workerpool.Dropped + 1]atomic.Uint64) {
	t.Helper()
	want := workerpool.Stats{
		Submitted: accepted,
		Succeeded: results[workerpool.Succeeded].Load(),
		Failed:    results[workerpool.Failed].Load(),
		Panicked:  results[workerpool.Panicked].Load(),
		TimedOut:  results[workerpool.TimedOut].Load(),
		Canceled:  results[workerpool.Canceled].Load(),
		Dropped:   results[workerpool.Dropped].Load(),
	}
	if s != want {
		t.Fatalf("quiet point %d: Stats() = %+v; the accepted jobs and their results say %+v", quiet, s, want)
	}
}

type heapSample struct {
	at   time.Duration
	heap uint64 // live heap after GC, bytes
}

func sampleHeap(at time.Duration) heapSample {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return heapSample{at: at, heap: m.HeapAlloc}
}

// heapSlope fits a line by least squares to the samples after the first
// quarter (warm-up: the queue, the result lists and the pools of the
// runtime fill), and returns its slope in bytes a minute and the growth it
// gives over the whole run, in bytes.
func heapSlope(samples []heapSample) (perMinute, growth float64) {
	s := samples[len(samples)/4:]
	if len(s) < 2 {
		return 0, 0
	}
	var sx, sy, sxx, sxy float64
	for _, h := range s {
		x, y := h.at.Minutes(), float64(h.heap)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	n := float64(len(s))
	den := n*sxx - sx*sx
	if den == 0 {
		return 0, 0
	}
	perMinute = (n*sxy - sx*sy) / den
	return perMinute, perMinute * samples[len(samples)-1].at.Minutes()
}
