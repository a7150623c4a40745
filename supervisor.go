package workerpool

import "time"

// tick is the period of the pool's epoch clock: how often a busy worker
// makes its counts visible, and how often the supervisor looks at workers.
const tick = 10 * time.Millisecond

// supervise advances the epoch every tick while any worker is running, so
// that busy workers publish their counts. It sleeps while every worker
// waits for work (a worker that wakes up kicks it), so an idle pool costs
// no CPU. It is started by New and stopped by finishStop once every worker
// has exited.
func (p *Pool[T]) supervise() {
	defer close(p.superDone)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-p.superStop:
			return
		case <-t.C:
		}
		p.epoch.Add(1)
		if p.anyRunning() {
			continue
		}
		t.Stop()
		select {
		case <-p.superStop:
			return
		case <-p.kick:
			t.Reset(tick)
		}
	}
}

// anyRunning reports whether some live worker last published that it was
// running jobs.
func (p *Pool[T]) anyRunning() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		if w.pub.state.Load()&3 == workerRunning {
			return true
		}
	}
	return false
}

// kickSupervisor wakes the supervisor if it sleeps; a worker calls it after
// publishing that it woke up with a job.
func (p *Pool[T]) kickSupervisor() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}
