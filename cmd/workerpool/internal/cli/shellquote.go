package cli

import "strings"

// ShellQuote returns s quoted for a POSIX shell so that the shell reads it
// back as exactly one word with exactly s's bytes: no expansion of $, “ ` “,
// $(), globs or ~, no word splitting, no ; or | or newline acting as syntax.
//
// It wraps s in single quotes, inside which sh treats every byte literally,
// and writes each single quote of s as '\” (close, escaped quote, reopen).
// Words made only of characters that are never special are left bare, so
// dry-run output stays readable, unless they are reserved words, which a
// shell reads as syntax at the start of a command.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if isShellSafe(s) && !reserved[s] {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// reserved are the reserved words of POSIX sh, and those of bash, ksh and
// zsh (any of which may be sh), made of bytes isShellSafe allows.
var reserved = map[string]bool{
	"case": true, "do": true, "done": true, "elif": true, "else": true, "esac": true, "fi": true,
	"for": true, "if": true, "in": true, "then": true, "until": true, "while": true,
	"coproc": true, "function": true, "select": true, "time": true, "foreach": true, "repeat": true, "end": true,
}

// isShellSafe reports whether every byte of s is one that no POSIX shell
// treats specially in any position of a word.
func isShellSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '.', c == '/', c == ',', c == '+', c == ':', c == '@', c == '%':
		default:
			return false
		}
	}
	return true
}

// ShellJoin quotes each word with [ShellQuote] and joins them with spaces:
// a command line that sh runs as exactly these words. It is how dry-run and
// the joblog show a command.
func ShellJoin(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ShellQuote(w))
	}
	return b.String()
}
