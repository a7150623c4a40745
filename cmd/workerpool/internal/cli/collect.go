package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/workerpool/workerpool"
	"golang.org/x/sys/unix"
)

// eventKind says what an event tells the collector.
type eventKind uint8

const (
	evResult    eventKind = iota // a submitted job ended (fin)
	evSkipped                    // job seq is skipped by --resume
	evBadRecord                  // record seq cannot be a job (err)
	evReadError                  // reading the job list failed (err); no more records
	evTotal                      // the feeder is done after seq records
)

// event is what the feeder and the pool's result hook tell the collector.
type event struct {
	kind eventKind
	seq  int64
	fin  finished
	err  error
}

// finished is a submitted job as the pool reports it.
type finished struct {
	job      *job
	outcome  workerpool.Outcome
	err      error
	attempts int
}

// started reports whether the command was started at least once.
func (f finished) started() bool { return !f.job.res.Start.IsZero() }

// collector turns events into output, joblog lines, progress and the exit
// code. It runs on one goroutine, so it needs no lock of its own.
type collector struct {
	r          *runner
	failed     int  // jobs that failed, bad records, read errors
	ran        int  // jobs whose command was started
	bad        int  // records that could not be jobs
	cutShort   bool // intake stopped before the end of the job list
	notStarted int  // submitted, but stopped before they started
	skipped    int  // skipped by --resume
	halted     bool
	pending    map[int64]event // --keep-order: ended, waiting for next
	next       int64
}

func newCollector(r *runner) *collector {
	c := &collector{r: r, next: 1}
	if r.o.KeepOrder {
		c.pending = make(map[int64]event)
	}
	r.term.onError = func(err error) { // under the terminal lock
		r.stopAll(fmt.Errorf("%w: %w", errOutput, err))
	}
	return c
}

// loop handles every event until the events channel is closed, then
// writes the summary.
func (c *collector) loop() {
	for ev := range c.r.events {
		c.handle(ev)
	}
	for len(c.pending) > 0 { // only if a number never came; never lose output
		if ev, ok := c.pending[c.next]; ok {
			delete(c.pending, c.next)
			c.emit(ev)
		}
		c.next++
	}
	c.summary()
}

func (c *collector) handle(ev event) {
	switch ev.kind {
	case evTotal:
		c.cutShort = ev.err != nil
		if !c.cutShort {
			c.r.lock(func() { c.r.bar.setTotal(ev.seq) })
		}
		return
	case evReadError:
		c.failed++
		c.message(fmt.Sprintf("reading jobs: %v", ev.err))
		return
	case evResult:
		c.account(ev.fin)
	case evBadRecord:
		c.failed++
		c.bad++
		c.r.lock(func() { c.r.bar.add(true) })
		c.haltOnFailure(ev.seq)
	case evSkipped:
		c.skipped++
	}
	if c.pending == nil {
		c.emit(ev)
		return
	}
	c.pending[ev.seq] = ev
	for {
		next, ok := c.pending[c.next]
		if !ok {
			return
		}
		delete(c.pending, c.next)
		c.next++
		c.emit(next)
	}
}

// account counts a job as soon as it ends, in completion order: failures,
// --halt, the joblog and the progress bar do not wait for --keep-order.
func (c *collector) account(f finished) {
	if !f.started() && f.outcome != workerpool.Succeeded {
		c.notStarted++
		return
	}
	c.ran++
	failed := f.outcome != workerpool.Succeeded
	if c.r.jl != nil {
		j := f.job
		err := c.r.jl.write(joblogEntry{
			Seq: j.seq, Start: j.res.Start, Runtime: j.res.Duration, Received: j.received,
			ExitCode: j.res.ExitCode, Signal: int(j.res.Signal), Command: c.r.display(j.argv),
		})
		if err != nil {
			c.message(fmt.Sprintf("--joblog: %v", err))
			c.r.jl = nil // one message is enough; the jobs go on
		}
	}
	c.r.lock(func() { c.r.bar.add(failed) })
	if failed {
		c.failed++
		c.haltOnFailure(f.job.seq)
	}
}

// haltOnFailure applies --halt after the failure of job seq.
func (c *collector) haltOnFailure(seq int64) {
	if c.halted || c.r.o.Halt == HaltNever || c.r.intake.Err() != nil {
		return
	}
	c.halted = true
	if c.r.o.Halt == HaltNow {
		c.r.stopAll(errHalted)
		c.message(fmt.Sprintf("job %d failed; --halt now: stopping the running jobs, starting no more", seq))
		return
	}
	c.r.stopIntake(errHaltSoon)
	c.message(fmt.Sprintf("job %d failed; --halt soon: starting no more jobs, letting the running ones finish", seq))
}

// emit writes what the event has to show, then gives its token back.
func (c *collector) emit(ev event) {
	defer func() { <-c.r.tokens }()
	switch ev.kind {
	case evBadRecord:
		c.message(fmt.Sprintf("job %d: %v", ev.seq, ev.err))
	case evResult:
		c.output(ev.fin)
	}
}

// output writes a job's grouped output, or its JSON record, and the line
// that explains a failure beyond an exit code.
func (c *collector) output(f finished) {
	if !f.started() && f.outcome != workerpool.Succeeded {
		return // stopped before it started: nothing to show
	}
	j := f.job
	why := c.explain(f)
	if c.r.o.JSON {
		rec := jobRecord(f, c.r.display(j.argv), outcomeText(f), why)
		_ = c.r.term.write(marshalLine(rec), nil)
		return
	}
	errs := j.stderr.Bytes()
	if why != "" {
		errs = append(errs, fmt.Sprintf("workerpool: job %d (%q): %s\n", j.seq, j.input, why)...)
	}
	_ = c.r.term.write(j.stdout.Bytes(), errs)
}

// explain says why a job failed when its exit code does not: it could not
// start, timed out, was stopped or killed by a signal. It is "" otherwise.
func (c *collector) explain(f finished) string {
	j := f.job
	var why string
	switch {
	case f.outcome == workerpool.Panicked:
		why = fmt.Sprintf("internal error: %v", f.err)
	case errors.Is(j.res.Err, workerpool.ErrJobTimeout):
		why = fmt.Sprintf("timed out after %v", c.r.o.Timeout)
	case j.res.Err != nil && f.outcome == workerpool.Canceled:
		why = fmt.Sprintf("stopped (%v)", j.res.Err)
	case j.res.Err != nil:
		why = j.res.Err.Error()
	case j.res.Signal != 0:
		why = "killed by " + unix.SignalName(j.res.Signal)
	default:
		return ""
	}
	if f.attempts > 1 {
		why += fmt.Sprintf(" (after %d attempts)", f.attempts)
	}
	return why
}

// outcomeText is the outcome --json reports.
func outcomeText(f finished) string { return f.outcome.String() }

// message writes "workerpool: msg" on stderr.
func (c *collector) message(msg string) {
	_ = c.r.term.write(nil, []byte("workerpool: "+msg+"\n"))
}

// summary tells what did not go well, once everything has ended.
func (c *collector) summary() {
	if err := context.Cause(c.r.kill); errors.Is(err, errOutput) {
		c.message(fmt.Sprintf("stopped: %v", err))
	}
	if c.failed > 0 {
		c.message(fmt.Sprintf("%d of %d jobs failed", c.failed, c.ran+c.bad))
	}
	if (c.cutShort || c.notStarted > 0) && c.r.o.Joblog != "" {
		c.message("not every job ran: run the same command with --resume to run the rest")
	}
}
