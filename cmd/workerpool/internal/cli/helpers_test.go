package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// result is what one run of the command gave.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs `workerpool args...` with stdin and returns what it did.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errs bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errs)
	return result{code, out.String(), errs.String()}
}

// watchWriter is a stderr that tells, on a channel, when what was written
// to it contains a given text. It is safe for concurrent use.
type watchWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	watches []watch
}

type watch struct {
	text string
	seen chan struct{}
}

// when returns a channel that is closed once text has been written.
func (w *watchWriter) when(text string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.watches = append(w.watches, watch{text, ch})
	w.check()
	return ch
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	w.check()
	return len(p), nil
}

func (w *watchWriter) check() {
	kept := w.watches[:0]
	for _, wt := range w.watches {
		if strings.Contains(w.buf.String(), wt.text) {
			close(wt.seen)
		} else {
			kept = append(kept, wt)
		}
	}
	w.watches = kept
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// await fails the test if ch is not closed within a generous bound; it is a
// guard against a hang, not a timing assertion.
func await(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// mkfifo makes a named pipe in dir and returns its path.
func mkfifo(t *testing.T, dir, name string) string {
	t.Helper()
	p := dir + "/" + name
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// readPID returns the pid a job wrote to a file. When the file is a named
// pipe ("echo $$ > fifo"), it blocks until that job runs.
func readPID(t *testing.T, fifo string) int {
	t.Helper()
	b, err := os.ReadFile(fifo)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid from %s: %v", fifo, err)
	}
	return pid
}

// lockGate takes an exclusive flock on a new file and returns its path and
// the function that releases it. Jobs that run `flock -s PATH true` wait
// until then.
func lockGate(t *testing.T, dir string) (string, func()) {
	t.Helper()
	p := dir + "/gate"
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { _ = f.Close() }) }
	t.Cleanup(release)
	return p, release
}

// requireGone fails the test unless process pid ends (or has ended) within
// a bound. It waits on a pidfd, which becomes readable when the process
// exits, so no polling is involved.
func requireGone(t *testing.T, pid int) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err == unix.ESRCH {
		return // already gone and reaped
	}
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v", pid, err)
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 10_000)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatalf("poll pidfd: %v", err)
		}
		if n == 0 {
			t.Fatalf("process %d is still running: left behind", pid)
		}
		return
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// failWriter fails every write, as a stdout whose reader has gone does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// safeBuffer is a bytes.Buffer that is safe for concurrent use.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// recv returns a channel closed once a value from ch is stored in v.
func recv(ch <-chan int, v *int) <-chan struct{} {
	got := make(chan struct{})
	go func() {
		*v = <-ch
		close(got)
	}()
	return got
}

// decodeJSON decodes --json output.
func decodeJSON(t *testing.T, out string) []JobRecord {
	t.Helper()
	var recs []JobRecord
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var rec JobRecord
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("decoding %q: %v", out, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// startRun runs the command in the background and returns a channel that
// receives its exit code. If the test ends first (it failed), the run is
// stopped as by two interrupts and waited for, so that no job outlives it.
func startRun(t *testing.T, args []string, env Env) <-chan int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		done <- Run(ctx, args, env)
	}()
	t.Cleanup(func() {
		cancel()
		<-ended
	})
	return done
}
