package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

const submitUsage = `usage: workerpool submit --nats URL --queue NAME [flags] [::: INPUT...]

Puts one job per input on the queue NAME, for workerpool worker to run.
Inputs are read as workerpool run reads them: the lines of standard input
(or of --input FILE, -0 for NUL-separated), or the words after :::. Each
job is numbered from 1 in input order; {#} in the worker's command is that
number. submit returns once the engine has stored every job durably.

With --id, each job's ID is the SHA-256 of its input: the engine stores an
input once within its duplicate window (2 minutes), so running the same
submit again, or a list that repeats a line, does not queue it twice.

Exit status: 0 when every job was stored; 1 when the engine cannot be
reached, or refused a job (the jobs before it are stored), or a line was
too long (the others are stored); 2 for a usage error; 130 after Ctrl-C.

flags:
`

// submitOptions is a parsed `workerpool submit` command line.
type submitOptions struct {
	list Options // Input, Null, Args, ArgsGiven: the job list
	dist distFlags
	id   bool
}

// parseSubmit parses the arguments of `workerpool submit`.
func parseSubmit(args []string, stderr io.Writer) (*submitOptions, error) {
	s := &submitOptions{}
	fs := newFlagSet("workerpool submit", submitUsage, stderr)
	fs.StringVar(&s.list.Input, "input", "", "read jobs from `FILE` instead of standard input")
	fs.StringVar(&s.list.Input, "a", "", "same as --input")
	fs.BoolVar(&s.list.Null, "0", false, "jobs are separated by NUL bytes, not newlines")
	fs.BoolVar(&s.list.Null, "null", false, "same as -0")
	fs.BoolVar(&s.id, "id", false, "make each job idempotent: its ID is the SHA-256 of its input")
	s.dist.define(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	switch {
	case len(rest) > 0 && rest[0] == ":::":
		s.list.ArgsGiven, s.list.Args = true, rest[1:]
	case len(rest) > 0:
		return nil, usageErr("unexpected argument %q: submit takes no command (the worker does)", rest[0])
	}
	if s.list.ArgsGiven && s.list.Input != "" {
		return nil, usageErr("--input and ::: cannot be used together")
	}
	return s, s.dist.validate()
}

// JobID is the ID `workerpool submit --id` gives the job for input: the
// hex SHA-256 of the input's bytes.
func JobID(input string) string {
	sum := sha256.Sum256([]byte(input))
	return hex.EncodeToString(sum[:])
}

// runSubmit puts every job of the list on the queue.
func runSubmit(ctx context.Context, s *submitOptions, env Env) int {
	list, err := openSource(&s.list, env.Stdin)
	if err != nil {
		fmt.Fprintf(env.Stderr, "workerpool submit: %v\n", err)
		return ExitUsage
	}
	defer list.close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopWatch := watchInterrupt(env.Signals, cancel)
	defer stopWatch()

	q, nc, err := openQueue(ctx, &s.dist, "workerpool submit", QueueConfig(s.dist.Queue), jobCodec{})
	if err != nil {
		fmt.Fprintf(env.Stderr, "workerpool submit: %v\n", err)
		return submitExit(ctx, 1)
	}
	defer nc.Close()
	defer q.Close()

	recs, quit := readAhead(list.src)
	defer close(quit)
	var seq, stored int64
	code := 0
	for {
		var rr readResult
		select {
		case rr = <-recs:
		case <-ctx.Done():
			fmt.Fprintf(env.Stderr, "workerpool submit: interrupted; %d jobs submitted\n", stored)
			return ExitInterrupted
		}
		if rr.err == io.EOF {
			break
		}
		if rr.err != nil {
			fmt.Fprintf(env.Stderr, "workerpool submit: reading jobs: %v\n", rr.err)
			code = 1
			break
		}
		seq++
		if rr.rec.Err != nil {
			fmt.Fprintf(env.Stderr, "workerpool submit: job %d: %v\n", seq, rr.rec.Err)
			code = 1
			continue
		}
		if err := s.put(ctx, q, &job{seq: seq, input: rr.rec.Value}); err != nil {
			fmt.Fprintf(env.Stderr, "workerpool submit: job %d (%q): %v; %d jobs submitted before it\n", seq, rr.rec.Value, err, stored)
			return submitExit(ctx, 1)
		}
		stored++
	}
	fmt.Fprintf(env.Stderr, "workerpool submit: %d jobs submitted to queue %q\n", stored, s.dist.Queue)
	return code
}

// put stores one job, waiting at most --nats-timeout for the engine.
func (s *submitOptions) put(ctx context.Context, q interface {
	PutWithID(context.Context, string, *job) error
}, j *job) error {
	ctx, cancel := context.WithTimeout(ctx, s.dist.Timeout)
	defer cancel()
	id := ""
	if s.id {
		id = JobID(j.input)
	}
	return q.PutWithID(ctx, id, j) // no ID: a plain put
}

// submitExit is code, or ExitInterrupted when an interrupt ended ctx.
func submitExit(ctx context.Context, code int) int {
	if context.Cause(ctx) == errInterrupted {
		return ExitInterrupted
	}
	return code
}
