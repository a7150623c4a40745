package workerpool

import (
	"context"
	"runtime/debug"
	"sync/atomic"
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
	local    counts // owned by the worker's goroutine
	pubEpoch uint64 // epoch of the last publish; owned by the worker's goroutine
	pubState uint64 // state of the last publish; owned by the worker's goroutine
	pub      published
	_        [64]byte // keep the next worker's atomics off this cache line
}

// published is what a worker last made visible to Stats (and, later, the
// supervisor). Counters only grow. publish writes them in the order below
// and readers read them in the reverse order, so a reader never sees an
// outcome without its completion, or a completion without its start.
type published struct {
	state             atomic.Uint64 // epoch<<2 | workerIdle/workerRunning/workerStopped
	started           atomic.Uint64
	canceledUnstarted atomic.Uint64
	completed         atomic.Uint64
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

// publish makes w's counts visible, with the given state.
func (w *worker) publish(epoch, state uint64) {
	w.pubEpoch, w.pubState = epoch, state
	w.pub.started.Store(w.local.started)
	w.pub.canceledUnstarted.Store(w.local.canceledUnstarted)
	w.pub.completed.Store(w.local.completed)
	w.pub.failed.Store(w.local.failed)
	w.pub.panicked.Store(w.local.panicked)
	w.pub.timedOut.Store(w.local.timedOut)
	w.pub.canceled.Store(w.local.canceled)
	w.pub.state.Store(epoch<<2 | state)
}

// startWorkerLocked starts one more worker. p.mu must be held.
func (p *Pool[T]) startWorkerLocked() {
	p.nextID++
	w := &worker{id: p.nextID}
	w.publish(p.epoch.Load(), workerIdle)
	p.workers = append(p.workers, w)
	// The worker stops when the queue is closed and empty (Close, Shutdown
	// and a canceled parent close it), right after Shutdown runs out of
	// time, or when a handler calls runtime.Goexit, in which case it starts
	// its own replacement first.
	p.wg.Go(func() { p.work(w) })
}

// work is a worker goroutine. It runs loop until the queue is done,
// starting it again after each panic that loop recovered.
func (p *Pool[T]) work(w *worker) {
	finished := false
	defer func() {
		w.publish(p.epoch.Load(), workerStopped)
		p.mu.Lock()
		if !finished {
			// A handler called runtime.Goexit and unwound this goroutine;
			// loop has recorded the job. Keep the pool's capacity.
			p.startWorkerLocked()
		}
		p.retireLocked(w)
		p.mu.Unlock()
	}()
	for p.loop(w) {
	}
	finished = true
}

// loop is the seed's `for job := range jobs`: it takes jobs and runs them
// until the queue is closed and empty (or Shutdown ran out of time), and
// then returns false. It returns true after a handler panicked and the
// panic was recovered and recorded. Recovery lives here, once per loop,
// rather than around each job, so that a job costs no deferred call.
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
		p.end(w, &cur, Panicked, &PanicError{Value: v, Stack: debug.Stack()})
		recovered = true
	}()
	for {
		if p.mode.Load() == modeHandBack {
			// Shutdown ran out of time and takes the queued jobs back itself.
			return false
		}
		e, ok, woke := p.take(w)
		if !ok {
			return false
		}
		// A job taken just as Shutdown ran out of time still runs, with its
		// context already canceled: taken means started, never handed back.
		if p.mode.Load() == modeCancel {
			w.local.canceledUnstarted++
			p.emitUnstarted(e, Canceled, context.Cause(p.runCtx))
			continue
		}
		w.local.started++
		if epoch := p.epoch.Load(); epoch != w.pubEpoch || w.pubState != workerRunning {
			w.publish(epoch, workerRunning)
			if woke {
				p.kickSupervisor()
			}
		}
		p.begin(&cur, e)
		err := p.handler(cur.ctx, e.job)
		cur.active = false
		outcome := Succeeded
		if err != nil {
			outcome, err = classify(cur.ctx, err)
		}
		p.end(w, &cur, outcome, err)
	}
}

// take receives the next job. Only when the queue is empty does the worker
// publish its counts and idle state before it waits; woke reports that it
// waited, so that the caller wakes the supervisor too.
func (p *Pool[T]) take(w *worker) (e envelope[T], ok, woke bool) {
	select {
	case e, ok = <-p.jobs:
		return e, ok, false
	default:
	}
	w.publish(p.epoch.Load(), workerIdle)
	e, ok = <-p.jobs
	return e, ok, true
}

// retireLocked moves an exiting worker's counts into p.settled and removes
// it from the live workers. p.mu must be held.
func (p *Pool[T]) retireLocked(w *worker) {
	p.settled.add(&w.local)
	for i, x := range p.workers {
		if x == w {
			last := len(p.workers) - 1
			p.workers[i] = p.workers[last]
			p.workers[last] = nil
			p.workers = p.workers[:last]
			break
		}
	}
}
