package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/workerpool/workerpool"
)

// job is one run of the command. The feeder fills the first fields; the
// handler the rest; the collector reads them once the pool has handed the
// job's result over, which orders its reads after the handler's writes.
type job struct {
	seq   int64
	line  int64
	input string
	argv  []string

	res      procResult
	stdout   bytes.Buffer // of the last attempt; unused with --line-buffer
	stderr   bytes.Buffer
	attempts int
	received int64 // bytes of output of the last attempt
}

// Causes of the end of intake and of the running jobs' contexts, so that
// messages say why a job was stopped.
var (
	errInterrupted = errors.New("interrupted")
	errHalted      = errors.New("--halt now after a failure")
	errHaltSoon    = errors.New("--halt soon after a failure")
	errOutput      = errors.New("cannot write output")
	errCanceled    = errors.New("canceled")
)

// runner is one `workerpool run`. Goroutines: the caller feeds jobs into the
// pool; the pool's workers run handle; the pool's hook goroutine passes
// results to the collector goroutine, which alone writes grouped output,
// the joblog and the progress bar; a watcher goroutine counts signals. All
// of them have ended when run returns.
type runner struct {
	o    *Options
	env  Env
	tmpl Template
	path string // Command[0] resolved once, when it is literal

	term    *terminal
	devnull *os.File  // every job's stdin, opened once; nil: os/exec opens it
	bar     *progress // nil when off
	jl      *joblog   // nil without --joblog
	groups  groupTable

	// intake ends when no more jobs may start; kill (the pool's parent)
	// when running jobs must stop too. Each carries the reason as cause.
	intake     context.Context
	stopIntake context.CancelCauseFunc
	kill       context.Context
	stopAll    context.CancelCauseFunc

	// tokens bounds the jobs between the feeder and the writing of their
	// output: the feeder takes one per record, in input order, and the
	// collector gives it back once the record's output is written. So a
	// slow reader of our output slows the jobs down instead of filling
	// memory, and with --keep-order the oldest unwritten job always holds
	// a token and can finish.
	tokens chan struct{}
	events chan event
	// tokenPerResult: jobs come from elsewhere than the feeder (an external
	// queue), so the result hook takes each job's token instead.
	tokenPerResult bool

	running atomic.Int64 // commands running now, for messages

	mu     sync.Mutex
	signal os.Signal // the first signal received, if any; guarded by mu
}

// outputWindow is how many jobs may have finished, or be running, without
// their output having been written yet.
func outputWindow(jobs int) int { return max(256, 16*jobs) }

// runJobs runs the jobs of a parsed command line and returns the exit code.
func runJobs(ctx context.Context, o *Options, env Env) int {
	list, err := openSource(o, env.Stdin)
	if err != nil {
		fmt.Fprintf(env.Stderr, "workerpool run: %v\n", err)
		return ExitUsage
	}
	defer list.close()

	r := newRunner(o, env)
	if o.DryRun {
		return r.dryRun(list.src)
	}
	var skip map[int64]bool
	if o.Resume || o.ResumeFailed {
		if skip, err = resumeSet(o); err != nil {
			fmt.Fprintf(env.Stderr, "workerpool run: --resume: %v\n", err)
			return ExitUsage
		}
	}
	if o.Joblog != "" {
		if r.jl, err = openJoblog(o.Joblog, o.Resume || o.ResumeFailed); err != nil {
			fmt.Fprintf(env.Stderr, "workerpool run: --joblog: %v\n", err)
			return ExitUsage
		}
		defer r.jl.Close()
	}
	return r.run(ctx, list, skip)
}

func newRunner(o *Options, env Env) *runner {
	r := &runner{
		o:      o,
		env:    env,
		tmpl:   ParseTemplate(o.Command),
		term:   &terminal{stdout: env.Stdout, stderr: env.Stderr},
		tokens: make(chan struct{}, outputWindow(o.Jobs)),
		events: make(chan event, 64),
	}
	switch {
	case o.Shell:
		r.path, _ = exec.LookPath("sh")
	case r.tmpl.IsLiteral(0):
		// Looked up once instead of once per job. If it fails, each job
		// fails with the lookup's own error, as the issue asks.
		r.path, _ = exec.LookPath(o.Command[0])
	}
	return r
}

