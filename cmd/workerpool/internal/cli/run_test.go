package cli

import (
	"context"
	"strings"
	"testing"
)

func TestRunArgs(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "run", "-j", "2", "-k", "--", "echo", "x", ":::", "a", "b c", "d")
	if r.code != 0 || r.stdout != "x a\nx b c\nx d\n" || r.stderr != "" {
		t.Fatalf("got %+v; want exit 0 and three lines", r)
	}
}

func TestRunStdinAndInputFile(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "one\n\ntwo", "run", "-k", "-j4", "echo", "{#}:{}")
	if r.code != 0 || r.stdout != "1:one\n2:two\n" {
		t.Fatalf("stdin: got %+v", r)
	}
	dir := t.TempDir()
	writeFile(t, dir+"/list", "a\x00b c\x00")
	r = runCLI(t, "", "run", "-k", "-0", "--input", dir+"/list", "--", "echo", "[{}]")
	if r.code != 0 || r.stdout != "[a]\n[b c]\n" {
		t.Fatalf("--input -0: got %+v", r)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	many := make([]string, 0, 110)
	for range 103 {
		many = append(many, "x")
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"all succeed", []string{"run", "--", "true", ":::", "a", "b"}, 0},
		{"failures are counted", []string{"run", "--", "sh", "-c", "exit {}", ":::", "0", "1", "3", "0", "255"}, 3},
		{"capped at 101", append([]string{"run", "-j", "4", "--", "false", ":::"}, many...), MaxFailedExit},
		{"missing command fails its jobs", []string{"run", "--", "no-such-command-xyzzy", ":::", "a", "b"}, 2},
		{"empty ::: list", []string{"run", "--", "false", ":::"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if r := runCLI(t, "", tt.args...); r.code != tt.want {
				t.Errorf("exit code = %d; want %d (stderr %q)", r.code, tt.want, r.stderr)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		message string
	}{
		{nil, "usage: workerpool"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run"}, "no command given"},
		{[]string{"run", "--bogus", "echo"}, "flag provided but not defined: -bogus"},
		{[]string{"run", "-j", "0", "echo"}, "-j 0: must be at least 1"},
		{[]string{"run", "-j", "many", "echo"}, `invalid value "many"`},
		{[]string{"run", "--timeout", "soon", "echo"}, `--timeout "soon"`},
		{[]string{"run", "--timeout", "-1s", "echo"}, "must not be negative"},
		{[]string{"run", "--halt", "later", "echo"}, `--halt "later": want now, soon or never`},
		{[]string{"run", "--retries", "-1", "echo"}, "--retries -1"},
		{[]string{"run", "--resume", "echo"}, "--resume needs --joblog"},
		{[]string{"run", "--line-buffer", "-k", "echo"}, "cannot be used together"},
		{[]string{"run", "--line-buffer", "--json", "echo"}, "cannot be used together"},
		{[]string{"run", "--input", "f", "echo", ":::", "a"}, "--input and ::: cannot"},
		{[]string{"run", "echo", ":::", "a", ":::", "b"}, "only one ::: list"},
		{[]string{"run", "--input", "/nonexistent/list", "echo"}, "no such file"},
		{[]string{"run", "--joblog", "/nonexistent/dir/log", "echo", ":::", "a"}, "--joblog"},
	}
	for _, tt := range tests {
		r := runCLI(t, "", tt.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, tt.message) {
			t.Errorf("workerpool %q: exit %d, stderr %q; want exit 2 and %q", tt.args, r.code, r.stderr, tt.message)
		}
	}
	if r := runCLI(t, "", "run", "-h"); r.code != 0 || !strings.Contains(r.stderr, "-keep-order") {
		t.Errorf("run -h: exit %d, stderr %q; want exit 0 and the flags", r.code, r.stderr)
	}
}

func TestEmptyInput(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "\n\n", "\n"} {
		if r := runCLI(t, in, "run", "--", "false"); r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Errorf("input %q: got %+v; want exit 0 and nothing run", in, r)
		}
	}
}

func TestLongLineIsReportedOthersRun(t *testing.T) {
	t.Parallel()
	in := "a\n" + strings.Repeat("x", MaxRecordSize+1) + "\nb\n"
	r := runCLI(t, in, "run", "-k", "--", "echo")
	if r.stdout != "a\nb\n" {
		t.Errorf("stdout = %q; want the other jobs' output", r.stdout)
	}
	if r.code != 1 || !strings.Contains(r.stderr, "line 2") || !strings.Contains(r.stderr, "longer than 1 MiB") {
		t.Errorf("exit %d, stderr %q; want 1 and the line number", r.code, r.stderr)
	}
}

func TestNonUTF8PassesThrough(t *testing.T) {
	t.Parallel()
	in := "\xff\xfe caf\xe9\n"
	r := runCLI(t, in, "run", "--", "printf", "%s|", "{}", "{/}")
	if want := "\xff\xfe caf\xe9|\xff\xfe caf\xe9|"; r.code != 0 || r.stdout != want {
		t.Errorf("got %+v; want stdout %q", r, want)
	}
}

func TestMissingCommandIsAFailedJob(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "run", "--", "no-such-command-xyzzy", ":::", "a")
	if r.code != 1 || !strings.Contains(r.stderr, `"no-such-command-xyzzy": executable file not found`) {
		t.Errorf("got %+v; want exit 1 and a clear error", r)
	}
	r = runCLI(t, "", "run", "--", "{}", ":::", "true", "./no/such/file")
	if r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("placeholder command: got %+v; want one failure", r)
	}
}

