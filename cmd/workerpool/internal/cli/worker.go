package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/workerpool/workerpool"
)

const workerUsage = `usage: workerpool worker --nats URL --queue NAME [flags] [--] COMMAND [ARGS...]

Runs COMMAND once per job of the queue NAME, -j at a time, as workerpool run
does for a job list: the same placeholders ({#} is the number submit gave
the job), timeouts, retries, output, --json and --joblog. Any number of
workers, on any machines, can share one queue; each job runs once (at least
once if a worker dies while running it). A failed job is retried through the
queue (on any worker) and, once out of attempts, moved to the queue's
dead-letter stream.

Runs until interrupted: the first SIGINT or SIGTERM stops taking jobs and
lets the running ones finish; the second stops them and hands them back to
the queue at once, for another worker; the third kills them.

Exit status: 128+n after signal n (130 for Ctrl-C); 1 if the engine cannot be
reached; 2 for a usage error; after --halt, the number of failed jobs.

flags:
`

// workerOptions is a parsed `workerpool worker` command line.
type workerOptions struct {
	Options
	dist distFlags
}

// notForWorker are the run flags that make no sense for jobs that come from
// a queue.
var notForWorker = map[string]string{
	"input": "jobs come from the queue", "a": "jobs come from the queue",
	"0": "jobs come from the queue", "null": "jobs come from the queue",
	"k": "jobs come from many producers in no order", "keep-order": "jobs come from many producers in no order",
	"resume": "the queue remembers what is done", "resume-failed": "the queue remembers what is done",
	"dry-run": "it would take jobs from the queue",
}

// parseWorker parses the arguments of `workerpool worker`.
func parseWorker(args []string, stderr io.Writer) (*workerOptions, error) {
	w := &workerOptions{}
	fs := newFlagSet("workerpool worker", workerUsage, stderr)
	rf := defineRunFlags(fs, &w.Options)
	w.dist.define(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if why, ok := notForWorker[f.Name]; ok && bad == nil {
			bad = usageErr("-%s does not apply to workerpool worker: %s", f.Name, why)
		}
	})
	if bad != nil {
		return nil, bad
	}
	w.Command = fs.Args()
	for _, a := range w.Command {
		if a == ":::" {
			return nil, usageErr("::: does not apply to workerpool worker: jobs come from the queue (use workerpool submit)")
		}
	}
	if err := rf.finish(&w.Options); err != nil {
		return nil, err
	}
	if err := w.validate(); err != nil {
		return nil, err
	}
	return w, w.dist.validate()
}

// workerMaxDeliver is how many deliveries of one job the worker's queue
// allows: the attempts of --retries, and spare ones for jobs handed back by
// a stopping worker or left behind by a crashed one (each delivery counts).
// A job delivered more often is dead-lettered.
func workerMaxDeliver(retries int) int { return retries + 1 + 3 }

// runWorker runs the jobs of the queue until a signal or ctx stops it.
func runWorker(ctx context.Context, w *workerOptions, env Env) int {
	r := newRunner(&w.Options, env)
	r.tokenPerResult = true
	if w.Joblog != "" {
		var err error
		if r.jl, err = openJoblog(w.Joblog, false); err != nil {
			fmt.Fprintf(env.Stderr, "workerpool worker: --joblog: %v\n", err)
			return ExitUsage
		}
		defer r.jl.Close()
	}
	logger := slog.New(slog.NewTextHandler(stderrWriter{r.term}, nil))
	cfg := QueueConfig(w.dist.Queue)
	cfg.MaxDeliver = workerMaxDeliver(w.Retries)
	cfg.Logger = logger
	q, nc, err := openQueue(ctx, &w.dist, "workerpool worker", cfg, jobCodec{command: r.command})
	if err != nil {
		fmt.Fprintf(env.Stderr, "workerpool worker: %v\n", err)
		return 1
	}
	defer nc.Close()
	defer q.Close()
	fmt.Fprintf(env.Stderr, "workerpool worker: running jobs of queue %q from %s, %d at a time; interrupt to stop\n",
		w.dist.Queue, nc.ConnectedUrlRedacted(), w.Jobs)

	newPool := func(hook workerpool.Option) (*workerpool.Pool[*job], error) {
		return workerpool.NewWithQueue[*job](attemptQueue{q}, r.attempt,
			append(r.poolOptions(), hook, workerpool.WithLogger(logger))...)
	}
	unknown := func() int64 { return -1 }
	return r.execute(ctx, unknown, newPool, func(*workerpool.Pool[*job]) {
		<-r.intake.Done() // the pool takes jobs from the queue until then
	})
}

// stderrWriter writes to the terminal's stderr under its lock, so that log
// lines never cut into job output.
type stderrWriter struct{ t *terminal }

func (w stderrWriter) Write(p []byte) (int, error) {
	if err := w.t.write(nil, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
