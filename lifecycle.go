package workerpool

import (
	"context"
	"time"
)

// Close stops intake and waits until every accepted job has run and every
// result has been delivered, like [net/http.Server.Shutdown] without a
// deadline. Jobs still queued are run, not dropped. Submit and TrySubmit
// return [ErrClosed] from the moment Close begins.
//
// Close is idempotent and safe to call from many goroutines: every call
// waits for the pool to stop and returns nil. Called from one of the
// pool's own handlers or hooks, where it would wait for itself, it begins
// the stop and returns [ErrReentrant] at once. See the Lifecycle section
// of the package documentation for how Close, Shutdown and the parent
// context differ.
func (p *Pool[T]) Close() error {
	p.beginClose()
	if p.calledFromPool() {
		return ErrReentrant
	}
	<-p.done
	return nil
}

// calledFromPool reports whether the caller runs on one of the pool's own
// goroutines (a worker running a handler, or the hooks' goroutine), where
// waiting for the pool to stop would wait for itself. It costs a stack
// read, so only the stop calls use it.
func (p *Pool[T]) calledFromPool() bool {
	gid := goroutineID()
	if p.out != nil && p.out.gid.Load() == gid {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, list := range [][]*worker{p.workers, p.abandoned} {
		for _, w := range list {
			w.mu.Lock()
			own := w.gid == gid
			w.mu.Unlock()
			if own {
				return true
			}
		}
	}
	return false
}

// Shutdown is [Pool.Close] bounded by ctx. If the pool stops before ctx
// ends, Shutdown returns (nil, nil). If ctx ends first, Shutdown cancels
// every running job's context with cause [ErrShutdown], takes every job
// still queued or waiting for a retry without starting it (each is
// counted [Dropped]) and returns those jobs, with ctx.Err(). It does not
// wait for running handlers to return: [Pool.Done] is closed when they
// have, or, for a handler past its deadline ([WithJobTimeout]) and grace,
// when it has been abandoned.
//
// A job is either handed back or started, never both and never neither: a
// job that a worker took from the queue at the moment ctx ended runs, with
// its context already canceled. Each queued job is handed back by exactly
// one Shutdown call; a later call with a fresh context goes on waiting for
// the pool to stop.
func (p *Pool[T]) Shutdown(ctx context.Context) (unstarted []T, err error) {
	if ctx == nil {
		return nil, invalidArgument("Shutdown needs a non-nil context")
	}
	p.beginClose()
	if ctx.Done() == nil && p.calledFromPool() {
		return nil, ErrReentrant // a wait that could never end
	}
	select {
	case <-p.done:
		return nil, nil
	case <-ctx.Done():
		select { // both ready: the pool has stopped, so ctx did not cut it short
		case <-p.done:
			return nil, nil
		default:
		}
	}
	p.ctl.Or(ctlHandBack)
	p.cancelRun(ErrShutdown)
	if !p.enterDrain() {
		// Every worker has exited already; finishStop hands the rest back
		// (before it waits for the hooks, which this call need not do).
		<-p.lateReady
		p.mu.Lock()
		unstarted, p.late = p.late, nil
		p.mu.Unlock()
		return unstarted, ctx.Err()
	}
	defer p.leaveDrain()
	for _, e := range p.takeRetries() {
		unstarted = append(unstarted, p.handBack(e))
	}
	return append(unstarted, p.drain()...), ctx.Err()
}

// drain hands back every job left in the queue. The queue closes once no
// send is under way, so this ends.
func (p *Pool[T]) drain() []T {
	var jobs []T
	for e := range p.jobs {
		if e.retry == pill {
			p.pills.Add(-1)
			continue
		}
		if e.retry != nil {
			p.retriesQueued.Add(-1)
			p.pendingRetries.Add(-1)
		}
		jobs = append(jobs, p.handBack(e))
	}
	return jobs
}

// enterDrain registers a Shutdown or hard stop that will end jobs outside
// the workers, so that finishStop waits for it before the hooks stop. It
// reports false once finishStop has begun: then finishStop ends them.
func (p *Pool[T]) enterDrain() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finishing {
		return false
	}
	p.drainers++
	return true
}

