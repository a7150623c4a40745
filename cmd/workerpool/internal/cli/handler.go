package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/workerpool/workerpool"
	"golang.org/x/sys/unix"
)

// poolOptions are the pool's options for a run or a worker, whatever its
// queue: --jobs workers, --timeout per attempt and --retries through the
// pool's retry policy, whose waits hold no worker.
func (r *runner) poolOptions() []workerpool.Option {
	opts := []workerpool.Option{
		workerpool.WithWorkers(r.o.Jobs),
		workerpool.WithJobTimeout(r.o.Timeout),
		workerpool.WithContext(r.kill),
	}
	if r.o.Retries > 0 {
		base := max(r.o.RetryDelay, time.Nanosecond) // the policy needs > 0; 0 means at once
		opts = append(opts, workerpool.WithRetry(workerpool.RetryPolicy{
			MaxAttempts: r.o.Retries + 1,
			BaseDelay:   base,
			MaxDelay:    max(MaxRetryDelay, base),
		}))
	}
	return opts
}

// attempt is the pool's handler: it runs the job's command once. It returns
// nil when the command exits 0; the context's cause when the context
// stopped it, so that the pool counts it timed out or canceled; an error
// marked workerpool.Permanent when the command could not start, so that
// it is not retried; otherwise an error that gives the exit status.
func (r *runner) attempt(ctx context.Context, j *job) error {
	j.attempts++
	r.running.Add(1)
	defer r.running.Add(-1)
	spec := procSpec{Argv: j.argv, Path: r.path, Stdin: r.devnull, Grace: r.o.Grace, Groups: &r.groups}
	if r.o.LineBuffer {
		out := newLineWriter(r.term, j.seq, false)
		errw := newLineWriter(r.term, j.seq, true)
		spec.Stdout, spec.Stderr = out, errw
		j.res = runProcess(ctx, spec)
		_ = out.Close()
		_ = errw.Close()
		j.received = out.n + errw.n
	} else {
		j.stdout.Reset()
		j.stderr.Reset()
		out, errs := newCapture("stdout", &j.stdout), newCapture("stderr", &j.stderr)
		spec.Stdout, spec.Stderr = out.writer(), errs.writer()
		j.res = runProcess(ctx, spec)
		j.received = out.collect() + errs.collect()
	}
	switch {
	case errors.As(j.res.Err, new(*startError)):
		return workerpool.Permanent(j.res.Err) // it will not start next time either
	case j.res.Err != nil:
		return j.res.Err
	case j.res.Signal != 0:
		return fmt.Errorf("killed by %s", unix.SignalName(j.res.Signal))
	case j.res.ExitCode != 0:
		return fmt.Errorf("exit status %d", j.res.ExitCode)
	}
	return nil
}
