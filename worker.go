package workerpool

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// worker is one goroutine taking jobs from the queue.
//
// To keep the dispatch path as cheap as the seed's loop, a worker counts in
// plain fields that only its own goroutine touches (local), and copies them
// to atomics that others read (pub) only now and then: when it is about to
// wait for work, when it exits, and at the first job start after each tick
// of the pool's epoch. So a running pool's Stats lag by at most a tick's
// worth of jobs per worker, and an idle or stopped pool's are exact.
type worker struct {
	id       int
	gid      uint64    // its goroutine's id, to find its stack when stuck
	since    time.Time // when the supervisor last saw its state change; guarded by the pool's mu
	seen     uint64    // the published state the supervisor last saw; guarded by the pool's mu
	local    counts    // owned by the worker's goroutine
	shadow   counts    // the values last published; owned by the worker's goroutine
	pubEpoch uint64    // epoch of the last publish; owned by the worker's goroutine
	pubState uint64    // state of the last publish; owned by the worker's goroutine
	pub      published
	carry    any  // *envelope[T]: a retry to run next, left by a panic; owned by the worker's goroutine
	retired  bool // taken off the live workers already (control); owned by the worker's goroutine

	// The job with a timeout it is running (jobctx.go), shared with the
	// supervisor and with the canceling of the pool; guarded by mu.
	mu  sync.Mutex
	job timedJob

	_ [64]byte // keep the next worker's atomics off this cache line
}

// published is what a worker last made visible to Stats and the
// supervisor. Counters only grow. publish writes them in the order below
// and readers read them in the reverse order, so a reader never sees an
// outcome without its attempt's end, or an end without its start.
type published struct {
	state             atomic.Uint64 // epoch<<2 | workerIdle/workerRunning/workerStopped
	fresh             atomic.Uint64
	started           atomic.Uint64
	canceledUnstarted atomic.Uint64
	ended             atomic.Uint64
	requeued          atomic.Uint64
	succeeded         atomic.Uint64
	failed            atomic.Uint64
	panicked          atomic.Uint64
	timedOut          atomic.Uint64
	canceled          atomic.Uint64
}

const (
	workerIdle    = 0 // waiting for a job
	workerRunning = 1 // taking and running jobs
	workerStopped = 2 // exited
)

// publish makes w's counts visible, with the given state. It stores only
// the counters that changed since the last publish (shadow holds what was
// stored), in the order published documents; most publishes store three
// or four words.
func (w *worker) publish(epoch, state uint64) {
	w.pubEpoch, w.pubState = epoch, state
	w.publishCounts()
	w.pub.state.Store(epoch<<2 | state)
}

// publishCounts makes w's counts visible. Besides publish, the supervisor
// calls it, holding w.mu, for a worker whose handler it declares stuck: the
// pool does not wait for an abandoned handler, so its worker's jobs must
// count in Stats before it returns. That is safe because a worker writes no
// count (nor shadow) between beginTracked and endTracked, which both take
// w.mu.
func (w *worker) publishCounts() {
	l, s, pub := &w.local, &w.shadow, &w.pub
	store := func(v *atomic.Uint64, local uint64, shadow *uint64) {
		if local != *shadow {
			*shadow = local
			v.Store(local)
		}
	}
	store(&pub.fresh, l.fresh, &s.fresh)
	store(&pub.started, l.started, &s.started)
	store(&pub.canceledUnstarted, l.canceledUnstarted, &s.canceledUnstarted)
	store(&pub.ended, l.ended, &s.ended)
	store(&pub.requeued, l.requeued, &s.requeued)
	store(&pub.succeeded, l.succeeded, &s.succeeded)
	store(&pub.failed, l.failed, &s.failed)
	store(&pub.panicked, l.panicked, &s.panicked)
	store(&pub.timedOut, l.timedOut, &s.timedOut)
	store(&pub.canceled, l.canceled, &s.canceled)
}

