package cli

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestTimeoutStopsTheWholeProcessGroup(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, script string }{
		{"leader obeys SIGTERM", `sleep 60 & echo $! > {}; wait`},
		{"leader ignores SIGTERM", `trap "" TERM; sleep 60 & echo $! > {}; wait`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pidFile := t.TempDir() + "/pid"
			r := runCLI(t, "", "run", "--timeout", "100ms", "--grace", "100ms", "--shell", "--", tt.script, ":::", pidFile)
			if r.code != 1 || !strings.Contains(r.stderr, "timed out after 100ms") {
				t.Errorf("got %+v; want exit 1 and a timeout message", r)
			}
			requireGone(t, readPID(t, pidFile))
		})
	}
}

func TestNothingOutlivesASuccessfulJob(t *testing.T) {
	t.Parallel()
	// The job succeeds at once but leaves a child in the background that
	// holds no pipe of ours.
	r := runCLI(t, "", "run", "--shell", "--", ": {}; sleep 60 >/dev/null 2>&1 & echo $!", ":::", "a")
	if r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	requireGone(t, pid)
}

func TestBackgroundChildHoldingOutputDoesNotHang(t *testing.T) {
	t.Parallel()
	// The background child keeps stdout open; the job ends with its
	// command, output up to then is kept, and the child is killed.
	r := runCLI(t, "", "run", "--grace", "50ms", "--shell", "--", "echo {}; sleep 60 & echo $!", ":::", "a")
	lines := strings.Fields(r.stdout)
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("got %+v; want exit 0 and two lines", r)
	}
	pid, _ := strconv.Atoi(lines[1])
	requireGone(t, pid)
}

func TestRetries(t *testing.T) {
	t.Parallel()
	// Each attempt adds a line to a file; the job succeeds on the third.
	script := `echo x >> {}; test "$(wc -l < {})" -ge 3`
	tests := []struct {
		retries  string
		wantCode int
		wantRuns int
	}{
		{"2", 0, 3},
		{"1", 1, 2},
		{"0", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.retries, func(t *testing.T) {
			t.Parallel()
			f := t.TempDir() + "/count"
			r := runCLI(t, "", "run", "--json", "--retries", tt.retries, "--retry-delay", "1ms", "--shell", "--", script, ":::", f)
			if r.code != tt.wantCode {
				t.Errorf("exit code = %d; want %d (%+v)", r.code, tt.wantCode, r)
			}
			b, _ := os.ReadFile(f)
			if n := strings.Count(string(b), "\n"); n != tt.wantRuns {
				t.Errorf("the command ran %d times; want %d", n, tt.wantRuns)
			}
			rec := decodeJSON(t, r.stdout)[0]
			if rec.Attempts != tt.wantRuns {
				t.Errorf("attempts = %d; want %d", rec.Attempts, tt.wantRuns)
			}
		})
	}
}

func TestRetriesTimeOutEachAttempt(t *testing.T) {
	t.Parallel()
	f := t.TempDir() + "/count"
	// The first attempt hangs and times out; the second succeeds at once.
	script := `echo x >> {}; [ "$(wc -l < {})" -ge 2 ] || exec sleep 60`
	r := runCLI(t, "", "run", "--timeout", "100ms", "--grace", "50ms", "--retries", "1", "--retry-delay", "1ms", "--shell", "--", script, ":::", f)
	if r.code != 0 {
		t.Errorf("got %+v; want success on the second attempt", r)
	}
}

func TestHaltSoonStartsNoMoreJobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gate, release := lockGate(t, dir)
	var errs watchWriter
	halted := errs.when("--halt soon")
	// Job 1 fails at once; the others wait at the gate, so that at most
	// two of them can have started before the halt.
	args := []string{"run", "-j", "2", "--halt", "soon", "--json", "--shell", "--",
		`[ {} = 1 ] && exit 1; flock -s ` + gate + ` true`, ":::", "1", "2", "3", "4", "5", "6"}
	var out safeBuffer
	done := startRun(t, args, Env{Stdout: &out, Stderr: &errs})
	await(t, halted, "the --halt message")
	release()
	var code int
	await(t, recv(done, &code), "the run to end")
	recs := decodeJSON(t, out.String())
	if code != 1 || len(recs) > 3 {
		t.Errorf("exit %d, %d jobs ran; want exit 1 and at most 3 jobs (stderr %q)", code, len(recs), errs.String())
	}
	for _, rec := range recs[1:] {
		if rec.Outcome != "succeeded" {
			t.Errorf("job %d: outcome %q; want running jobs to finish", rec.Seq, rec.Outcome)
		}
	}
}

