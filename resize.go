package workerpool

import "time"

// Resize sets the number of workers to n, 1 ≤ n ≤ [MaxWorkers], while the
// pool runs. Growing starts workers at once. Shrinking lets the extra
// workers go as each finishes its current job (idle ones at once); no job
// is interrupted. Resize is safe to call concurrently with Submit, Close
// and Shutdown. It returns an error wrapping [ErrInvalidArgument] for an
// n out of range or on a pool that autoscales ([WithAutoscale]), and
// [ErrClosed] once the pool has begun to stop.
func (p *Pool[T]) Resize(n int) error {
	if n < 1 || n > MaxWorkers {
		return invalidArgument("Resize needs 1 ≤ n ≤ %d, got %d", MaxWorkers, n)
	}
	if p.cfg.autoscale {
		return invalidArgument("Resize on a pool that autoscales")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate.Load()&gateClosed != 0 {
		return ErrClosed
	}
	p.target = n
	p.resizeLocked(n)
	return nil
}

// resizeLocked starts or asks to exit workers until n will run. p.mu must
// be held, and the pool must be open (or have a live worker, so that the
// pool's WaitGroup is not at zero).
func (p *Pool[T]) resizeLocked(n int) {
	effective := len(p.workers) - p.exits
	switch {
	case n > effective:
		keep := min(p.exits, n-effective) // take back exits not yet done
		p.exits -= keep
		if p.exits == 0 {
			p.ctl.And(^ctlShrink)
		}
		for range n - effective - keep {
			p.startWorkerLocked(nil)
		}
		p.updateLiveLocked()
	case n < effective:
		p.exits += effective - n
		p.updateLiveLocked()
		p.ctl.Or(ctlShrink)
		p.sendPills(min(effective-n, p.idleLocked()))
	}
}

// idleLocked counts the live workers that last published that they wait
// for a job. Only those get a pill: a pill holds a slot of the queue until
// a worker takes it, so one sent while every worker is busy would shrink
// the queue's bound, and a busy worker looks at ctl after its job anyway.
// A worker that publishes idle after this count looks at ctl before it
// waits (see take). p.mu must be held.
func (p *Pool[T]) idleLocked() int {
	n := 0
	for _, w := range p.workers {
		if w.pub.state.Load()&3 == workerIdle {
			n++
		}
	}
	return n
}

// autoscaleLocked adds workers while jobs wait in the queue and lets idle
// ones go after the idle timeout, between the autoscale bounds. It reports
// whether it has more to do (the supervisor should keep ticking). p.mu
// must be held.
func (p *Pool[T]) autoscaleLocked(now time.Time) bool {
	if p.gate.Load()&gateClosed != 0 {
		return false
	}
	effective := len(p.workers) - p.exits
	if waiting := len(p.jobs); waiting > 0 && effective < p.cfg.maxWorkers {
		p.resizeLocked(min(effective+waiting, p.cfg.maxWorkers))
		return true
	}
	idle := 0
	for _, w := range p.workers {
		if w.seen&3 == workerIdle && now.Sub(w.since) >= p.cfg.idleTimeout {
			idle++
		}
	}
	if n := min(idle, effective-p.cfg.minWorkers); n > 0 {
		p.resizeLocked(effective - n)
	}
	return effective > p.cfg.minWorkers
}

// scaleFromZero starts a worker for an autoscaling pool that has none. A
// Submit calls it while it still holds its gate slot, so the queue cannot
// close before the worker exists.
func (p *Pool[T]) scaleFromZero() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.workers)-p.exits <= 0 {
		p.resizeLocked(1)
	}
}

// updateLiveLocked records how many workers will stay (not asked to exit),
// for Submit's check that an autoscaling pool has one. p.mu must be held.
func (p *Pool[T]) updateLiveLocked() {
	p.live.Store(int32(len(p.workers) - p.exits))
}
