package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"pgregory.net/rapid"

	"github.com/workerpool/workerpool"
)

// TestSequences is the model-based test: rapid draws a pool configuration
// and a random sequence of Submit, TrySubmit, Close, Shutdown (with an
// already-canceled, a short or a long deadline), Resize, parent
// cancellation, releases of handlers that ignore their context and
// advances of (fake) time, runs it in a synctest bubble, and checks the
// pool after every step and at the end against the reference model (see
// model) and the accounting rules of the package documentation. On a
// failure rapid shrinks the sequence and prints the minimal one, step by
// step.
//
// The number of sequences is rapid's: -rapid.checks=N or RAPID_CHECKS=N
// (500 by default here, from a fixed seed; see TestMain), with
// -rapid.seed=S or RAPID_SEED=S to explore other sequences.
func TestSequences(t *testing.T) {
	cover.reset()
	rapid.Check(t, func(t *rapid.T) {
		rapid.SyncTest(t, runSequence)
	})
	t.Log(cover.summary())
}

// ops are the steps a sequence draws from, with their weights: a step
// that stops the pool is rarer, so that sequences fill the pool first.
// (rapid favours the ends of the list: submit is at both.)
var ops = slices.Concat(
	repeat("submit", 4), repeat("trysubmit", 4), repeat("release", 3), repeat("advance", 3),
	repeat("resize", 2), repeat("shutdown", 2), []string{"close", "cancelparent"}, repeat("submit", 4),
)

func repeat(s string, n int) []string { return slices.Repeat([]string{s}, n) }

// seq is one running sequence: the pool, the model (nil with retries,
// whose timing is random) and what the test has done to the pool.
type seq struct {
	t   *rapid.T
	cfg poolConfig
	h   *harness
	m   *model

	accepted   map[int]bool
	released   map[int]bool
	stopping   bool       // Close, Shutdown or the parent began a stop
	canceled   cancelKind // first cancellation of the pool's context, as far as the test can tell
	outOfTime  bool       // some Shutdown ran out of time
	closeCalls []chan error
	closeErrs  []error // the results of the Close calls that returned
}

