package reliability_test

import (
	"fmt"
	"slices"

	"github.com/workerpool/workerpool"
)

// kind is what a job's handler does.
type kind uint8

const (
	succeed   kind = iota // returns nil
	fail                  // returns errFail, which a retry policy retries
	permanent             // returns Permanent(errFail), never retried
	panics                // panics with panicValue
	goexit                // calls runtime.Goexit
	block                 // waits for its context to end, returns ctx.Err()
	ignore                // ignores its context: waits for the test to release it, returns ctx.Err()
	numKinds
)

var kindNames = [...]string{"succeed", "fail", "permanent", "panic", "goexit", "block", "ignore"}

func (k kind) String() string { return kindNames[k] }

// phase is where the model says a job is.
type phase uint8

const (
	refused   phase = iota // Submit or TrySubmit did not accept it
	queued                 // accepted, waiting for a worker
	running                // its handler (block or ignore) holds a worker
	held                   // declared stuck, its worker not replaced (abandon cap): still holds it
	abandoned              // declared stuck, its worker replaced: its goroutine runs on
	done                   // its handler returned, or it never will run
)

// mjob is the model's view of one job.
type mjob struct {
	kind     kind
	phase    phase
	released bool // ignore: the test closed its release channel
	stuck    bool // declared stuck: outcome TimedOut recorded while it runs
	outcome  workerpool.Outcome
	attempts int
	start    int // the model's clock when it started (see model.now)
}

// hasOutcome reports whether the pool has recorded the job's outcome.
func (j *mjob) hasOutcome() bool { return j.phase == done || j.stuck }

// cancelKind says what canceled the pool's context first.
type cancelKind uint8

const (
	notCanceled cancelKind = iota
	byShutdown             // a Shutdown ran out of time: cause ErrShutdown
	byParent               // the WithContext parent: cause errParent
)

// model is the reference model of a pool without retries: a FIFO queue
// of bounded size, `target` workers that take jobs in order, handlers that
// end at once (succeed, fail, permanent, panic, goexit) or hold their
// worker (block until the pool's or the job's context ends, ignore until
// released), and the three ways of stopping as the package documentation
// describes them. It is exact because the test lets the pool settle
// (synctest.Wait) after every step, so no step races another; the one choice
// it cannot make — which of several handlers declared stuck in the same
// supervisor pass get their worker replaced when the abandon cap splits
// them — it takes from the pool's stuck reports and checks the count.
//
// Time is counted in job timeouts (the stuck grace is one timeout too): a
// block job started at time s is canceled at s+1, an ignore job is
// declared stuck at s+2. Time moves only in advance.
type model struct {
	queueSize  int
	timeout    bool // WithJobTimeout is set
	maxAbandon int

	jobs      []*mjob // by job id, refused ones included
	queue     []int   // ids, oldest first
	running   []int   // ids of running and held jobs, in the order they started
	abandoned []int   // ids
	target    int     // workers wanted (WithWorkers, Resize)

	stopping   bool       // Close, Shutdown or the parent began a stop: intake is closed
	canceled   cancelKind // the pool's context is canceled, and by what
	handBack   bool       // a Shutdown ran out of time: workers take no more jobs
	parentDone bool       // the parent is canceled: workers cancel queued jobs unstarted
	stopped    bool       // Done is closed
	now        int
}

func newModel(workers, queueSize int, timeout bool, maxAbandon int) *model {
	return &model{queueSize: queueSize, timeout: timeout, maxAbandon: maxAbandon, target: workers}
}

// add records a new job (not yet submitted) and returns its id.
func (m *model) add(k kind) int {
	m.jobs = append(m.jobs, &mjob{kind: k})
	return len(m.jobs) - 1
}

// admits reports whether a Submit or TrySubmit made now is accepted: the
// queue has room, or (with a queue of 0) a worker is waiting.
func (m *model) admits() bool {
	return !m.stopping && (len(m.queue) < m.queueSize || len(m.running) < m.target)
}

func (m *model) accept(id int) {
	m.jobs[id].phase = queued
	m.queue = append(m.queue, id)
	m.settle()
}

// cause is the pool context's cause that Canceled results wrap.
func (m *model) cause() error {
	switch m.canceled {
	case byShutdown:
		return workerpool.ErrShutdown
	case byParent:
		return errParent
	}
	return nil
}

func (j *mjob) finish(o workerpool.Outcome) {
	j.phase, j.outcome = done, o
}

// start is a worker taking job id from the queue.
func (m *model) start(id int) {
	j := m.jobs[id]
	j.attempts, j.start = 1, m.now
	switch j.kind {
	case succeed:
		j.finish(workerpool.Succeeded)
	case fail, permanent:
		j.finish(workerpool.Failed)
	case panics, goexit:
		j.finish(workerpool.Panicked)
	case block:
		if m.canceled != notCanceled {
			j.finish(workerpool.Canceled)
			return
		}
		j.phase = running
		m.running = append(m.running, id)
	case ignore:
		if j.released {
			j.finish(m.ctxOutcome())
			return
		}
		j.phase = running
		m.running = append(m.running, id)
	}
}

// ctxOutcome is the outcome of a handler that returns ctx.Err() now
// (with no job timeout expired): nil unless the pool is canceled.
func (m *model) ctxOutcome() workerpool.Outcome {
	if m.canceled != notCanceled {
		return workerpool.Canceled
	}
	return workerpool.Succeeded
}

