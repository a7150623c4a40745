package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestKeepOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := mkfifo(t, dir, "second-done")
	// Job 1 cannot end before job 2 has exited: it waits for the end of a
	// pipe that job 2 holds open until it exits.
	script := `if [ {} = 1 ]; then cat ` + fifo + `; else exec 3>` + fifo + `; fi; echo job {}`
	r := runCLI(t, "", "run", "-j", "2", "-k", "--shell", "--", script, ":::", "1", "2")
	if r.code != 0 || r.stdout != "job 1\njob 2\n" {
		t.Errorf("got %+v; want job 1's output first", r)
	}
}

func TestGroupedOutputIsNotInterleaved(t *testing.T) {
	t.Parallel()
	// Each job writes its lines in several writes; grouped, they stay
	// together.
	script := `for i in 1 2 3 4 5; do echo {}-$i; done`
	args := []string{"run", "-j", "4", "--shell", "--", script, ":::", "a", "b", "c", "d", "e", "f", "g", "h"}
	r := runCLI(t, "", args...)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 40 {
		t.Fatalf("got %+v", r)
	}
	for i := 0; i < len(lines); i += 5 {
		job := lines[i][:1]
		for k := range 5 {
			if want := job + "-" + string(rune('1'+k)); lines[i+k] != want {
				t.Fatalf("line %d = %q; want %q: output interleaved:\n%s", i+k, lines[i+k], want, r.stdout)
			}
		}
	}
}

func TestLineBuffer(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "run", "--line-buffer", "--shell", "--", "echo out {}; echo err {} >&2; printf tail", ":::", "a")
	if r.code != 0 || r.stdout != "[1] out a\n[1] tail\n" || r.stderr != "[1] err a\n" {
		t.Errorf("got %+v; want prefixed lines, the unterminated one completed", r)
	}
}

func TestLineWriterSplitsWrites(t *testing.T) {
	t.Parallel()
	var out, errs bytes.Buffer
	term := &terminal{stdout: &out, stderr: &errs}
	w := newLineWriter(term, 12, false)
	for _, p := range []string{"ab", "c\nde", "f\n\ng", ""} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	_ = w.Close()
	if want := "[12] abc\n[12] def\n[12] \n[12] g\n"; out.String() != want || errs.Len() != 0 {
		t.Errorf("stdout %q; want %q", out.String(), want)
	}
}

func TestProgressDrawsCountsAndFailures(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newProgress(&buf, -1, 0)
	p.add(false)
	p.setTotal(3)
	p.add(true)
	p.add(false)
	if s := buf.String(); !strings.Contains(s, "1/-") || !strings.Contains(s, "2/3") || !strings.Contains(s, "1 failed") {
		t.Errorf("progress output %q lacks the count or the failures", s)
	}
	p.finish()
	var nilBar *progress // off: every method is a no-op
	nilBar.add(true)
	nilBar.setTotal(1)
	nilBar.clear()
	nilBar.finish()
}

func TestNoProgressWithoutTerminal(t *testing.T) {
	t.Parallel()
	if wantProgress(&bytes.Buffer{}, &Options{}) {
		t.Error("wantProgress(buffer) = true; want false")
	}
}

func TestCaptureFallback(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := capture{buf: &buf} // as when memfd_create is not available
	_, _ = c.writer().Write([]byte("out"))
	if n := c.collect(); n != 3 || buf.String() != "out" {
		t.Errorf("collect() = %d, buffer %q; want 3, %q", n, buf.String(), "out")
	}
}

func TestJobStdinIsEmpty(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "a\n", "run", "--shell", "--", "cat; echo {}")
	if r.code != 0 || r.stdout != "a\n" {
		t.Errorf("got %+v; want the job to read nothing from stdin", r)
	}
}