func runSequence(t *rapid.T) {
	cfg := poolConfig{
		workers:    rapid.IntRange(1, 3).Draw(t, "workers"),
		queue:      rapid.IntRange(0, 3).Draw(t, "queue"),
		timeout:    rapid.Bool().Draw(t, "job timeout"),
		maxAbandon: rapid.IntRange(0, 2).Draw(t, "max abandoned"),
	}
	if rapid.Bool().Draw(t, "retry") {
		cfg.attempts = rapid.IntRange(1, 3).Draw(t, "max attempts")
	}
	h, err := newHarness(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// On a failure, stop everything so that the bubble can end and rapid
	// report the failure (not a deadlock).
	t.Cleanup(func() {
		for _, j := range h.jobs {
			if j.release != nil {
				select {
				case <-j.release:
				default:
					close(j.release)
				}
			}
		}
		h.cancelParent(nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _ = h.pool.Shutdown(ctx)
		<-h.pool.Done()
		synctest.Wait()
	})
	s := &seq{t: t, cfg: cfg, h: h, accepted: map[int]bool{}, released: map[int]bool{}}
	if cfg.attempts == 0 {
		s.m = newModel(cfg.workers, cfg.queue, cfg.timeout, cfg.maxAbandon)
	}
	t.Logf("pool: %+v", cfg)
	synctest.Wait() // the workers wait for jobs
	s.check()
	steps := rapid.IntRange(1, 40).Draw(t, "steps")
	for i := range steps {
		op := rapid.SampledFrom(ops).Draw(t, fmt.Sprintf("step %d", i))
		s.step(op)
		synctest.Wait()
		s.check()
	}
	s.teardown()
	s.finalCheck()
	cover.add(s, steps)
}

func (s *seq) exact() bool { return s.m != nil }

func (s *seq) newJob(k kind) job {
	id := len(s.h.jobs)
	if s.exact() {
		s.m.add(k)
	}
	return s.h.newJob(id, k)
}

func (s *seq) step(op string) {
	t := s.t
	switch op {
	case "submit":
		for i := range rapid.IntRange(1, 3).Draw(t, "jobs") {
			k := kind(rapid.IntRange(0, int(numKinds)-1).Draw(t, fmt.Sprintf("kind %d", i)))
			mode := rapid.SampledFrom([]ctxMode{shortCtx, shortCtx, shortCtx, canceledCtx}).Draw(t, "ctx")
			s.submit(k, mode)
			synctest.Wait()
		}
	case "trysubmit":
		s.trySubmit(kind(rapid.IntRange(0, int(numKinds)-1).Draw(t, "kind")))
	case "release":
		var ids []int
		for _, j := range s.h.jobs {
			if j.kind == ignore && !s.released[j.id] {
				ids = append(ids, j.id)
			}
		}
		if len(ids) == 0 {
			t.Logf("release: no ignore job to release")
			return
		}
		s.release(rapid.SampledFrom(ids).Draw(t, "job"))
	case "advance":
		s.advance()
	case "resize":
		s.resize(rapid.IntRange(0, 4).Draw(t, "n"))
	case "shutdown":
		s.shutdown(rapid.SampledFrom([]ctxMode{canceledCtx, shortCtx, longCtx}).Draw(t, "deadline"))
	case "close":
		s.close()
	case "cancelparent":
		s.cancelParent()
	}
}

func (s *seq) submit(k kind, mode ctxMode) {
	j := s.newJob(k)
	err := s.h.submit(mode, j)
	s.t.Logf("Submit(%s ctx, job %d %v) = %v", mode, j.id, k, err)
	if mode == canceledCtx {
		// Checked first, even on a closed pool.
		if !errors.Is(err, context.Canceled) {
			s.t.Fatalf("Submit with a canceled context = %v; want context.Canceled", err)
		}
		return
	}
	s.checkAdmission("Submit", j.id, err, context.DeadlineExceeded)
}

func (s *seq) trySubmit(k kind) {
	j := s.newJob(k)
	err := s.h.pool.TrySubmit(j)
	s.t.Logf("TrySubmit(job %d %v) = %v", j.id, k, err)
	s.checkAdmission("TrySubmit", j.id, err, workerpool.ErrQueueFull)
}

// checkAdmission checks what a Submit or TrySubmit returned, given the
// error it returns when the queue has no room, and records an accepted job.
func (s *seq) checkAdmission(call string, id int, err, noRoom error) {
	t := s.t
	switch {
	case s.stopping:
		if !errors.Is(err, workerpool.ErrClosed) {
			t.Fatalf("%s after the pool began to stop = %v; want ErrClosed", call, err)
		}
	case s.exact():
		var want error
		if !s.m.admits() {
			want = noRoom
		}
		if !errors.Is(err, want) {
			t.Fatalf("%s = %v; want %v (model: %d queued, %d running, %d workers wanted, queue size %d)",
				call, err, want, len(s.m.queue), len(s.m.running), s.m.target, s.m.queueSize)
		}
	default:
		if err != nil && !errors.Is(err, noRoom) {
			t.Fatalf("%s = %v; want nil or %v", call, err, noRoom)
		}
	}
	if err == nil {
		s.accept(id)
	}
}

func (s *seq) accept(id int) {
	s.accepted[id] = true
	if s.exact() {
		s.m.accept(id)
	}
}

func (s *seq) release(id int) {
	s.released[id] = true
	close(s.h.jobs[id].release)
	synctest.Wait()
	s.t.Logf("release job %d", id)
	if s.exact() {
		s.m.release(id)
	}
}

// advanceTime sleeps (fake time) long enough for every job timeout in the
// pool to run out, and the jobs that start meanwhile too.
func (s *seq) advanceTime() time.Duration {
	if s.exact() {
		return time.Duration(s.m.advanceUnits())*(jobTimeout+jobTimeout/50) + time.Millisecond
	}
	return 5*jobTimeout/2 + time.Millisecond
}

func (s *seq) advance() {
	d := s.advanceTime()
	time.Sleep(d)
	synctest.Wait()
	s.t.Logf("advance %v", d)
	if s.exact() {
		if err := s.m.advance(s.h.abandonedBy); err != nil {
			s.t.Fatalf("advance: %v", err)
		}
	}
}

func (s *seq) resize(n int) {
	t := s.t
	err := s.h.pool.Resize(n)
	t.Logf("Resize(%d) = %v", n, err)
	var want error
	switch {
	case n < 1:
		want = workerpool.ErrInvalidArgument
	case s.stopping:
		want = workerpool.ErrClosed
	}
	if !errors.Is(err, want) {
		t.Fatalf("Resize(%d) = %v; want %v", n, err, want)
	}
	if err == nil && s.exact() {
		s.m.resize(n)
	}
}

func (s *seq) close() {
	ch := make(chan error, 1)
	s.closeCalls = append(s.closeCalls, ch)
	go func() { ch <- s.h.pool.Close() }()
	synctest.Wait()
	s.t.Logf("Close (in a goroutine)")
	s.stopping = true
	if s.exact() {
		s.m.close()
	}
}

func (s *seq) cancelParent() {
	s.h.cancelParent(errParent)
	synctest.Wait()
	s.t.Logf("cancel the parent context")
	s.stopping = true
	if s.canceled == notCanceled {
		s.canceled = byParent
	}
	if s.exact() {
		s.m.cancelParent()
	}
}

func (s *seq) shutdown(mode ctxMode) {
	t := s.t
	wasStopped := s.exact() && s.m.stopped
	if s.exact() {
		s.m.close()
	}
	long := s.advanceTime()
	if !s.exact() && s.cfg.timeout {
		// With retries, enough for every accepted job to use up its attempts.
		long = time.Duration(2*len(s.accepted)*s.cfg.attempts+2) * (jobTimeout + jobTimeout/50)
	}
	began := time.Now()
	unstarted, err := s.h.shutdown(mode, long)
	took := time.Since(began) // fake time: exact
	synctest.Wait()
	s.stopping = true
	var ids []int
	for _, j := range unstarted {
		ids = append(ids, j.id)
	}
	t.Logf("Shutdown(%s ctx) = %v, %v", mode, ids, err)
	ctxErr, deadline := context.DeadlineExceeded, shortWait
	switch mode {
	case canceledCtx:
		ctxErr, deadline = context.Canceled, 0
	case longCtx:
		deadline = long
	}
	if took > deadline {
		t.Fatalf("Shutdown(%s ctx) returned %v after it began; want it bounded by its deadline, %v", mode, took, deadline)
	}
	if err != nil {
		s.outOfTime = true
		if !errors.Is(err, ctxErr) {
			t.Fatalf("Shutdown(%s ctx) = %v; want nil or %v", mode, err, ctxErr)
		}
		if s.canceled == notCanceled {
			s.canceled = byShutdown
		}
	} else if len(unstarted) != 0 {
		t.Fatalf("Shutdown(%s ctx) = %v, nil; jobs handed back without an error", mode, ids)
	}
	if !s.exact() {
		return
	}
	if mode == longCtx {
		if err := s.m.advance(s.h.abandonedBy); err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	}
	if s.m.stopped {
		// A Shutdown with a canceled context may see it before Done (the
		// select between them is random): then it takes the jobs back from
		// a pool that has none left.
		if err == nil || (mode == canceledCtx && len(unstarted) == 0) {
			return
		}
		t.Fatalf("Shutdown(%s ctx) = %v, %v; want nil, nil: the pool stops by itself (stopped before: %v)",
			mode, ids, err, wasStopped)
	}
	want := s.m.outOfTime()
	if !errors.Is(err, ctxErr) || !sameIDs(ids, want) {
		t.Fatalf("Shutdown(%s ctx) = %v, %v; want %v, %v", mode, ids, err, want, ctxErr)
	}
}

func sameIDs(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func (s *seq) isDone() bool {
	select {
	case <-s.h.pool.Done():
		return true
	default:
		return false
	}
}

// collectCloses records the Close calls that have returned.
func (s *seq) collectCloses() (pending int) {
	kept := s.closeCalls[:0]
	for _, ch := range s.closeCalls {
		select {
		case err := <-ch:
			s.closeErrs = append(s.closeErrs, err)
		default:
			kept = append(kept, ch)
		}
	}
	s.closeCalls = kept
	return len(kept)
}

// check compares the settled pool with the model after a step.
func (s *seq) check() {
	t := s.t
	pending := s.collectCloses()
	for _, err := range s.closeErrs {
		if err != nil {
			t.Fatalf("Close() = %v; want nil", err)
		}
	}
	stats := s.h.pool.Stats()
	health := s.h.pool.Health()
	if !s.exact() {
		for id := range s.h.jobs {
			if _, res := s.h.counts(id); len(res) > 1 {
				t.Fatalf("job %d has %d results: %+v", id, len(res), res)
			}
		}
		quiet := health.Abandoned == 0
		for _, w := range health.Workers {
			quiet = quiet && w.State == workerpool.WorkerIdle
		}
		if quiet || s.isDone() {
			requireBalanced(t, stats, s.isDone())
		}
		s.checkHardStop(health)
		return
	}
	m := s.m
	for id, mj := range m.jobs {
		ran, res := s.h.counts(id)
		if ran != mj.attempts {
			t.Fatalf("job %d (%v): handler ran %d times; model: %d", id, mj.kind, ran, mj.attempts)
		}
		switch {
		case !mj.hasOutcome() && len(res) != 0:
			t.Fatalf("job %d (%v): result %v before it ended (model: phase %d)", id, mj.kind, res[0].Outcome, mj.phase)
		case mj.hasOutcome() && len(res) != 1:
			t.Fatalf("job %d (%v): %d results; want 1 (%v)", id, mj.kind, len(res), mj.outcome)
		case mj.hasOutcome() && (res[0].Outcome != mj.outcome || res[0].Attempts != mj.attempts):
			t.Fatalf("job %d (%v): %v after %d attempts (%v); model: %v after %d",
				id, mj.kind, res[0].Outcome, res[0].Attempts, res[0].Err, mj.outcome, mj.attempts)
		}
	}
	if done := s.isDone(); done != m.stopped {
		t.Fatalf("Done closed: %v; model: %v (queued %v, running %v)", done, m.stopped, m.queue, m.running)
	}
	if (pending == 0) != m.stopped && len(s.closeCalls)+len(s.closeErrs) > 0 {
		t.Fatalf("%d Close calls still wait; model: pool stopped %v", pending, m.stopped)
	}
	held := m.heldCount()
	if health.Abandoned != len(m.abandoned) || health.Stuck != held+len(m.abandoned) || health.Healthy != (held == 0) {
		t.Fatalf("Health() = %d abandoned, %d stuck, healthy %v; model: abandoned %v, %d held",
			health.Abandoned, health.Stuck, health.Healthy, m.abandoned, held)
	}
	if len(m.running) == 0 && len(m.abandoned) == 0 {
		// Every worker waits for work: Stats are exact.
		if want := m.stats(); stats != want {
			t.Fatalf("Stats() = %+v; model: %+v", stats, want)
		}
	}
}

// checkHardStop checks that a pool stopped hard (parent canceled, or a
// Shutdown out of time) stops at once, without waiting for time to pass
// (pending retries): only a handler still running can keep Done open.
func (s *seq) checkHardStop(health workerpool.Health) {
	if s.canceled == notCanceled || s.isDone() {
		return
	}
	for _, w := range health.Workers {
		if !w.Abandoned && w.State != workerpool.WorkerIdle {
			return
		}
	}
	s.t.Fatalf("the pool was stopped hard and no handler holds a worker, but Done is open: Stats() = %+v, Health() = %+v",
		s.h.pool.Stats(), health)
}

// requireBalanced checks the accounting invariant, and that nothing is
// running or queued once the pool has stopped.
func requireBalanced(t *rapid.T, s workerpool.Stats, stopped bool) {
	t.Helper()
	ended := s.Succeeded + s.Failed + s.Panicked + s.TimedOut + s.Canceled + s.Dropped + s.Requeued
	if s.Submitted != ended+uint64(s.Running)+uint64(s.Queued) {
		t.Fatalf("Stats() = %+v: Submitted %d != outcomes %d + Running %d + Queued %d",
			s, s.Submitted, ended, s.Running, s.Queued)
	}
	if stopped && (s.Running != 0 || s.Queued != 0) {
		t.Fatalf("Stats() = %+v once Done is closed; want Running and Queued 0", s)
	}
}

// teardown stops the pool: it releases every handler that ignores its
// context (but those abandoned already, to check the pool's stop without
// them) and shuts the pool down with a deadline long enough for every
// timeout to run out; then it releases the rest.
func (s *seq) teardown() {
	t := s.t
	t.Logf("teardown")
	for _, j := range s.h.jobs {
		if j.kind != ignore || s.released[j.id] {
			continue
		}
		if a, _ := s.h.abandonedBy(j.id); a {
			continue
		}
		s.release(j.id)
	}
	s.shutdown(longCtx)
	synctest.Wait()
	select {
	case <-s.h.pool.Done():
	case <-time.After(24 * time.Hour):
		t.Fatalf("the pool did not stop (Stats %+v, Health %+v)", s.h.pool.Stats(), s.h.pool.Health())
	}
	s.check()
	// Done is closed, perhaps while abandoned handlers still run: the
	// counts are final.
	requireBalanced(t, s.h.pool.Stats(), true)
	s.checkStatsAgainstResults("with abandoned handlers still running")
	for _, j := range s.h.jobs {
		if j.kind == ignore && !s.released[j.id] {
			s.release(j.id)
		}
	}
	synctest.Wait()
	s.check()
}

// checkStatsAgainstResults checks that the stopped pool's Stats count
// every accepted job once, in the outcome its Result reported.
func (s *seq) checkStatsAgainstResults(when string) {
	t := s.t
	var want workerpool.Stats
	for id := range s.h.jobs {
		_, res := s.h.counts(id)
		if !s.accepted[id] {
			continue
		}
		want.Submitted++
		if len(res) == 0 {
			continue
		}
		switch res[0].Outcome {
		case workerpool.Succeeded:
			want.Succeeded++
		case workerpool.Failed:
			want.Failed++
		case workerpool.Panicked:
			want.Panicked++
		case workerpool.TimedOut:
			want.TimedOut++
		case workerpool.Canceled:
			want.Canceled++
		case workerpool.Dropped:
			want.Dropped++
		}
	}
	if got := s.h.pool.Stats(); got != want {
		t.Fatalf("Stats() %s = %+v; the results say %+v", when, got, want)
	}
}

// finalCheck checks every job's story once the pool has stopped and every
// handler has returned.
func (s *seq) finalCheck() {
	t := s.t
	if n := s.collectCloses(); n != 0 {
		t.Fatalf("%d Close calls have not returned after Done", n)
	}
	for _, err := range s.closeErrs {
		if err != nil {
			t.Fatalf("Close() = %v; want nil", err)
		}
	}
	s.checkStatsAgainstResults("at the end")
	if h := s.h.pool.Health(); h.Abandoned != 0 || h.Stuck != 0 || len(h.Workers) != 0 {
		t.Fatalf("Health() = %+v after every handler returned; want no workers", h)
	}
	for id, j := range s.h.jobs {
		s.checkJob(id, j.kind)
	}
}

// checkJob checks one job's result, attempts, dead letter, stuck report
// and hand-back against each other and the rules of the documentation.
func (s *seq) checkJob(id int, k kind) {
	t := s.t
	h := s.h
	h.mu.Lock()
	ran, res, dead, stuck, handed := h.ran[id], h.results[id], h.dead[id], h.stuck[id], h.handed[id]
	h.mu.Unlock()
	if !s.accepted[id] {
		if ran != 0 || len(res) != 0 || handed != 0 {
			t.Fatalf("job %d (%v) was refused but ran %d times, has %d results, handed back %d times",
				id, k, ran, len(res), handed)
		}
		return
	}
	if len(res) != 1 {
		t.Fatalf("job %d (%v) was accepted and has %d results: %+v; want exactly 1", id, k, len(res), res)
	}
	r := res[0]
	desc := fmt.Sprintf("job %d (%v): %v after %d attempts, err %v", id, k, r.Outcome, r.Attempts, r.Err)
	if r.Attempts != ran {
		t.Fatalf("%s; but the handler ran %d times", desc, ran)
	}
	// Errors holds the error of each failed attempt: every attempt's, but
	// the last one's when it succeeded.
	if failed := r.Attempts - b2i(r.Outcome == workerpool.Succeeded); r.Errors != nil && len(r.Errors) != failed {
		t.Fatalf("%s; with %d attempt errors", desc, len(r.Errors))
	}
	if (r.Outcome == workerpool.Dropped) != (handed > 0) || handed > 1 {
		t.Fatalf("%s; handed back by Shutdown %d times", desc, handed)
	}
	if s.cfg.attempts == 0 && r.Outcome == workerpool.Dropped && ran != 0 {
		t.Fatalf("%s; handed back by Shutdown after it started", desc)
	}
	isStuck := errors.Is(r.Err, workerpool.ErrStuck)
	if len(stuck) != b2i(isStuck) {
		t.Fatalf("%s; %d stuck reports", desc, len(stuck))
	}
	wantDead := r.Outcome == workerpool.Failed || r.Outcome == workerpool.Panicked || r.Outcome == workerpool.TimedOut
	if len(dead) != b2i(wantDead) || (wantDead && dead[0].Outcome != r.Outcome) {
		t.Fatalf("%s; dead letters %+v", desc, dead)
	}
	if err := checkErr(r, k); err != nil {
		t.Fatalf("%s: %v", desc, err)
	}
	if s.exact() {
		mj := s.m.jobs[id]
		if r.Outcome != mj.outcome || r.Attempts != mj.attempts {
			t.Fatalf("%s; model: %v after %d", desc, mj.outcome, mj.attempts)
		}
		if r.Outcome == workerpool.Canceled && !errors.Is(r.Err, s.m.cause()) {
			t.Fatalf("%s; want it to wrap %v", desc, s.m.cause())
		}
		return
	}
	if err := s.allowed(r, k); err != nil {
		t.Fatalf("%s: %v", desc, err)
	}
}

// checkErr checks that a result's error is the one its outcome documents.
func checkErr(r workerpool.Result[job], k kind) error {
	var pe *workerpool.PanicError
	switch r.Outcome {
	case workerpool.Succeeded:
		if r.Err != nil {
			return errors.New("a Succeeded result with an error")
		}
	case workerpool.Failed:
		if !errors.Is(r.Err, errFail) {
			return errors.New("want the handler's error")
		}
	case workerpool.Panicked:
		want := any(panicValue)
		if k == goexit {
			want = workerpool.ErrGoexit
		}
		if !errors.As(r.Err, &pe) || pe.Value != want || len(pe.Stack) == 0 {
			return fmt.Errorf("want a *PanicError with value %v and a stack", want)
		}
	case workerpool.TimedOut:
		if !errors.Is(r.Err, workerpool.ErrJobTimeout) {
			return errors.New("want it to wrap ErrJobTimeout")
		}
	case workerpool.Canceled:
		if !errors.Is(r.Err, workerpool.ErrShutdown) && !errors.Is(r.Err, errParent) {
			return errors.New("want it to wrap ErrShutdown or the parent's cause")
		}
	case workerpool.Dropped:
		if !errors.Is(r.Err, workerpool.ErrShutdown) {
			return errors.New("want ErrShutdown")
		}
	default:
		return errors.New("no such outcome")
	}
	return nil
}

// allowed checks a result of a pool with retries, where the model cannot
// say when each attempt runs: a job's outcome is the one its handler
// gives after every attempt, unless the pool was canceled first.
func (s *seq) allowed(r workerpool.Result[job], k kind) error {
	maxA := s.cfg.attempts
	canceled := s.canceled != notCanceled
	switch r.Outcome {
	case workerpool.Dropped:
		if !s.outOfTime {
			return errors.New("dropped, but no Shutdown ran out of time")
		}
		return nil
	case workerpool.Canceled:
		if !canceled {
			return errors.New("canceled, but the pool never was")
		}
		if k != block && k != ignore && r.Attempts == 0 && !errors.Is(r.Err, errParent) && s.canceled != byParent {
			return errors.New("canceled unstarted, but the parent was never canceled")
		}
		return nil
	}
	natural := map[kind]workerpool.Outcome{
		succeed: workerpool.Succeeded, fail: workerpool.Failed, permanent: workerpool.Failed,
		panics: workerpool.Panicked, goexit: workerpool.Panicked, block: workerpool.TimedOut,
		ignore: workerpool.Succeeded,
	}[k]
	if k == ignore {
		// Released after its timeout, an ignore job times out (and may
		// run again); not released until after the grace, it is stuck.
		if r.Outcome != workerpool.Succeeded && r.Outcome != workerpool.TimedOut {
			return errors.New("want Succeeded or TimedOut")
		}
		if r.Attempts < 1 || r.Attempts > maxA {
			return fmt.Errorf("want 1 to %d attempts", maxA)
		}
		return nil
	}
	if r.Outcome != natural {
		return fmt.Errorf("want %v", natural)
	}
	wantAttempts := 1
	switch k {
	case fail, panics, goexit, block:
		wantAttempts = maxA
	}
	if r.Attempts > wantAttempts || r.Attempts < 1 || (!canceled && r.Attempts != wantAttempts) {
		return fmt.Errorf("want %d attempts (the pool canceled: %v)", wantAttempts, canceled)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
