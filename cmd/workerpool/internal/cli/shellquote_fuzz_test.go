package cli

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// FuzzShellQuote checks --shell quoting with a real sh as the oracle,
// running the argv the command builds for --shell (runner.command). For
// any input (but a NUL, which no argument can hold):
//
//  1. sh reads the input, substituted for {}, back as exactly one word with
//     exactly its bytes;
//  2. a command line expanded for --shell (the template's placeholders
//     quoted, shell-inert literal text around them) gives sh the same
//     words as the expansion without a shell gives exec;
//  3. the input at the start of a command line is a command word: sh
//     parses "{} --version" as a simple command (sh -n parses and never
//     runs it).
//
// Only the template's literal text is filtered (to bytes ShellQuote leaves
// bare): literal text is the user's shell syntax, not an input.
func FuzzShellQuote(f *testing.F) {
	for _, s := range nasty {
		f.Add(s, "x{}y {/} {//}:{.} {/.} {#}", int64(1))
	}
	f.Add("if", "{} --version", int64(2))
	f.Add("a,b", "no placeholder", int64(3))
	f.Add("", "{}{}", int64(-1))
	f.Fuzz(func(t *testing.T, input, tmpl string, seq int64) {
		if strings.IndexByte(input, 0) >= 0 {
			t.Skip("an argument cannot hold a NUL byte")
		}
		command := append([]string{"printf", `'%s\0'`, "{}"}, strings.Fields(inertTemplate(tmpl))...)
		want := ParseTemplate(command).Expand(input, seq, nil)[2:] // the words printf prints
		argv := shellCommand(command, input, seq)
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil {
			t.Fatalf("%q: %v", argv, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if !slices.Equal(got, want) {
			t.Fatalf("%q: sh read the words %q; want %q", argv, got, want)
		}

		argv = shellCommand([]string{"{}", "--version"}, input, seq)
		argv = append([]string{argv[0], "-n"}, argv[1:]...) // parse only
		var stderr bytes.Buffer
		parse := exec.Command(argv[0], argv[1:]...)
		parse.Stderr = &stderr
		if err := parse.Run(); err != nil {
			t.Fatalf("%q (input %q as a command): %v: %s", argv, input, err, stderr.Bytes())
		}
	})
}

// shellCommand is the argv the command runs for one job with --shell.
func shellCommand(command []string, input string, seq int64) []string {
	r := &runner{o: &Options{Shell: true, Command: command}, tmpl: ParseTemplate(command)}
	return r.command(input, seq)
}

// TestShellInputAsCommand: with --shell, an input in command position is
// a command name, whatever it is. ShellQuote left "if" bare, which sh read
// as a keyword (a syntax error), and a command line that began with "-n"
// was read by sh -c as its own options ("Illegal option -"). Found by
// FuzzShellQuote. Now both are commands that sh does not find: 127.
func TestShellInputAsCommand(t *testing.T) {
	t.Parallel()
	inputs := []string{"if", "then", "done", "-n", "-", "--version"}
	r := runCLI(t, "", append([]string{"run", "--json", "--shell", "--", "{} --version", ":::"}, inputs...)...)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	seen := 0
	for dec.More() {
		var j struct {
			Input    string `json:"input"`
			ExitCode int    `json:"exit_code"`
			Stderr   string `json:"stderr"`
		}
		if err := dec.Decode(&j); err != nil {
			t.Fatalf("--json output %q: %v", r.stdout, err)
		}
		seen++
		if j.ExitCode != 127 {
			t.Errorf("input %q as a command: exit code %d (%q); want 127, command not found", j.Input, j.ExitCode, j.Stderr)
		}
	}
	if seen != len(inputs) {
		t.Fatalf("%d jobs reported; want %d (%+v)", seen, len(inputs), r)
	}
}

// inertTemplate keeps the placeholders, spaces and the bytes ShellQuote
// leaves bare, and drops every other byte.
func inertTemplate(tmpl string) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		matched := false
		for _, p := range placeholders {
			if strings.HasPrefix(tmpl[i:], p.token) {
				b.WriteString(p.token)
				i += len(p.token)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if c := tmpl[i]; c == ' ' || isShellSafe(tmpl[i:i+1]) {
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}
