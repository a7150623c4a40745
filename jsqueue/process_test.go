package jsqueue_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool/jsqueue"
	"github.com/workerpool/workerpool/jsqueue/jsserver"
)

// The test binary re-executed with helperRoleEnv set runs one role instead
// of the tests, and blocks until it is killed:
//
//	engine: an engine on $JSQ_DIR and $JSQ_PORT; prints "ready".
//	worker: takes one job from the queue at $JSQ_URL; prints "took N ATTEMPT".
const (
	helperRoleEnv = "JSQ_HELPER_ROLE"
	helperDirEnv  = "JSQ_DIR"
	helperPortEnv = "JSQ_PORT"
	helperURLEnv  = "JSQ_URL"
)

func runHelper(role string) int {
	var err error
	switch role {
	case "engine":
		err = runEngine()
	case "worker":
		err = runWorker()
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	fmt.Fprintf(os.Stderr, "helper %s: %v\n", role, err)
	return 2
}

func runEngine() error {
	port, err := strconv.Atoi(os.Getenv(helperPortEnv))
	if err != nil {
		return err
	}
	srv, err := jsserver.Start(jsserver.Options{Dir: os.Getenv(helperDirEnv), Port: port})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	srv.WaitForShutdown() // until SIGKILL
	return nil
}

func runWorker() error {
	nc, err := nats.Connect(os.Getenv(helperURLEnv))
	if err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	q, err := jsqueue.New[job](ctx, js, redeliveryConfig(), nil)
	if err != nil {
		return err
	}
	d, err := q.Take(ctx)
	if err != nil {
		return err
	}
	// Hold the lease: keep it alive with heartbeats, as a busy worker
	// would, until the parent kills this process.
	fmt.Printf("took %d %d\n", d.Job().N, d.Attempt())
	for range time.Tick(q.LeaseInterval()) {
		if err := d.Extend(context.Background()); err != nil {
			return err
		}
	}
	return nil
}

// helper is a running helper process.
type helper struct {
	cmd    *exec.Cmd
	lines  chan string // its stdout, closed at EOF
	stderr bytes.Buffer
}

// spawn re-executes the test binary in role with env, and kills it (if
// still running) and reaps it when the test ends.
func spawn(t *testing.T, role string, env ...string) *helper {
	t.Helper()
	h := &helper{cmd: exec.Command(os.Args[0], "-test.run=^$"), lines: make(chan string, 16)}
	h.cmd.Env = append(append(os.Environ(), helperRoleEnv+"="+role), env...)
	h.cmd.Stderr = &h.stderr
	out, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatalf("start helper %s: %v", role, err)
	}
	go func() { // ends at EOF, when the process has exited
		defer close(h.lines)
		for sc := bufio.NewScanner(out); sc.Scan(); {
			h.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { h.kill(t) })
	return h
}

// line waits for the next line the helper prints.
func (h *helper) line(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-h.lines:
		if !ok {
			t.Fatalf("helper exited without output; stderr: %s", h.stderr.String())
		}
		return l
	case <-time.After(waitFor):
		t.Fatalf("helper printed nothing within %v; stderr: %s", waitFor, h.stderr.String())
		return ""
	}
}

// kill SIGKILLs the helper and reaps it; a second call does nothing.
func (h *helper) kill(t *testing.T) {
	t.Helper()
	if h.cmd.ProcessState != nil {
		return
	}
	if err := h.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill helper: %v", err)
	}
	for range h.lines { // drain to EOF before Wait closes the pipe
	}
	_ = h.cmd.Wait() // "signal: killed"
}

// Test 5 of DISTRIBUTED.md: a worker process SIGKILLed while it holds a
// job. The job is delivered again to a surviving worker, as attempt 2, once
// the dead worker's lease runs out; nothing is lost.
func TestWorkerProcessKilled(t *testing.T) {
	t.Parallel()
	b := setup(t, redeliveryConfig())
	mustPut(t, b.q, 1)

	w := spawn(t, "worker", helperURLEnv+"="+b.srv.ClientURL())
	if got := w.line(t); got != "took 0 1" {
		t.Fatalf("worker printed %q; want %q", got, "took 0 1")
	}
	if st := stats(t, b.q); st.AckPending != 1 {
		t.Errorf("Stats().AckPending = %d while the worker holds the job; want 1", st.AckPending)
	}
	w.kill(t)

	d := mustTake(t, b.q)
	if d.Job().N != 0 || d.Attempt() != 2 {
		t.Errorf("Take() after the kill = job %d attempt %d; want job 0 attempt 2", d.Job().N, d.Attempt())
	}
	mustAck(t, d)
	requireDrained(t, b.q)
	if strings.Contains(w.stderr.String(), "helper") {
		t.Errorf("worker failed before the kill: %s", w.stderr.String())
	}
}
