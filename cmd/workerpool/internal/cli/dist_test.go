package cli

import (
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Twenty jobs submitted to one queue are run by two worker commands, each
// exactly once, with the job numbers submit gave them; the stream ends
// empty. A first interrupt stops each worker with 130.
func TestWorkersRunEachJobOnce(t *testing.T) {
	t.Parallel()
	e := startEngine(t)
	const n = 20
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = "in" + strconv.Itoa(i+1)
	}
	e.submit(t, "twice", append([]string{":::"}, inputs...)...)

	out := newLineCounter(n)
	workers := []*worker{
		e.startWorker(t, "twice", out, "-j", "2", "--json", "--", "echo", "{#}", "{}"),
		e.startWorker(t, "twice", out, "-j", "2", "--json", "--", "echo", "{#}", "{}"),
	}
	await(t, out.lines(), "20 jobs to run")
	for i, w := range workers {
		if code := w.stop(t, 1); code != ExitInterrupted {
			t.Errorf("worker %d: exit %d; want %d (stderr %q)", i, code, ExitInterrupted, w.stderr)
		}
	}
	ran := map[string]int{}
	for _, rec := range decodeJSON(t, out.String()) {
		ran[rec.Input]++
		if rec.Outcome != "succeeded" || rec.Stdout != strconv.FormatInt(rec.Seq, 10)+" "+rec.Input+"\n" {
			t.Errorf("record %+v: want succeeded with stdout %q", rec, strconv.FormatInt(rec.Seq, 10)+" "+rec.Input+"\n")
		}
	}
	for _, in := range inputs {
		if ran[in] != 1 {
			t.Errorf("job %q ran %d times; want once", in, ran[in])
		}
	}
	if got := e.stored(t, "WP_twice"); got != 0 {
		t.Errorf("stream WP_twice holds %d jobs after all ran; want 0", got)
	}
}

// A failing command is retried through the queue, then reported failed
// with all its attempts and moved to the dead-letter stream.
func TestWorkerRetriesThenFails(t *testing.T) {
	t.Parallel()
	e := startEngine(t)
	e.submit(t, "failing", ":::", "x")
	out := newLineCounter(1)
	w := e.startWorker(t, "failing", out, "--retries", "2", "--retry-delay", "1ms", "--json", "--", "false")
	await(t, out.lines(), "the failed job's record")
	if code := w.stop(t, 1); code != ExitInterrupted {
		t.Errorf("exit %d; want %d", code, ExitInterrupted)
	}
	recs := decodeJSON(t, out.String())
	if len(recs) != 1 || recs[0].Outcome != "failed" || recs[0].Attempts != 3 || recs[0].ExitCode != 1 {
		t.Fatalf("records %+v; want one failed after 3 attempts with exit code 1", recs)
	}
	if !strings.Contains(w.stderr.String(), "1 of 1 jobs failed") {
		t.Errorf("stderr %q does not report the failure", w.stderr)
	}
	if work, dead := e.stored(t, "WP_failing"), e.stored(t, "WP_failing_DLQ"); work != 0 || dead != 1 {
		t.Errorf("work stream holds %d, dead letters %d; want 0 and 1", work, dead)
	}
}

// With --id, an input is stored once however often it is submitted within
// the duplicate window; without it, every submission is a job.
func TestSubmitIDDedups(t *testing.T) {
	t.Parallel()
	e := startEngine(t)
	res := runCLI(t, "a\na\nb\n", "submit", "--nats", e.url, "--queue", "ids", "--id")
	// Each line is a put; the engine stores the second "a" as a duplicate.
	if res.code != 0 || !strings.Contains(res.stderr, "3 jobs submitted") {
		t.Fatalf("submit --id: exit %d, stderr %q", res.code, res.stderr)
	}
	e.submit(t, "ids", "--id", ":::", "a", "b")
	if got := e.stored(t, "WP_ids"); got != 2 {
		t.Errorf("after submitting a, a, b, a, b with --id the stream holds %d jobs; want 2", got)
	}
	e.submit(t, "ids", ":::", "a")
	if got := e.stored(t, "WP_ids"); got != 3 {
		t.Errorf("after a submit without --id the stream holds %d jobs; want 3", got)
	}
}

// An engine that is not there, or that accepts the connection and never
// speaks, makes submit and worker fail with a clear message and exit 1
// within --nats-timeout, never hang.
func TestUnreachableEngine(t *testing.T) {
	t.Parallel()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // the kernel accepts; nobody answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "nats://" + closed.Addr().String()
	closed.Close() // nothing listens there now
	for _, url := range []string{closedURL, "nats://" + silent.Addr().String()} {
		for _, cmd := range [][]string{{"submit", "--queue", "q", ":::", "a"}, {"worker", "--queue", "q", "--", "true"}} {
			args := append([]string{cmd[0], "--nats", url, "--nats-timeout", "300ms"}, cmd[1:]...)
			start := time.Now()
			res := runCLI(t, "", args...)
			if res.code != 1 || !contains(res.stderr, "cannot reach the engine at "+url) {
				t.Errorf("%v: exit %d, stderr %q; want 1 and a message naming the URL", args, res.code, res.stderr)
			}
			if d := time.Since(start); d > 10*time.Second { // a guard against hanging, not a timing assertion
				t.Errorf("%v took %v", args, d)
			}
		}
	}
}