func TestNULInLineFailsThatJob(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "a\x00b\nc\n", "run", "--", "echo")
	if r.code != 1 || r.stdout != "c\n" || !strings.Contains(r.stderr, "NUL byte") {
		t.Errorf("got %+v; want one failure naming the NUL byte", r)
	}
}

func TestShellQuotesInputs(t *testing.T) {
	t.Parallel()
	args := append([]string{"run", "-k", "--shell", "--", `printf '%s\0' {}`, ":::"}, nasty...)
	r := runCLI(t, "", args...)
	if r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	got := strings.Split(strings.TrimSuffix(r.stdout, "\x00"), "\x00")
	if len(got) != len(nasty) {
		t.Fatalf("got %d outputs %q; want %d", len(got), got, len(nasty))
	}
	for i := range nasty {
		if got[i] != nasty[i] {
			t.Errorf("input %q came through as %q", nasty[i], got[i])
		}
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "my file.txt\nit's\n", "run", "--dry-run", "--", "gzip", "-k")
	if want := "gzip -k 'my file.txt'\ngzip -k 'it'\\''s'\n"; r.code != 0 || r.stdout != want {
		t.Errorf("got %+v; want %q", r, want)
	}
	r = runCLI(t, "", "run", "--dry-run", "--shell", "--", "wc -c < {} > {}.n", ":::", "$(x).txt")
	if want := "wc -c < '$(x).txt' > '$(x).txt'.n\n"; r.code != 0 || r.stdout != want {
		t.Errorf("--shell: got %+v; want %q", r, want)
	}
}

func TestBrokenStdoutStops(t *testing.T) {
	t.Parallel()
	var errs watchWriter
	code := Run(context.Background(), []string{"run", "-j", "1", "--", "echo", ":::", "a", "b", "c"},
		Env{Stdout: failWriter{}, Stderr: &errs})
	if code == 0 || !strings.Contains(errs.String(), "cannot write output") {
		t.Errorf("exit %d, stderr %q; want a failure that says why", code, errs.String())
	}
}

func TestCanceledContextStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := Main(ctx, []string{"run", "--", "true", ":::", "a"}, nil, nil, nil); code != ExitInterrupted {
		t.Errorf("exit code = %d; want %d", code, ExitInterrupted)
	}
}
