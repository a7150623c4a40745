package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// nasty are inputs that a shell would re-parse if they were not quoted.
var nasty = []string{
	"plain", "", "with space", "two  spaces", "tab\there", "it's", `"double"`,
	"$(echo pwned)", "`echo pwned`", "$HOME", "${x:-y}", "a; echo pwned", "a && b || c",
	"line\nbreak", "trailing\n", "*", "?[a]", "~", "~root", "a|b", "<in >out 2>&1", "\\", "'", "''",
	"-n", "#comment", "!", "\xff\xfe", "é", "{}", "a=b", "%", "\x01\x7f",
}

func TestShellQuoteWithRealShell(t *testing.T) {
	t.Parallel()
	// One sh prints each argument, NUL-terminated, exactly as it received it.
	var script strings.Builder
	script.WriteString("printf '%s\\0'")
	for _, s := range nasty {
		script.WriteString(" " + ShellQuote(s))
	}
	out, err := exec.Command("sh", "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", script.String(), err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(got) != len(nasty) {
		t.Fatalf("sh saw %d words %q; want %d", len(got), got, len(nasty))
	}
	for i := range nasty {
		if got[i] != nasty[i] {
			t.Errorf("sh read ShellQuote(%q) = %q back as %q", nasty[i], ShellQuote(nasty[i]), got[i])
		}
	}
}

func TestShellJoin(t *testing.T) {
	t.Parallel()
	got := ShellJoin([]string{"gzip", "-k", "my file.txt", "it's"})
	want := `gzip -k 'my file.txt' 'it'\''s'`
	if got != want {
		t.Errorf("ShellJoin = %s; want %s", got, want)
	}
}