// startWorkerLocked starts one more worker; carry is a retry it runs first
// (or nil). p.mu must be held.
func (p *Pool[T]) startWorkerLocked(carry any) {
	p.nextID++
	w := &worker{id: p.nextID, since: time.Now(), carry: carry}
	w.publish(p.epoch.Load(), workerIdle)
	p.workers = append(p.workers, w)
	p.updateLiveLocked()
	// The worker stops when the queue is closed and empty (Close, Shutdown
	// and a canceled parent close it), right after Shutdown runs out of
	// time, when Resize or autoscaling asks it to, after its stuck handler
	// returns (it was abandoned and replaced), or when a handler calls
	// runtime.Goexit, in which case it starts its own replacement first.
	p.wg.Add(1)
	go p.work(w)
}

// work is a worker goroutine. It runs loop until the worker should stop,
// starting it again after each panic that loop recovered.
func (p *Pool[T]) work(w *worker) {
	w.mu.Lock()
	w.gid = goroutineID()
	w.mu.Unlock()
	finished := false
	defer func() {
		if w.retired {
			p.wg.Done()
			return
		}
		w.publish(p.epoch.Load(), workerStopped)
		p.mu.Lock()
		if !finished && !p.isAbandonedLocked(w) {
			// A handler called runtime.Goexit and unwound this goroutine;
			// loop has recorded the job. Keep the pool's capacity, and hand
			// on the retry it may have left.
			p.startWorkerLocked(w.carry)
			p.recordLocked(HealthEvent{Kind: EventGoexit, Worker: w.id})
		}
		abandoned := p.retireLocked(w)
		p.mu.Unlock()
		if !abandoned { // the supervisor released an abandoned worker already
			p.wg.Done()
		}
	}()
	for p.loop(w) {
	}
	finished = true
}

// loop is the seed's `for job := range jobs`: it takes jobs and runs them
// until the worker should stop, and then returns false. It returns true
// after a handler panicked and the panic was recovered and recorded.
// Recovery lives here, once per loop, rather than around each job, so that
// a job costs no deferred call.
func (p *Pool[T]) loop(w *worker) (recovered bool) {
	var cur running[T]
	defer func() {
		if !cur.active {
			return
		}
		// The handler panicked or called runtime.Goexit, which runs
		// deferred calls with nothing to recover (panic(nil) panics with
		// *runtime.PanicNilError, so nil means Goexit).
		v := recover()
		if v == nil {
			v = ErrGoexit
		}
		cur.active = false
		p.cfg.logger.Error("workerpool: job panicked", "worker", w.id, "panic", v)
		if p.end(w, &cur, Panicked, &PanicError{Value: v, Stack: debug.Stack()}) {
			// A retry to run here (the queue is closing): the next loop
			// (or, after runtime.Goexit, the replacement worker) runs it.
			e := cur.env
			w.carry = &e
		}
		recovered = !cur.abandoned
	}()
	for {
		e, ok := p.next(w, &cur)
		if !ok {
			return false
		}
		// A job taken just as Shutdown ran out of time still runs, with its
		// context already canceled: taken means started, never handed back.
		for {
			w.local.started++
			if epoch := p.epoch.Load(); epoch != w.pubEpoch || w.pubState != workerRunning {
				w.publish(epoch, workerRunning)
				if p.needsSupervisor {
					p.kickSupervisor()
				}
			}
			p.begin(w, &cur, e)
			err := p.handler(cur.ctx, e.job)
			cur.active = false
			outcome := Succeeded
			if err != nil {
				outcome, err = classify(cur.ctx, err)
			}
			again := p.end(w, &cur, outcome, err)
			if cur.abandoned {
				return false // declared stuck: a fresh worker has its place
			}
			if !again {
				break
			}
			// The queue is closing: the retry runs here, after its delay.
			e = cur.env
		}
	}
}

// next returns the job the worker runs next: a retry a panic left to it,
// or the next job from the queue. It reports false when the worker should
// stop. Jobs taken after the parent ended are canceled here unstarted.
func (p *Pool[T]) next(w *worker, cur *running[T]) (envelope[T], bool) {
	if p.ext != nil {
		return p.nextExt(w, cur)
	}
	if w.carry != nil {
		e := *w.carry.(*envelope[T])
		w.carry = nil
		return e, true
	}
	for {
		ctl := p.ctl.Load() // the one shared read per job, of a rarely written word
		if ctl != 0 && p.control(w, ctl) {
			return envelope[T]{}, false
		}
		e, got, open := p.take(w)
		if !open {
			return e, false
		}
		if !got { // woken to look at ctl
			continue
		}
		if e.retry != nil {
			p.retriesQueued.Add(-1)
			p.pendingRetries.Add(-1)
		} else {
			w.local.fresh++
		}
		if p.parentEnded() {
			// The parent ended: a queued job is canceled without starting.
			w.local.canceledUnstarted++
			p.emitUnstarted(e, Canceled, context.Cause(p.runCtx))
			continue
		}
		return e, true
	}
}