// command returns the argv of the job for input.
func (r *runner) command(input string, seq int64) []string {
	if !r.o.Shell {
		return r.tmpl.Expand(input, seq, nil)
	}
	script := strings.Join(r.tmpl.Expand(input, seq, ShellQuote), " ")
	// "--": a script that begins with "-" (an input such as "-n" in first
	// place) is the script, not options of sh.
	return []string{"sh", "-c", "--", script}
}

// display is how a job's command is shown in dry-run output and the joblog.
func (r *runner) display(argv []string) string {
	if r.o.Shell {
		return argv[3]
	}
	return ShellJoin(argv)
}

// run feeds every job of the list to a pool of its own and waits for all
// of them.
func (r *runner) run(ctx context.Context, list jobList, skip map[int64]bool) int {
	newPool := func(hook workerpool.Option) (*workerpool.Pool[*job], error) {
		// A hand-off queue, so that nothing waits in a queue when intake stops.
		return workerpool.New(r.attempt, append(r.poolOptions(), workerpool.WithQueueSize(0), hook)...)
	}
	return r.execute(ctx, list.total, newPool, func(pool *workerpool.Pool[*job]) {
		r.feed(pool, list.src, skip)
	})
}

// execute runs a pool made by newPool (given the result-hook option to add)
// with the collector and the signal watcher around it: feed submits jobs,
// or waits, until intake ends; then the pool is closed and everything is
// waited for. total counts the jobs for the progress bar (-1: not known).
func (r *runner) execute(ctx context.Context, total func() int64,
	newPool func(hook workerpool.Option) (*workerpool.Pool[*job], error),
	feed func(*workerpool.Pool[*job])) int {
	r.kill, r.stopAll = context.WithCancelCause(ctx)
	defer r.stopAll(errCanceled)
	r.intake, r.stopIntake = context.WithCancelCause(r.kill)
	defer r.stopIntake(errCanceled)

	if ctx.Err() != nil { // stopped before anything started
		return ExitInterrupted
	}
	if f, err := os.Open(os.DevNull); err == nil {
		r.devnull = f
		defer f.Close()
	}
	if wantProgress(r.env.Stderr, r.o) {
		r.bar = newProgress(r.env.Stderr, total(), progressThrottle)
		r.term.before = r.bar.clear
	}
	pool, err := newPool(workerpool.WithResultHook(func(res workerpool.Result[*job]) {
		if r.tokenPerResult {
			r.tokens <- struct{}{} // given back once the output is written
		}
		r.events <- event{kind: evResult, seq: res.Job.seq, fin: finished{
			job: res.Job, outcome: res.Outcome, err: res.Err,
			attempts: max(res.Attempts, res.Job.attempts),
		}}
	}))
	if err != nil { // every option was validated by the parser
		fmt.Fprintf(r.env.Stderr, "workerpool: %v\n", err)
		return ExitUsage
	}

	c := newCollector(r)
	collected := make(chan struct{})
	go func() { // ends when events is closed, below
		defer close(collected)
		c.loop()
	}()
	watchDone := make(chan struct{})
	watched := make(chan struct{})
	go func() { // ends when watchDone is closed, below
		defer close(watched)
		r.watchSignals(watchDone)
	}()

	feed(pool)
	_ = pool.Close() // runs to the end every job it accepted
	close(watchDone)
	<-watched
	close(r.events)
	<-collected
	r.lock(r.bar.finish)
	return r.exitCode(ctx, c)
}

// lock runs f with the terminal's lock held.
func (r *runner) lock(f func()) {
	r.term.mu.Lock()
	defer r.term.mu.Unlock()
	f()
}

