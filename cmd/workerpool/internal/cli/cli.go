// Package cli is the workerpool command: `workerpool run` runs a command once
// per job, several at a time, on a [workerpool.Pool], the way people use
// xargs -P, GNU parallel or rush. The main package only wires the process to
// [Run]; everything here is testable with plain readers, writers and a
// channel of signals.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes of Main and Run besides 0 (success) and the number of failed
// jobs.
const (
	// ExitUsage is the exit code of a command line that cannot run.
	ExitUsage = 2
	// MaxFailedExit caps the failed-job count used as the exit code, as GNU
	// parallel does, so that it stays clear of 126 and above.
	MaxFailedExit = 101
	// ExitInterrupted is the exit code after SIGINT (128 + 2). After another
	// signal n it is 128 + n.
	ExitInterrupted = 130
)

// Env is the outside world of one run of the command.
type Env struct {
	// Stdin is read for the job list when neither --input nor ::: is given.
	// Jobs themselves get /dev/null as standard input.
	Stdin io.Reader
	// Stdout receives the jobs' output; Stderr their error output, messages
	// and, when it is a terminal, the progress bar.
	Stdout, Stderr io.Writer
	// Signals, when not nil, delivers SIGINT and SIGTERM. The first stops
	// intake and lets running jobs finish; the second terminates the running
	// jobs' process groups (SIGTERM, then SIGKILL after --grace); the third
	// kills them at once. The exit code is then 128 + the first signal's
	// number.
	Signals <-chan os.Signal
}

// Main runs the workerpool command with args (without the program name) and
// returns its exit code. It is [Run] without a signal channel: ending ctx
// stops the run as two interrupts would.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return Run(ctx, args, Env{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

const usage = `usage: workerpool <command> [arguments]

commands:
  run     run a command once per job, in parallel (workerpool run -h for more)
  serve   run a durable job queue engine (NATS JetStream) on this machine
  submit  put jobs on a queue of that engine
  worker  run a command once per job of a queue; any number of workers share it
  help    show this text
`

// Run runs the workerpool command with args (without the program name) and
// returns its exit code: 0 when every job succeeded, the number of failed
// jobs (at most [MaxFailedExit]) otherwise, [ExitUsage] for a usage error
// and 128 + n after signal n. Ending ctx stops the run as two interrupts
// would: no more jobs start, running ones are terminated. Run returns only
// when every process it started has exited.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Stdin == nil {
		env.Stdin = eofReader{}
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "run":
		return parseThen(args, env, parseRun, func(o *Options) int { return runJobs(ctx, o, env) })
	case "serve":
		return parseThen(args, env, parseServe, func(o *serveOptions) int { return runServe(ctx, o, env) })
	case "submit":
		return parseThen(args, env, parseSubmit, func(o *submitOptions) int { return runSubmit(ctx, o, env) })
	case "worker":
		return parseThen(args, env, parseWorker, func(o *workerOptions) int { return runWorker(ctx, o, env) })
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	fmt.Fprintf(env.Stderr, "workerpool: unknown command %q\n%s", args[0], usage)
	return ExitUsage
}

// parseThen parses the arguments of the command args[0] with parse and, if
// they are good, runs it; usage errors and -h end there.
func parseThen[O any](args []string, env Env, parse func([]string, io.Writer) (O, error), run func(O) int) int {
	o, err := parse(args[1:], env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		// The flag package has already explained its own errors.
		if !isFlagError(err) {
			fmt.Fprintf(env.Stderr, "workerpool %s: %v\n", args[0], stripUsage(err))
		}
		return ExitUsage
	}
	return run(o)
}

// flagError marks an error the flag package has already printed.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}

// stripUsage drops the "usage: " that ErrUsage puts in front of a message.
func stripUsage(err error) string {
	s := err.Error()
	const p = "usage: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