func TestHaltNowStopsRunningJobs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ready := mkfifo(t, dir, "ready")
	goOn := mkfifo(t, dir, "go")
	var errs watchWriter
	// Job 2 tells us its pid, lets job 1 go on and sleeps; job 1 fails.
	args := []string{"run", "-j", "2", "--halt", "now", "--grace", "5s", "--shell", "--",
		`if [ {} = 1 ]; then cat ` + goOn + `; exit 1; fi; echo $$ > ` + ready + `; echo > ` + goOn + `; exec sleep 60`, ":::", "1", "2"}
	done := startRun(t, args, Env{Stderr: &errs})
	pid := readPID(t, ready)
	var code int
	await(t, recv(done, &code), "the run to end")
	requireGone(t, pid)
	if code != 2 || !strings.Contains(errs.String(), "stopped (--halt now") {
		t.Errorf("exit %d, stderr %q; want 2 failed jobs, the sleeper stopped", code, errs.String())
	}
}

func TestSignals(t *testing.T) {
	t.Parallel()
	t.Run("first lets running jobs finish", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		gate, release := lockGate(t, dir)
		mkfifo(t, dir, "ready.1")
		mkfifo(t, dir, "ready.2")
		sigs := make(chan os.Signal, 3)
		var out safeBuffer
		var errs watchWriter
		args := []string{"run", "-j", "2", "-k", "--shell", "--",
			`echo $$ > ` + dir + `/ready.{}; flock -s ` + gate + ` echo done {}`, ":::", "1", "2", "3", "4"}
		done := startRun(t, args, Env{Stdout: &out, Stderr: &errs, Signals: sigs})
		readPID(t, dir+"/ready.1")
		readPID(t, dir+"/ready.2")
		stopped := errs.when("starting no more jobs")
		sigs <- syscall.SIGINT
		await(t, stopped, "the first interrupt's message")
		release()
		var code int
		await(t, recv(done, &code), "the run to end")
		if code != ExitInterrupted || out.String() != "done 1\ndone 2\n" {
			t.Errorf("exit %d, stdout %q; want 130 and the two running jobs done", code, out.String())
		}
		if !strings.Contains(errs.String(), "waiting for 2 running (interrupt again to stop them)") {
			t.Errorf("stderr %q does not say how to force", errs.String())
		}
	})
	for _, n := range []int{2, 3} {
		t.Run("signal "+strconv.Itoa(n)+" stops running jobs", func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mkfifo(t, dir, "ready.1")
			// After two signals the grace is long and SIGTERM ignored, so
			// only the third signal's SIGKILL ends the job.
			script, grace := `echo $$ > `+dir+`/ready.{}; exec sleep 60`, "5s"
			if n == 3 {
				script, grace = `trap "" TERM; echo $$ > `+dir+`/ready.{}; exec sleep 60`, "1h"
			}
			sigs := make(chan os.Signal, 3)
			var errs watchWriter
			args := []string{"run", "-j", "1", "--grace", grace, "--shell", "--", script, ":::", "1", "2"}
			done := startRun(t, args, Env{Stderr: &errs, Signals: sigs})
			pid := readPID(t, dir+"/ready.1")
			for i, msg := range []string{"starting no more jobs", "stopping 1 running jobs", "killing 1 running jobs now"}[:n] {
				seen := errs.when(msg)
				sigs <- syscall.SIGTERM
				await(t, seen, "message "+strconv.Itoa(i+1))
			}
			var code int
			await(t, recv(done, &code), "the run to end")
			requireGone(t, pid)
			if code != 128+int(syscall.SIGTERM) || !strings.Contains(errs.String(), "stopped (interrupted)") {
				t.Errorf("exit %d, stderr %q; want 143 and the job stopped", code, errs.String())
			}
		})
	}
}

func TestKillAllReachesGroupsAddedLater(t *testing.T) {
	t.Parallel()
	// A job can run before its group is recorded; a third interrupt that
	// comes in between must still kill it.
	var g groupTable
	g.killAll()
	res := runProcess(context.Background(), procSpec{Argv: []string{"sleep", "60"}, Groups: &g})
	if res.Signal != syscall.SIGKILL {
		t.Errorf("runProcess = %+v; want the command killed by SIGKILL", res)
	}
}

func TestInterruptWhileReadingStdin(t *testing.T) {
	t.Parallel()
	// A producer that has written one job and then nothing: the first
	// interrupt must still end the run.
	pr, pw := io.Pipe()
	defer pw.Close() // lets the blocked reader go once the test is done
	sigs := make(chan os.Signal, 1)
	var out safeBuffer
	var errs watchWriter
	done := startRun(t, []string{"run", "--", "echo"}, Env{Stdin: pr, Stdout: &out, Stderr: &errs, Signals: sigs})
	if _, err := pw.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	stopped := errs.when("starting no more jobs")
	sigs <- syscall.SIGINT
	await(t, stopped, "the interrupt's message")
	var code int
	await(t, recv(done, &code), "the run to end")
	if code != ExitInterrupted {
		t.Errorf("exit code = %d; want %d", code, ExitInterrupted)
	}
}
