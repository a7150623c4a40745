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
// waits for the pool to stop and returns nil. It must not be called from a
// handler of the same pool (it would wait for itself); use [Pool.Shutdown]
// with a deadline there, or close from outside. See the Lifecycle section
// of the package documentation for how Close, Shutdown and the parent
// context differ.
func (p *Pool[T]) Close() error {
	p.beginClose()
	<-p.done
	return nil
}

// Shutdown is [Pool.Close] bounded by ctx. If the pool stops before ctx
// ends, Shutdown returns (nil, nil). If ctx ends first, Shutdown cancels
// every running job's context with cause [ErrShutdown], takes every job
// still queued off the queue without starting it (each is counted
// [Dropped]) and returns those jobs, with ctx.Err(). It does not wait for
// running handlers to return: [Pool.Done] is closed when they have.
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
	select {
	case <-p.done:
		return nil, nil
	case <-ctx.Done():
	}
	p.mode.CompareAndSwap(modeRun, modeHandBack)
	p.cancelRun(ErrShutdown)
	for e := range p.jobs { // closed by beginClose, so this ends
		unstarted = append(unstarted, e.job)
		p.mu.Lock()
		p.settled.dropped++
		p.mu.Unlock()
		p.emitUnstarted(e, Dropped, ErrShutdown)
	}
	return unstarted, ctx.Err()
}

// hardStop runs when the WithContext parent is canceled: intake stops and
// queued jobs are canceled without starting. Running jobs see the parent's
// cancellation through their contexts.
func (p *Pool[T]) hardStop() {
	p.mode.CompareAndSwap(modeRun, modeCancel)
	p.beginClose()
}

// beginClose stops intake once: it makes new Submits fail, wakes blocked
// ones, waits for sends already under way, then closes the queue so that
// workers drain it and exit.
func (p *Pool[T]) beginClose() {
	p.closeOnce.Do(func() {
		admitted := p.gate.Or(gateClosed)
		close(p.closing)
		if admitted != 0 {
			for p.gate.Load() != gateClosed {
				<-p.sendsDone
			}
		}
		close(p.jobs)
		// Stops once every worker has exited and every result has been
		// delivered; a handler that never returns keeps it (and Done) waiting.
		go p.finishStop()
	})
}

// finishStop closes done once the pool has fully stopped.
func (p *Pool[T]) finishStop() {
	p.wg.Wait()
	close(p.superStop)
	<-p.superDone
	p.stopHook()
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
