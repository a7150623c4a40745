package workerpool

import (
	"bytes"
	"runtime"
	"strconv"
	"time"
)

// WorkerState is what a worker is doing, as [Health] reports it.
type WorkerState uint8

const (
	// WorkerIdle: waiting for a job.
	WorkerIdle WorkerState = iota + 1
	// WorkerRunning: running jobs.
	WorkerRunning
	// WorkerStuck: running a handler that is past its deadline and the
	// grace period ([WithStuckGrace]). If the worker was abandoned to it,
	// another worker has taken its place.
	WorkerStuck
)

func (s WorkerState) String() string {
	switch s {
	case WorkerIdle:
		return "idle"
	case WorkerRunning:
		return "running"
	case WorkerStuck:
		return "stuck"
	}
	return "WorkerState(" + strconv.Itoa(int(s)) + ")"
}

// WorkerHealth is one worker in a [Health] snapshot.
type WorkerHealth struct {
	// ID numbers the pool's workers from 1, in the order they started.
	ID int
	// State is what the worker is doing.
	State WorkerState
	// Since is when the worker entered State, as the supervisor saw it:
	// exact for a job with a timeout, otherwise to within about a tick
	// (10ms) while the pool is busy. For a stuck worker, when its job
	// started.
	Since time.Time
	// Abandoned reports a stuck worker that was replaced: the pool no
	// longer counts it in its capacity and does not wait for it to stop.
	Abandoned bool
}

// EventKind says what a [HealthEvent] reports.
type EventKind uint8

const (
	// EventStuck: a handler ran past its deadline and the grace period.
	EventStuck EventKind = iota + 1
	// EventReplaced: a fresh worker took the place of a stuck one.
	EventReplaced
	// EventAbandonLimit: a stuck worker could not be replaced, because
	// [WithMaxAbandoned] handlers are abandoned already.
	EventAbandonLimit
	// EventStuckReturned: an abandoned handler returned at last; its
	// goroutine has exited.
	EventStuckReturned
	// EventGoexit: a handler called runtime.Goexit; a fresh worker took
	// the place of the one it ended.
	EventGoexit
)

func (k EventKind) String() string {
	switch k {
	case EventStuck:
		return "stuck"
	case EventReplaced:
		return "replaced"
	case EventAbandonLimit:
		return "abandon limit"
	case EventStuckReturned:
		return "stuck returned"
	case EventGoexit:
		return "goexit"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// HealthEvent is one entry in the log of [Health].
type HealthEvent struct {
	Time   time.Time
	Kind   EventKind
	Worker int           // the worker's ID
	Ran    time.Duration // for EventStuck: how long the handler had run
}

// Health is a snapshot of a pool's workers, from [Pool.Health].
type Health struct {
	// Workers lists the live workers, then the abandoned ones still
	// running a stuck handler.
	Workers []WorkerHealth
	// Stuck is the number of handlers running past their deadline and
	// grace period, abandoned or not.
	Stuck int
	// Abandoned is the number of goroutines the pool left to stuck
	// handlers and that have not returned yet. They are bounded by
	// [WithMaxAbandoned].
	Abandoned int
	// Healthy is false while a stuck worker could not be replaced: the pool
	// runs below its capacity.
	Healthy bool
	// Events are the most recent health events, oldest first (at most 32).
	Events []HealthEvent
}

// StuckJob reports a handler declared stuck, to the [WithStuckHook] hook.
type StuckJob[T any] struct {
	Job    T
	Worker int           // the worker's ID
	Ran    time.Duration // how long the handler had run
	// Stack is the stuck goroutine's stack, in the format of
	// runtime.Stack; empty if it returned meanwhile.
	Stack []byte
	// Abandoned reports that a fresh worker took its place.
	Abandoned bool
}

const healthLogSize = 32

// healthLog keeps the last events; guarded by the pool's mu.
type healthLog struct {
	events []HealthEvent
	next   int
}

func (l *healthLog) add(e HealthEvent) {
	if len(l.events) < healthLogSize {
		l.events = append(l.events, e)
		return
	}
	l.events[l.next] = e
	l.next = (l.next + 1) % healthLogSize
}

func (l *healthLog) list() []HealthEvent {
	out := make([]HealthEvent, 0, len(l.events))
	out = append(out, l.events[l.next:]...)
	return append(out, l.events[:l.next]...)
}

// recordLocked logs a health event. p.mu must be held.
func (p *Pool[T]) recordLocked(e HealthEvent) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	p.health.add(e)
}

// Health returns a snapshot of the pool's workers: what each does and
// since when, the stuck and abandoned handlers, and recent health events.
// It is safe to call at any time and never blocks a worker.
func (p *Pool[T]) Health() Health {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := Health{Healthy: true, Events: p.health.list()}
	for _, list := range [][]*worker{p.workers, p.abandoned} {
		for _, w := range list {
			wh := WorkerHealth{ID: w.id, State: WorkerIdle, Since: w.since}
			if w.pub.state.Load()&3 == workerRunning {
				wh.State = WorkerRunning
			}
			w.mu.Lock()
			if w.job.active {
				wh.State, wh.Since = WorkerRunning, w.job.started
				if w.job.stuck {
					wh.State, wh.Abandoned = WorkerStuck, w.job.replaced
					h.Stuck++
					if !w.job.replaced {
						h.Healthy = false
					}
				}
			}
			w.mu.Unlock()
			h.Workers = append(h.Workers, wh)
		}
	}
	h.Abandoned = len(p.abandoned)
	return h
}

// goroutineID returns the running goroutine's id, read from the header of
// its stack ("goroutine 42 [running]:"). Called once per worker.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
		return id
	}
	return 0
}

// stackOf returns the stack of goroutine gid, or nil if it has exited.
func stackOf(gid uint64) []byte {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	head := []byte("goroutine " + strconv.FormatUint(gid, 10) + " [")
	for block := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.HasPrefix(block, head) {
			return block
		}
	}
	return nil
}
