package cli

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit codes a job gets when its command never ran, as POSIX shells report
// them.
const (
	exitNotFound  = 127 // the command does not exist
	exitCannotRun = 126 // it exists but could not be started
)

// errNUL is the error of a job whose command line would hold a NUL byte,
// which no argument of a process can.
var errNUL = errors.New("the command line contains a NUL byte (use -0 for NUL-separated input)")

// startError is the error of a command that could not be started: it does
// not exist, cannot be executed, or its arguments hold a NUL byte. Trying
// again would not help.
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// procResult is what one run of a command gave.
type procResult struct {
	Start    time.Time // zero when the command was never started
	Duration time.Duration
	// ExitCode is the command's exit status; -1 when a signal killed it;
	// 127 or 126 when it could not be started (see Err).
	ExitCode int
	// Signal is the signal that killed the command, or 0.
	Signal syscall.Signal
	// Err is nil when the command ran and exited by itself, whatever its
	// exit status. Otherwise it says why not: it could not start, or its
	// context ended (then Err is context.Cause of it).
	Err error
}

// procSpec says how to run one command.
type procSpec struct {
	Argv []string
	// Path is the resolved executable, or "" to look Argv[0] up in $PATH.
	Path           string
	Stdout, Stderr io.Writer
	// Stdin is the command's standard input; nil means /dev/null.
	Stdin *os.File
	// Grace is how long a process group has between SIGTERM and SIGKILL
	// once ctx ends, and how long output pipes may stay open after the
	// command itself exits.
	Grace time.Duration
	// Groups, when not nil, records the process group while it runs.
	Groups *groupTable
}

// runProcess runs one command in a process group of its own and waits for it.
//
// When ctx ends first, the whole group gets SIGTERM, then SIGKILL after
// spec.Grace. Whatever happened, once the command has exited the whole group
// gets SIGKILL, so that nothing it started outlives the job: a job is done
// when its command is, and background processes it left are not waited for.
// Output pipes held open by such processes are closed after spec.Grace.
//
// The command's standard input is spec.Stdin, /dev/null by default.
func runProcess(ctx context.Context, spec procSpec) procResult {
	if err := ctx.Err(); err != nil { // never started: Start stays zero
		return procResult{ExitCode: -1, Err: context.Cause(ctx)}
	}
	for _, a := range spec.Argv {
		if strings.IndexByte(a, 0) >= 0 {
			return procResult{Start: time.Now(), ExitCode: exitCannotRun, Err: &startError{errNUL}}
		}
	}
	res := procResult{Start: time.Now()}
	name := spec.Path
	if name == "" {
		name = spec.Argv[0]
	}
	cmd := exec.CommandContext(ctx, name, spec.Argv[1:]...)
	cmd.Args[0] = spec.Argv[0]
	if spec.Stdin != nil {
		cmd.Stdin = spec.Stdin
	}
	cmd.Stdout = spec.Stdout
	cmd.Stderr = spec.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = spec.Grace

	if err := cmd.Start(); err != nil {
		res.ExitCode = exitCannotRun
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			res.ExitCode = exitNotFound
		}
		res.Err = &startError{err}
		res.Duration = time.Since(res.Start)
		return res
	}
	pgid := cmd.Process.Pid // Setpgid: the group is named after its leader
	if spec.Groups != nil {
		spec.Groups.add(pgid)
	}
	err := cmd.Wait()
	res.Duration = time.Since(res.Start)
	// The leader is gone; the group may not be. Its id cannot be reused
	// while any member lives, so this reaches only what the job started.
	_ = signalGroup(pgid, syscall.SIGKILL)
	if spec.Groups != nil {
		spec.Groups.remove(pgid)
	}

	if cmd.ProcessState == nil { // wait(2) itself failed
		res.ExitCode = -1
		res.Err = err
		return res
	}
	if st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && st.Signaled() {
		res.ExitCode = -1
		res.Signal = st.Signal()
	} else {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	switch {
	case ctx.Err() != nil:
		res.Err = context.Cause(ctx)
	case err != nil && !isExitError(err) && !errors.Is(err, exec.ErrWaitDelay):
		res.Err = err // e.g. writing the output failed
	}
	return res
}

func isExitError(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}

// signalGroup sends sig to every process of the group pgid. A group that no
// longer exists is not an error.
func signalGroup(pgid int, sig syscall.Signal) error {
	err := syscall.Kill(-pgid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// groupTable is the set of process groups of running jobs, so that a third
// interrupt can kill them all at once. It is safe for concurrent use.
type groupTable struct {
	mu     sync.Mutex
	groups map[int]struct{}
	killed bool // killAll was called: every group added from now on is killed
}

// add records a group. A job's command can run (and tell the world) before
// runProcess has recorded its group, so a killAll that came first kills it
// here.
func (t *groupTable) add(pgid int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.killed {
		_ = signalGroup(pgid, syscall.SIGKILL)
	}
	if t.groups == nil {
		t.groups = make(map[int]struct{})
	}
	t.groups[pgid] = struct{}{}
}

func (t *groupTable) remove(pgid int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.groups, pgid)
}

// killAll sends SIGKILL to every recorded group, and to every group
// recorded later.
func (t *groupTable) killAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.killed = true
	for pgid := range t.groups {
		_ = signalGroup(pgid, syscall.SIGKILL)
	}
}