// parentEnded reports whether the WithContext parent has ended. The ctl
// the worker read before it took a job may be stale, so this reads it
// again (a plain load of a word written once): hardStop sets ctlCancel
// before it cancels the pool's context, so a worker whose job returned
// because of that cancellation sees it, and starts no queued job.
func (p *Pool[T]) parentEnded() bool {
	return p.ctl.Load()&ctlCancel != 0
}

// take receives the next job. Only when the queue is empty does the worker
// publish its counts and idle state before it waits. A pill wakes it to
// look at ctl (got false, open true). open is false once the queue is
// closed and empty.
func (p *Pool[T]) take(w *worker) (e envelope[T], got, open bool) {
	select {
	case e, open = <-p.jobs:
		if e.retry == pill {
			p.pills.Add(-1)
			return e, false, true
		}
		return e, open, open
	default:
	}
	w.publish(p.epoch.Load(), workerIdle)
	if p.ctl.Load()&ctlShrink != 0 {
		// Resize may have counted the idle workers before this one
		// published, and sent it no pill: look at ctl first.
		return e, false, true
	}
	e, open = <-p.jobs
	if e.retry == pill {
		p.pills.Add(-1)
		return e, false, true
	}
	return e, open, open
}

// control handles a non-zero ctl at the top of the loop; it reports whether
// the worker should stop.
func (p *Pool[T]) control(w *worker, ctl uint32) bool {
	if ctl&ctlHandBack != 0 {
		// Shutdown ran out of time and takes the queued jobs back itself.
		return true
	}
	if ctl&ctlShrink != 0 {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.exits > 0 {
			p.exits--
			if p.exits == 0 {
				p.ctl.And(^ctlShrink)
			}
			// Leave the live workers in the same step that takes the exit,
			// so that Resize never counts this worker as staying.
			w.publish(p.epoch.Load(), workerStopped)
			p.retireLocked(w)
			w.retired = true
			return true
		}
	}
	return false
}

// pill marks an envelope that carries no job: it only wakes a worker
// waiting for one, so that the worker looks at ctl (Resize asked some
// workers to exit). Workers and drains skip it; Stats does not count it.
var pill = &retryState{}

// sendPills puts up to n pills in the queue, without blocking: a full
// queue means no worker waits, and busy workers look at ctl after each job
// anyway. Waiting workers take pills through the same receive as jobs, so
// the idle path costs no more than the seed's `for job := range jobs`.
func (p *Pool[T]) sendPills(n int) {
	for range n {
		if !p.enter() {
			return
		}
		p.pills.Add(1)
		select {
		case p.jobs <- envelope[T]{retry: pill}:
		default:
			p.pills.Add(-1)
			p.leave()
			return
		}
		p.leave()
	}
}

// retireLocked moves an exiting worker's counts into p.settled and removes
// it from the live or abandoned workers; it reports whether it was an
// abandoned one. p.mu must be held.
func (p *Pool[T]) retireLocked(w *worker) (abandoned bool) {
	p.settled.add(&w.local)
	if remove(&p.abandoned, w) {
		p.recordLocked(HealthEvent{Kind: EventStuckReturned, Worker: w.id})
		return true
	}
	remove(&p.workers, w)
	p.updateLiveLocked()
	return false
}

func (p *Pool[T]) isAbandonedLocked(w *worker) bool {
	for _, x := range p.abandoned {
		if x == w {
			return true
		}
	}
	return false
}

func remove(ws *[]*worker, w *worker) bool {
	for i, x := range *ws {
		if x == w {
			last := len(*ws) - 1
			(*ws)[i] = (*ws)[last]
			(*ws)[last] = nil
			*ws = (*ws)[:last]
			return true
		}
	}
	return false
}
