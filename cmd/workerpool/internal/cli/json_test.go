package cli

import (
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "run", "-k", "--json", "--timeout", "5s", "--", "sh", "-c", `echo out; echo err >&2; kill -{} $$`, ":::", "0", "TERM")
	recs := decodeJSON(t, r.stdout)
	if r.code != 1 || len(recs) != 2 {
		t.Fatalf("got %+v; want two records and one failure", r)
	}
	ok, killed := recs[0], recs[1]
	if ok.Seq != 1 || ok.Input != "0" || ok.ExitCode != 0 || ok.Signal != "" || ok.Attempts != 1 ||
		ok.Outcome != "succeeded" || ok.Stdout != "out\n" || ok.Stderr != "err\n" || ok.Duration <= 0 || ok.Start == "" {
		t.Errorf("record 1 = %+v", ok)
	}
	if killed.Seq != 2 || killed.ExitCode != -1 || killed.Signal != "SIGTERM" || killed.Outcome != "failed" ||
		killed.Error != "killed by SIGTERM" {
		t.Errorf("record 2 = %+v", killed)
	}
	if !strings.Contains(r.stdout, `"command":"sh -c 'echo out; echo err >&2; kill -0 $$'"`) {
		t.Errorf("command not shown as a sh command line: %s", r.stdout)
	}
}

func TestJSONKeepsNonUTF8Bytes(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "caf\xe9\n", "run", "--json", "--", "printf", "%s")
	recs := decodeJSON(t, r.stdout)
	if len(recs) != 1 {
		t.Fatalf("got %+v", r)
	}
	rec := recs[0]
	if string(rec.InputBase64) != "caf\xe9" || string(rec.StdoutB64) != "caf\xe9" || rec.Input != "caf\uFFFD" {
		t.Errorf("record = %+v; want the exact bytes in the base64 fields", rec)
	}
}

func TestJSONTimedOut(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "run", "--json", "--timeout", "50ms", "--grace", "50ms", "--", "sleep", ":::", "60")
	recs := decodeJSON(t, r.stdout)
	if r.code != 1 || len(recs) != 1 || recs[0].Outcome != "timed out" || recs[0].Error != "timed out after 50ms" {
		t.Errorf("got %+v", r)
	}
}

func TestMissingCommandIsNotRetried(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "run", "--json", "--retries", "3", "--retry-delay", "1ms", "--", "no-such-command-xyzzy", ":::", "a")
	recs := decodeJSON(t, r.stdout)
	if r.code != 1 || len(recs) != 1 || recs[0].Attempts != 1 || recs[0].ExitCode != exitNotFound {
		t.Errorf("got %+v; want one attempt, exit code 127", r)
	}
}
