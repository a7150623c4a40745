package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Halt says what to do when a job fails (--halt).
type Halt uint8

// The --halt policies.
const (
	HaltNever Halt = iota // run every job (the default)
	HaltSoon              // start no more jobs; let running ones finish
	HaltNow               // start no more jobs; terminate running ones
)

// Options is a parsed `workerpool run` command line.
type Options struct {
	Jobs         int           // -j, --jobs: jobs at once, ≥ 1
	Input        string        // --input, -a: job-list file; "" or "-" = stdin
	Null         bool          // -0, --null: records end with NUL, not newline
	Args         []string      // the inputs after :::, when ArgsGiven
	ArgsGiven    bool          // ::: was on the command line
	Timeout      time.Duration // --timeout: per attempt; 0 = none
	Grace        time.Duration // --grace: SIGTERM → SIGKILL
	Retries      int           // --retries: extra attempts after a failure
	RetryDelay   time.Duration // --retry-delay: backoff base
	KeepOrder    bool          // -k, --keep-order
	Halt         Halt          // --halt
	Joblog       string        // --joblog
	Resume       bool          // --resume: skip jobs the joblog records
	ResumeFailed bool          // --resume-failed: skip only the succeeded ones
	JSON         bool          // --json
	DryRun       bool          // --dry-run
	LineBuffer   bool          // --line-buffer
	Shell        bool          // --shell
	NoProgress   bool          // --no-progress
	Command      []string      // COMMAND [ARGS...], with placeholders
}

// Defaults of the flags that have one.
const (
	DefaultGrace      = 2 * time.Second
	DefaultRetryDelay = 100 * time.Millisecond
	// MaxRetryDelay caps the backoff between attempts.
	MaxRetryDelay = 30 * time.Second
)

// ErrUsage marks a command line that cannot run; Main exits 2 for it.
var ErrUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, a...)...)
}

const runUsage = `usage: workerpool run [flags] [--] COMMAND [ARGS...] [::: INPUT...]

Runs COMMAND once per job, several at a time. Jobs are the lines of standard
input, of --input FILE, or the words after :::. In ARGS, {} is the input,
{#} the job number, {.} the input without extension, {/} its base name,
{//} its directory and {/.} its base name without extension; with none of
them the input is added as a last argument. COMMAND runs without a shell
unless --shell is given.

Exit status: 0 if every job succeeded, else the number of failed jobs (at
most 101); 2 for a usage error; 128+n after signal n (130 for Ctrl-C).

flags:
`

// jFlag matches GNU-style -j4, which the flag package would not take.
var jFlag = regexp.MustCompile(`^-j[0-9]+$`)

// runFlags holds the flag values of `workerpool run` (and of `workerpool
// worker`, which shares them) that need converting after parsing.
type runFlags struct {
	halt, timeout string
}

// defineRunFlags defines the flags of `workerpool run` on fs, storing into o.
func defineRunFlags(fs *flag.FlagSet, o *Options) *runFlags {
	rf := &runFlags{}
	fs.IntVar(&o.Jobs, "j", runtime.NumCPU(), "run `N` jobs at once (default: number of CPUs)")
	fs.IntVar(&o.Jobs, "jobs", runtime.NumCPU(), "same as -j")
	fs.StringVar(&o.Input, "input", "", "read jobs from `FILE` instead of standard input")
	fs.StringVar(&o.Input, "a", "", "same as --input")
	fs.BoolVar(&o.Null, "0", false, "jobs are separated by NUL bytes, not newlines")
	fs.BoolVar(&o.Null, "null", false, "same as -0")
	fs.StringVar(&rf.timeout, "timeout", "", "stop a job after `DUR` (e.g. 30s, 1m; a plain number is seconds): SIGTERM to its process group, SIGKILL after --grace")
	fs.DurationVar(&o.Grace, "grace", DefaultGrace, "time between SIGTERM and SIGKILL when a job is stopped")
	fs.IntVar(&o.Retries, "retries", 0, "run a failed job up to `N` more times")
	fs.DurationVar(&o.RetryDelay, "retry-delay", DefaultRetryDelay, "base of the exponential backoff (with full jitter) between attempts")
	fs.BoolVar(&o.KeepOrder, "keep-order", false, "write job output in input order")
	fs.BoolVar(&o.KeepOrder, "k", false, "same as --keep-order")
	fs.StringVar(&rf.halt, "halt", "never", "on the first failure: `now` (kill running jobs), soon (let them finish) or never")
	fs.StringVar(&o.Joblog, "joblog", "", "record each finished job in `FILE` (GNU parallel's format)")
	fs.BoolVar(&o.Resume, "resume", false, "skip the jobs that --joblog records as finished")
	fs.BoolVar(&o.ResumeFailed, "resume-failed", false, "skip the jobs that --joblog records as succeeded; run the rest")
	fs.BoolVar(&o.JSON, "json", false, "write one JSON object per job on standard output")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the commands instead of running them")
	fs.BoolVar(&o.LineBuffer, "line-buffer", false, "write output lines as they come, each prefixed with [job number]")
	fs.BoolVar(&o.Shell, "shell", false, "run the command with sh -c; inputs are quoted so the shell never re-parses them")
	fs.BoolVar(&o.NoProgress, "no-progress", false, "no progress bar, even on a terminal")
	return rf
}