// settle runs the pool until every goroutine waits: handlers that can
// return do, free workers take queued jobs, and the pool stops if it can.
func (m *model) settle() {
	for {
		changed := false
		kept := []int{}
		for _, id := range m.running {
			j := m.jobs[id]
			switch {
			case j.phase == held && j.released:
				j.phase = done // its outcome was recorded when it was declared stuck
			case j.phase == running && j.kind == block && m.canceled != notCanceled:
				j.finish(workerpool.Canceled)
			case j.phase == running && j.kind == ignore && j.released:
				j.finish(m.ctxOutcome())
			default:
				kept = append(kept, id)
				continue
			}
			changed = true
		}
		m.running = kept
		for len(m.queue) > 0 && !m.handBack && len(m.running) < m.target {
			id := m.queue[0]
			m.queue = m.queue[1:]
			if m.parentDone {
				m.jobs[id].finish(workerpool.Canceled) // taken after the parent ended: never started
			} else {
				m.start(id)
			}
			changed = true
		}
		if !changed {
			break
		}
	}
	m.abandoned = slices.DeleteFunc(m.abandoned, func(id int) bool {
		if j := m.jobs[id]; j.released {
			j.phase = done // the abandoned goroutine returns and exits
			return true
		}
		return false
	})
	if m.stopping && len(m.queue) == 0 && len(m.running) == 0 {
		m.stopped = true
	}
}

// close is Close or Shutdown beginning: intake stops.
func (m *model) close() {
	m.stopping = true
	m.settle()
}

// outOfTime is a Shutdown whose context ended before the pool stopped: it
// cancels the pool and hands back the queued jobs, which it returns.
func (m *model) outOfTime() []int {
	handed := m.queue
	m.queue = nil
	for _, id := range handed {
		m.jobs[id].finish(workerpool.Dropped)
	}
	m.handBack = true
	if m.canceled == notCanceled {
		m.canceled = byShutdown
	}
	m.settle()
	return handed
}

func (m *model) cancelParent() {
	m.stopping = true
	m.parentDone = true
	if m.canceled == notCanceled {
		m.canceled = byParent
	}
	m.settle()
}

func (m *model) release(id int) {
	m.jobs[id].released = true
	m.settle()
}

// resize is a successful Resize(n).
func (m *model) resize(n int) {
	m.target = n
	m.settle()
}

// timedJobs counts the jobs that a job timeout can still act on.
func (m *model) timedJobs() int {
	n := 0
	for _, id := range slices.Concat(m.queue, m.running) {
		if j := m.jobs[id]; !j.stuck && (j.kind == block || j.kind == ignore) {
			n++
		}
	}
	return n
}

// advanceUnits bounds how many job timeouts advance needs to run every
// timed event to its end: each timed job ends within 2 of its start, and
// starts at the latest when the one before it in a chain has ended.
func (m *model) advanceUnits() int {
	if !m.timeout {
		return 1
	}
	return 2*m.timedJobs() + 2
}

// advance moves time on until no job timeout is left to act: block jobs
// time out, ignore jobs are declared stuck, and workers freed so take
// queued jobs, whose timeouts run in turn. abandonedBy says, for each job
// declared stuck, whether the pool replaced its worker; within one moment
// the count must be what the abandon cap allows.
func (m *model) advance(abandonedBy func(id int) (abandoned, reported bool)) error {
	if !m.timeout {
		return nil
	}
	for {
		next := -1
		for _, id := range m.running {
			j := m.jobs[id]
			if j.phase != running {
				continue
			}
			at := j.start + 1
			if j.kind == ignore {
				at++
			}
			if next < 0 || at < next {
				next = at
			}
		}
		if next < 0 {
			return nil
		}
		m.now = next
		var stuck []int
		kept := []int{}
		for _, id := range m.running {
			j := m.jobs[id]
			if j.phase == running && j.kind == block && j.start+1 == next {
				j.finish(workerpool.TimedOut)
				continue
			}
			if j.phase == running && j.kind == ignore && j.start+2 == next {
				stuck = append(stuck, id)
			}
			kept = append(kept, id)
		}
		m.running = kept
		room := max(0, m.maxAbandon-len(m.abandoned))
		replaced := 0
		for _, id := range stuck {
			j := m.jobs[id]
			j.stuck, j.outcome = true, workerpool.TimedOut
			a, ok := abandonedBy(id)
			if !ok {
				return fmt.Errorf("job %d (ignore) ran past its timeout and grace but no stuck report came", id)
			}
			if a {
				replaced++
				j.phase = abandoned
				m.abandoned = append(m.abandoned, id)
				m.running = slices.DeleteFunc(m.running, func(x int) bool { return x == id })
			} else {
				j.phase = held
			}
		}
		if want := min(room, len(stuck)); replaced != want {
			return fmt.Errorf("%d handlers declared stuck together with %d abandoned already (cap %d): %d workers replaced; want %d",
				len(stuck), len(m.abandoned)-replaced, m.maxAbandon, replaced, want)
		}
		m.settle()
	}
}

// heldCount is the number of stuck handlers whose worker was not replaced.
func (m *model) heldCount() int {
	n := 0
	for _, id := range m.running {
		if m.jobs[id].phase == held {
			n++
		}
	}
	return n
}

// stats is what Stats must report while the pool is quiet.
func (m *model) stats() workerpool.Stats {
	var s workerpool.Stats
	for _, j := range m.jobs {
		if j.phase == refused {
			continue
		}
		s.Submitted++
		if !j.hasOutcome() {
			if j.phase == queued {
				s.Queued++
			} else {
				s.Running++
			}
			continue
		}
		switch j.outcome {
		case workerpool.Succeeded:
			s.Succeeded++
		case workerpool.Failed:
			s.Failed++
		case workerpool.Panicked:
			s.Panicked++
		case workerpool.TimedOut:
			s.TimedOut++
		case workerpool.Canceled:
			s.Canceled++
		case workerpool.Dropped:
			s.Dropped++
		}
	}
	return s
}
