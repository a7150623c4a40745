package cli

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// handler returns the pool's handler for the options.
func (r *runner) handler() func(context.Context, *job) error {
	if r.o.Retries > 0 {
		return r.withRetries(r.attempt)
	}
	return r.attempt
}

// poolTimeout is the pool's per-job timeout: --timeout, unless retries are
// made inside the handler, which then times each attempt itself.
func (r *runner) poolTimeout() time.Duration {
	if r.o.Retries > 0 {
		return 0
	}
	return r.o.Timeout
}

// attempt runs the job's command once. It returns nil when the command
// exits 0; otherwise an error that wraps the context's cause when the
// context stopped it, so that the pool counts it timed out or canceled.
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
	case j.res.Err != nil:
		return j.res.Err
	case j.res.Signal != 0:
		return fmt.Errorf("killed by %s", unix.SignalName(j.res.Signal))
	case j.res.ExitCode != 0:
		return fmt.Errorf("exit status %d", j.res.ExitCode)
	}
	return nil
}
