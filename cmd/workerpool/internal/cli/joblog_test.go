package cli

import (
	"os"
	"strings"
	"testing"
)

func TestJoblogAndResume(t *testing.T) {
	t.Parallel()
	log := t.TempDir() + "/jobs.log"
	run := func(extra ...string) result {
		args := append([]string{"run", "-j", "1", "--joblog", log}, extra...)
		args = append(args, "--", "sh", "-c", `echo ran {}; [ {} != b ]`, ":::", "a", "b", "c")
		return runCLI(t, "", args...)
	}
	r := run()
	if r.code != 1 || r.stdout != "ran a\nran b\nran c\n" {
		t.Fatalf("first run: %+v", r)
	}
	lines := readLines(t, log)
	if len(lines) != 4 || lines[0]+"\n" != joblogHeader {
		t.Fatalf("joblog %q: want a header and three entries", lines)
	}
	for i, want := range []struct{ seq, exit string }{{"1", "0"}, {"2", "1"}, {"3", "0"}} {
		f := strings.Split(lines[i+1], "\t")
		if len(f) != 9 || f[0] != want.seq || f[1] != ":" || f[6] != want.exit || f[7] != "0" || f[4] != "0" || f[5] != "6" {
			t.Errorf("entry %d = %q; want Seq %s, Host :, Send 0, Receive 6, Exitval %s, Signal 0", i+1, f, want.seq, want.exit)
		}
		if !strings.HasPrefix(f[8], "sh -c ") {
			t.Errorf("entry %d command = %q", i+1, f[8])
		}
	}

	if r := run("--resume-failed"); r.code != 1 || r.stdout != "ran b\n" {
		t.Errorf("--resume-failed: %+v; want only b to run again", r)
	}
	if r := run("--resume"); r.code != 0 || r.stdout != "" {
		t.Errorf("--resume: %+v; want nothing to run", r)
	}
	if lines := readLines(t, log); len(lines) != 5 {
		t.Errorf("joblog after resuming has %d lines; want 5 (one header, four entries)", len(lines))
	}
}

func TestResumeAfterInterruptedLog(t *testing.T) {
	t.Parallel()
	log := t.TempDir() + "/jobs.log"
	// A joblog whose last line was cut short by a crash.
	writeFile(t, log, joblogHeader+"1\t:\t1.000\t     0.001\t0\t0\t0\t0\techo a\n2\t:\t1.0")
	r := runCLI(t, "", "run", "-k", "--joblog", log, "--resume", "--", "echo", ":::", "a", "b", "c")
	if r.code != 0 || r.stdout != "b\nc\n" {
		t.Errorf("got %+v; want b and c to run", r)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}
