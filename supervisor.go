package workerpool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// tick is the period of the pool's epoch clock: how often a busy worker
// makes its counts visible, and how often the supervisor looks at workers
// (more often when job deadlines need it; see timeoutPeriod).
const tick = 10 * time.Millisecond

// idleTick is how often the supervisor looks while no worker runs, in a
// pool without job timeouts or autoscaling: such a pool needs it only to
// keep Stats fresh, so workers do not wake it for every job (that would
// cost each job a goroutine wake-up); it notices within idleTick that
// workers run again.
const idleTick = 250 * time.Millisecond

// supervise is the pool's supervisor. Every period while any worker runs,
// it advances the epoch (so busy workers publish their counts), cancels
// jobs past their deadline, declares stuck the handlers past their
// deadline and grace and replaces their workers, and scales an autoscaling
// pool. When nothing runs it sleeps: until a worker wakes it if the pool
// has job timeouts or autoscales, else for idleTick. New starts it;
// finishStop stops it once every worker has exited.
func (p *Pool[T]) supervise() {
	defer close(p.superDone)
	period := tick
	if d := p.cfg.jobTimeout; d > 0 {
		period = timeoutPeriod(d)
	}
	if l, ok := p.ext.(Leaser); ok {
		period = min(period, max(l.LeaseInterval()/4, 100*time.Microsecond))
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-p.superStop:
			return
		case <-t.C:
		}
		p.epoch.Add(1)
		if p.inspect(time.Now()) {
			continue
		}
		t.Stop()
		var slow <-chan time.Time
		if !p.needsSupervisor {
			slow = time.After(idleTick)
		}
		select {
		case <-p.superStop:
			return
		case <-p.kick:
		case <-slow:
		}
		t.Reset(period)
	}
}

// inspect looks at every worker once; it reports whether the supervisor
// should keep ticking.
func (p *Pool[T]) inspect(now time.Time) (busy bool) {
	var stuck []StuckJob[T]
	var gids []uint64
	var renew []*worker
	p.mu.Lock()
	for _, w := range slices.Clone(p.workers) {
		state := w.pub.state.Load()
		if state != w.seen { // the epoch in it changes too: a worker idle at each tick but busy between is not idle
			w.since = now
		}
		w.seen = state
		if state&3 == workerRunning {
			busy = true
		}
		if p.cfg.jobTimeout > 0 {
			if s, gid, ok := p.checkDeadlineLocked(w, now); ok {
				stuck, gids = append(stuck, s), append(gids, gid)
			}
		}
		if p.leaseDue(w, now) {
			renew = append(renew, w)
		}
	}
	if p.cfg.autoscale && p.autoscaleLocked(now) {
		busy = true
	}
	p.mu.Unlock()
	if len(renew) > 0 {
		// Renew leases off the supervisor's goroutine, so that a slow queue
		// delays no deadline; each worker has at most one renewal under way.
		p.renewing.Add(1)
		go p.renewLeases(renew, now)
	}
	for i := range stuck {
		stuck[i].Stack = stackOf(gids[i])
		if p.out != nil && p.stuckHook != nil {
			p.out.push(item[T]{stuck: &stuck[i]})
		}
	}
	return busy
}

// checkDeadlineLocked cancels w's job if it is past its deadline, and
// declares it stuck once it is past the grace period too: its outcome is
// recorded as TimedOut, and if the cap allows, its worker is abandoned to
// it and a fresh one started. p.mu must be held.
func (p *Pool[T]) checkDeadlineLocked(w *worker, now time.Time) (s StuckJob[T], gid uint64, stuck bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	j := &w.job
	if !j.active || j.stuck || j.deadline.IsZero() {
		return s, 0, false
	}
	if !j.expired && !now.Before(j.deadline) {
		j.expired = true
		j.cancel(ErrJobTimeout)
	}
	if !j.expired || now.Sub(j.deadline) < p.cfg.stuckGrace {
		return s, 0, false
	}
	j.stuck = true
	w.publishCounts() // the jobs it ran before count even if it is abandoned
	cur := j.cur.(*running[T])
	ran := now.Sub(j.started)
	p.settled.ended++
	p.settled.timedOut++
	if p.out != nil {
		p.emit(cur, TimedOut, fmt.Errorf("%w: %w after %v", ErrJobTimeout, ErrStuck, ran.Round(time.Millisecond)))
	}
	p.recordLocked(HealthEvent{Time: now, Kind: EventStuck, Worker: w.id, Ran: ran})
	s = StuckJob[T]{Job: cur.env.job, Worker: w.id, Ran: ran}
	if len(p.abandoned) >= p.cfg.maxAbandon {
		p.recordLocked(HealthEvent{Time: now, Kind: EventAbandonLimit, Worker: w.id})
		return s, w.gid, true
	}
	j.replaced, s.Abandoned = true, true
	remove(&p.workers, w)
	p.abandoned = append(p.abandoned, w)
	p.startWorkerLocked(nil)
	p.recordLocked(HealthEvent{Time: now, Kind: EventReplaced, Worker: p.nextID})
	p.wg.Done() // the pool no longer waits for the abandoned goroutine
	return s, w.gid, true
}

// kickSupervisor wakes the supervisor if it sleeps; a worker calls it when
// it publishes that it runs jobs.
func (p *Pool[T]) kickSupervisor() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// leaseDue reports whether w runs a leased delivery whose lease should be
// renewed now, and marks the renewal under way. p.mu must be held.
func (p *Pool[T]) leaseDue(w *worker, now time.Time) bool {
	l, ok := p.ext.(Leaser)
	if !ok {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	j := &w.job
	if !j.active || j.stuck || j.extending || now.Sub(j.extended) < l.LeaseInterval() {
		return false // a stuck handler's lease is left to lapse
	}
	j.extending = true
	return true
}

// renewLeases calls Extend on the deliveries of workers; a lease that could
// not be renewed for three intervals is lost, and its job's context is
// canceled with cause ErrLeaseLost. It runs on its own goroutine, started
// by inspect, and ends when every call has returned (each is bounded by
// the lease interval); finishStop waits for it.
func (p *Pool[T]) renewLeases(workers []*worker, now time.Time) {
	defer p.renewing.Done()
	interval := p.ext.(Leaser).LeaseInterval()
	for _, w := range workers {
		w.mu.Lock()
		cur, _ := w.job.cur.(*running[T])
		var d Delivery[T]
		if w.job.active && cur != nil {
			d = cur.delivery
		}
		w.mu.Unlock()
		var err error
		if d != nil {
			ctx, cancel := context.WithTimeout(p.detached, interval)
			err = d.Extend(ctx)
			cancel()
		}
		w.mu.Lock()
		j := &w.job
		j.extending = false
		switch {
		case err == nil && d != nil && j.active:
			j.extended = now
		case err != nil && j.active && (errors.Is(err, ErrLeaseLost) || now.Sub(j.extended) >= 3*interval):
			j.cancel(ErrLeaseLost)
		}
		w.mu.Unlock()
	}
}