func (p *Pool[T]) leaveDrain() {
	p.mu.Lock()
	p.drainers--
	last := p.drainers == 0 && p.finishing
	p.mu.Unlock()
	if last {
		p.drained <- struct{}{}
	}
}

// handBack counts and reports a job Shutdown takes back unstarted.
func (p *Pool[T]) handBack(e envelope[T]) T {
	p.mu.Lock()
	p.settled.dropped++
	if e.retry == nil {
		p.settled.fresh++
	}
	p.mu.Unlock()
	p.emitUnstarted(e, Dropped, ErrShutdown)
	return e.job
}

// hardStop runs when the WithContext parent is canceled: intake stops, and
// queued jobs and pending retries are canceled without starting. Running
// jobs see the parent's cancellation through their contexts.
func (p *Pool[T]) hardStop() {
	p.ctl.Or(ctlCancel) // before the cancel: workers whose jobs end see it
	p.cancelRun(context.Cause(p.cfg.parent))
	p.beginClose()
	if !p.enterDrain() {
		return // stopped already
	}
	defer p.leaveDrain()
	cause := context.Cause(p.runCtx)
	for _, e := range p.takeRetries() {
		p.mu.Lock()
		p.settled.canceledUnstarted++
		p.mu.Unlock()
		p.emitUnstarted(e, Canceled, cause)
	}
}

// beginClose stops intake, once: new Submits fail from now on and blocked
// ones wake up. Then, on its own goroutine, it waits for the sends under
// way (pending retries included) and closes the queue, so that workers
// drain it and exit, and finally marks the pool stopped.
func (p *Pool[T]) beginClose() {
	p.closeOnce.Do(func() {
		p.mu.Lock() // Resize and autoscaling start workers only while open
		admitted := p.gate.Or(gateClosed)
		p.mu.Unlock()
		close(p.closing)
		p.cancelTake() // workers taking from an external queue stop
		// Stops once the last admitted send has left the gate, and every
		// worker has exited (finishStop).
		go func() {
			if admitted != 0 {
				for p.gate.Load() != gateClosed {
					<-p.sendsDone
				}
			}
			close(p.jobs)
			p.ensureDrainer()
			p.finishStop()
		}()
	})
}

// finishStop closes done once the pool has fully stopped.
func (p *Pool[T]) finishStop() {
	p.wg.Wait()
	p.mu.Lock()
	p.finishing = true
	drainers := p.drainers
	p.mu.Unlock()
	if drainers > 0 {
		<-p.drained
	}
	// Workers that left because Shutdown ran out of time may have left jobs
	// in the (closed) queue that no Shutdown drained: hand them back to the
	// Shutdown that waits for done.
	late := p.drain()
	// Retries left waiting by workers that have exited since the pool was
	// canceled, if neither Shutdown nor hardStop got to take them.
	for _, e := range p.takeRetries() {
		if p.ctl.Load()&ctlHandBack != 0 {
			late = append(late, p.handBack(e))
			continue
		}
		p.mu.Lock()
		p.settled.canceledUnstarted++
		p.mu.Unlock()
		p.emitUnstarted(e, Canceled, context.Cause(p.runCtx))
	}
	if len(late) > 0 {
		p.mu.Lock()
		p.late = append(p.late, late...)
		p.mu.Unlock()
	}
	close(p.lateReady)
	close(p.superStop)
	<-p.superDone
	p.renewing.Wait() // the supervisor started them; it has stopped
	p.mu.Lock()
	stops := p.stopHooks
	p.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	p.cancelRun(ErrClosed) // release runCtx; no job is left to see it
	if p.out != nil {
		p.out.close()
	}
	close(p.done)
}

func durationNs(ns int64) time.Duration {
	if ns < 0 {
		return 0
	}
	return time.Duration(ns)
}

// ensureDrainer starts a worker if jobs wait in the closed queue and no
// worker will run them: an autoscaling pool may have scaled to zero just
// as the last jobs arrived. finishStop has not begun waiting for workers,
// so adding one is safe.
func (p *Pool[T]) ensureDrainer() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if int64(len(p.jobs)) > p.pills.Load() && len(p.workers)-p.exits <= 0 && p.ctl.Load()&ctlHandBack == 0 {
		p.exits = 0
		p.ctl.And(^ctlShrink)
		p.startWorkerLocked(nil)
	}
}