// feed reads the job list and submits each job, until the list ends or
// intake stops. Every record gets a sequence number and a token; the
// collector hears of each one exactly once.
func (r *runner) feed(pool *workerpool.Pool[*job], src source, skip map[int64]bool) {
	var seq int64
	var stopped error // why the feeding stopped before the end
	defer func() { r.events <- event{kind: evTotal, seq: seq, err: stopped} }()
	recs, quit := readAhead(src)
	defer close(quit)
	for {
		var rr readResult
		select {
		case rr = <-recs:
		case <-r.intake.Done():
			stopped = context.Cause(r.intake)
			return
		}
		if rr.err == io.EOF {
			return
		}
		if rr.err != nil {
			r.events <- event{kind: evReadError, err: rr.err}
			stopped = rr.err
			return
		}
		select {
		case r.tokens <- struct{}{}:
		case <-r.intake.Done():
			stopped = context.Cause(r.intake)
			return
		}
		seq++
		switch rec := rr.rec; {
		case rec.Err != nil:
			r.events <- event{kind: evBadRecord, seq: seq, err: rec.Err}
		case skip[seq]:
			r.events <- event{kind: evSkipped, seq: seq}
		default:
			j := &job{seq: seq, line: rec.Line, input: rec.Value, argv: r.command(rec.Value, seq)}
			if err := pool.Submit(r.intake, j); err != nil {
				<-r.tokens
				seq--
				stopped = err
				return
			}
		}
	}
}

// readResult is one result of source.Next.
type readResult struct {
	rec Record
	err error
}

// readAhead reads src on a goroutine of its own, so that an interrupt stops
// intake even while a read of the job list is blocked (a producer that
// writes nothing, a terminal). Closing quit lets the goroutine go: it ends
// at the end of the list or, once quit is closed, when its current read
// returns. That read is the one thing a run may leave behind, until the
// input yields or the process exits.
func readAhead(src source) (<-chan readResult, chan<- struct{}) {
	recs := make(chan readResult)
	quit := make(chan struct{})
	go func() {
		for {
			rec, err := src.Next()
			select {
			case recs <- readResult{rec, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return recs, quit
}

// dryRun prints each job's command instead of running it.
func (r *runner) dryRun(src source) int {
	var seq int64
	var buf bytes.Buffer
	for {
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(r.env.Stderr, "workerpool run: reading jobs: %v\n", err)
			return 1
		}
		seq++
		if rec.Err != nil {
			fmt.Fprintf(r.env.Stderr, "workerpool run: job %d: %v\n", seq, rec.Err)
			continue
		}
		buf.Reset()
		buf.WriteString(r.display(r.command(rec.Value, seq)))
		buf.WriteByte('\n')
		if _, err := r.env.Stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(r.env.Stderr, "workerpool run: %v\n", err)
			return 1
		}
	}
	return 0
}

// resumeSet returns the job numbers --resume (every recorded job) or
// --resume-failed (the recorded successes) skips.
func resumeSet(o *Options) (map[int64]bool, error) {
	done, err := readJoblog(o.Joblog)
	if err != nil {
		return nil, err
	}
	skip := make(map[int64]bool, len(done))
	for seq, ok := range done {
		if ok || o.Resume {
			skip[seq] = true
		}
	}
	return skip, nil
}

// exitCode is the run's exit code: 128+n after signal n, 130 when ctx
// ended, else the number of failed jobs capped at MaxFailedExit, and at
// least 1 when output could not be written.
func (r *runner) exitCode(ctx context.Context, c *collector) int {
	r.mu.Lock()
	sig := r.signal
	r.mu.Unlock()
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	if sig != nil || ctx.Err() != nil {
		return ExitInterrupted
	}
	failed := c.failed
	if errors.Is(context.Cause(r.kill), errOutput) {
		failed = max(failed, 1) // output was lost, even if every job succeeded
	}
	return min(failed, MaxFailedExit)
}