// A worker stopped by two interrupts while running a job hands it back to
// the queue at once; the job it never took stays there too; another worker
// then runs both.
func TestWorkerStopHandsJobBack(t *testing.T) {
	t.Parallel()
	e := startEngine(t)
	gate, release := lockGate(t, t.TempDir())
	e.submit(t, "handback", ":::", "a", "b")

	out := &watchWriter{}
	started := out.when("started")
	first := &worker{stderr: &watchWriter{}, sigs: make(chan os.Signal, 3)}
	script := "echo started {}; flock -s " + ShellQuote(gate) + " true"
	first.done = startRun(t, []string{"worker", "--nats", e.url, "--queue", "handback", "--no-progress",
		"-j", "1", "--line-buffer", "--shell", "--", script}, Env{Stdout: out, Stderr: first.stderr, Signals: first.sigs})
	await(t, started, "the first worker's job to start")
	stopping := first.stderr.when("starting no more jobs")
	first.sigs <- syscall.SIGINT
	await(t, stopping, "the first interrupt's message")
	if code := first.stop(t, 1); code != ExitInterrupted {
		t.Fatalf("first worker: exit %d; want %d (stderr %q)", code, ExitInterrupted, first.stderr)
	}
	if n := strings.Count(out.String(), "started"); n != 1 {
		t.Fatalf("the first worker started %d jobs; want 1 (output %q)", n, out)
	}
	release()

	// AckWait is 30s: only a hand-back lets the second worker run the job
	// within await's bound.
	rest := newLineCounter(2)
	second := e.startWorker(t, "handback", rest, "--json", "--shell", "--", script)
	select {
	case <-rest.lines():
	case <-time.After(20 * time.Second):
		t.Fatalf("the second worker ran %q; first worker's stderr %q; stream %d, dead letters %d",
			rest, first.stderr, e.stored(t, "WP_handback"), e.stored(t, "WP_handback_DLQ"))
	}
	second.stop(t, 1)
	attempts := map[string]int{}
	for _, rec := range decodeJSON(t, rest.String()) {
		attempts[rec.Input] = rec.Attempts
	}
	taken := strings.TrimSpace(strings.TrimPrefix(out.String(), "[1] started "))
	other := map[string]string{"a": "b", "b": "a"}[taken]
	if attempts[taken] != 2 || attempts[other] != 1 {
		t.Errorf("attempts %v; want %q (handed back) 2 and %q 1; first worker's stderr %q, second's %q",
			attempts, taken, other, first.stderr, second.stderr)
	}
}

// serve prints the URL clients use, serves submit, and stops with 0 on an
// interrupt.
func TestServe(t *testing.T) {
	t.Parallel()
	out, errs := &watchWriter{}, &watchWriter{}
	printed := out.when("\n")
	sigs := make(chan os.Signal, 1)
	done := startRun(t, []string{"serve", "--store", t.TempDir(), "--listen", "127.0.0.1:0"}, Env{Stdout: out, Stderr: errs, Signals: sigs})
	await(t, printed, "the URL")
	url := strings.TrimSpace(out.String())
	if res := runCLI(t, "", "submit", "--nats", url, "--queue", "s", ":::", "a"); res.code != 0 {
		t.Fatalf("submit to %s: exit %d, %q", url, res.code, res.stderr)
	}
	sigs <- syscall.SIGINT
	var code int
	await(t, recv(done, &code), "serve to stop")
	if code != 0 || !strings.Contains(errs.String(), "stopped") {
		t.Errorf("serve: exit %d, stderr %q; want 0 and a stop message", code, errs)
	}
}

func TestDistUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"submit", ":::", "a"},                               // no --queue
		{"submit", "--queue", "a.b", ":::", "a"},             // not a name
		{"submit", "--queue", "q", "echo"},                   // a command
		{"worker", "--queue", "q"},                           // no command
		{"worker", "--queue", "q", "-k", "--", "true"},       // no order across producers
		{"worker", "--queue", "q", "--", "true", ":::", "a"}, // jobs come from the queue
		{"serve"}, // no --store
		{"serve", "--store", "d", "--listen", "nowhere"}, // no port
	} {
		if res := runCLI(t, "", args...); res.code != ExitUsage || res.stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want %d and a message", args, res.code, res.stderr, ExitUsage)
		}
	}
}