// newFlagSet returns a flag set that reports to stderr with the given usage
// text in front of the flags.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs, after turning GNU-style -j4 into -j=4.
// Usage errors wrap ErrUsage; flag.ErrHelp comes back for -h.
func parseFlags(fs *flag.FlagSet, args []string) error {
	for i, a := range args {
		if a == "--" || a == ":::" {
			break
		}
		if jFlag.MatchString(a) {
			args[i] = "-j=" + a[2:]
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return flagError{fmt.Errorf("%w: %v", ErrUsage, err)} // flag has printed it
	}
	return nil
}

// finish converts the flag values that need it into o.
func (rf *runFlags) finish(o *Options) error {
	var err error
	if o.Halt, err = parseHalt(rf.halt); err != nil {
		return err
	}
	o.Timeout, err = parseTimeout(rf.timeout)
	return err
}

// parseRun parses the arguments of `workerpool run`. Usage errors wrap
// ErrUsage; flag.ErrHelp comes back for -h.
func parseRun(args []string, stderr io.Writer) (*Options, error) {
	o := &Options{}
	fs := newFlagSet("workerpool run", runUsage, stderr)
	rf := defineRunFlags(fs, o)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	for i, a := range rest {
		if a == ":::" {
			o.ArgsGiven = true
			o.Args = rest[i+1:]
			rest = rest[:i]
			break
		}
	}
	o.Command = rest
	if err := rf.finish(o); err != nil {
		return nil, err
	}
	return o, o.validate()
}

func parseHalt(s string) (Halt, error) {
	switch s {
	case "never", "":
		return HaltNever, nil
	case "soon", "soon,fail=1":
		return HaltSoon, nil
	case "now", "now,fail=1":
		return HaltNow, nil
	}
	return 0, usageErr("--halt %q: want now, soon or never", s)
}

// parseTimeout takes a Go duration ("90s", "1m30s") or, as GNU parallel
// does, a plain number of seconds ("1.5").
func parseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != f || f > 1e9 {
			return 0, usageErr("--timeout %q: want a duration such as 30s or 1m, or a number of seconds", s)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d < 0 {
		return 0, usageErr("--timeout %q: must not be negative", s)
	}
	return d, nil
}

func (o *Options) validate() error {
	switch {
	case len(o.Command) == 0:
		return usageErr("no command given: workerpool run [flags] -- COMMAND [ARGS...]")
	case o.Jobs < 1:
		return usageErr("-j %d: must be at least 1", o.Jobs)
	case o.Retries < 0:
		return usageErr("--retries %d: must not be negative", o.Retries)
	case o.Grace < 0:
		return usageErr("--grace %v: must not be negative", o.Grace)
	case o.RetryDelay < 0:
		return usageErr("--retry-delay %v: must not be negative", o.RetryDelay)
	case (o.Resume || o.ResumeFailed) && o.Joblog == "":
		return usageErr("--resume needs --joblog FILE")
	case o.Resume && o.ResumeFailed:
		return usageErr("--resume and --resume-failed cannot be used together")
	case o.LineBuffer && o.KeepOrder:
		return usageErr("--line-buffer and --keep-order cannot be used together")
	case o.LineBuffer && o.JSON:
		return usageErr("--line-buffer and --json cannot be used together")
	case o.ArgsGiven && o.Input != "":
		return usageErr("--input and ::: cannot be used together")
	}
	for _, a := range o.Args {
		if a == ":::" {
			return usageErr("only one ::: list is supported")
		}
	}
	if strings.TrimSpace(o.Command[0]) == "" {
		return usageErr("the command is empty")
	}
	return nil
}
