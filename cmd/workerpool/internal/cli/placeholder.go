package cli

import (
	"strconv"
	"strings"
)

// A placeholder names one value derived from a job's input.
type placeholder uint8

const (
	literal     placeholder = iota
	phInput                 // {}    the whole input
	phSeq                   // {#}   the job number
	phNoExt                 // {.}   the input without its extension
	phBase                  // {/}   the base name
	phDir                   // {//}  the directory
	phBaseNoExt             // {/.}  the base name without its extension
)

// placeholders lists every token, longest first where one is a prefix of
// another, so that the first match is the right one.
var placeholders = []struct {
	token string
	kind  placeholder
}{
	{"{}", phInput},
	{"{#}", phSeq},
	{"{.}", phNoExt},
	{"{//}", phDir},
	{"{/.}", phBaseNoExt},
	{"{/}", phBase},
}

// segment is a piece of a template word: literal text or one placeholder.
type segment struct {
	kind placeholder
	text string // for literal
}

// Template is a command line with placeholders, parsed once and expanded per
// job. The zero value has no words.
type Template struct {
	words [][]segment
	hasPH bool // at least one placeholder somewhere
}

// ParseTemplate parses the words of a command line. Each word may contain
// any number of the placeholders {}, {#}, {.}, {/}, {//} and {/.}; any other
// text, including other braces, is literal.
func ParseTemplate(words []string) Template {
	t := Template{words: make([][]segment, len(words))}
	for i, w := range words {
		t.words[i] = parseWord(w)
		for _, s := range t.words[i] {
			if s.kind != literal {
				t.hasPH = true
			}
		}
	}
	return t
}

func parseWord(w string) []segment {
	var segs []segment
	lit := 0 // start of the pending literal
	for i := 0; i < len(w); {
		if w[i] != '{' {
			i++
			continue
		}
		matched := false
		for _, p := range placeholders {
			if strings.HasPrefix(w[i:], p.token) {
				if lit < i {
					segs = append(segs, segment{text: w[lit:i]})
				}
				segs = append(segs, segment{kind: p.kind})
				i += len(p.token)
				lit = i
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	if lit < len(w) || len(segs) == 0 {
		segs = append(segs, segment{text: w[lit:]})
	}
	return segs
}

// HasPlaceholder reports whether any word holds a placeholder. Without one,
// the input is appended as a last word (see [Template.Expand]).
func (t Template) HasPlaceholder() bool { return t.hasPH }

// IsLiteral reports whether word i holds no placeholder.
func (t Template) IsLiteral(i int) bool {
	return i < len(t.words) && len(t.words[i]) == 1 && t.words[i][0].kind == literal
}

// Expand returns the words of the command for one job: every placeholder
// replaced by the value it names, and the input appended as a last word when
// the template has no placeholder at all. quote, when not nil, is applied to
// each substituted value (not to the literal text around it); --shell passes
// [ShellQuote] so that the shell never re-parses an input.
func (t Template) Expand(input string, seq int64, quote func(string) string) []string {
	out := make([]string, 0, len(t.words)+1)
	var b strings.Builder
	for _, segs := range t.words {
		if len(segs) == 1 && segs[0].kind == literal {
			out = append(out, segs[0].text)
			continue
		}
		b.Reset()
		for _, s := range segs {
			if s.kind == literal {
				b.WriteString(s.text)
				continue
			}
			v := value(s.kind, input, seq)
			if quote != nil {
				v = quote(v)
			}
			b.WriteString(v)
		}
		out = append(out, b.String())
	}
	if !t.hasPH {
		if quote != nil {
			input = quote(input)
		}
		out = append(out, input)
	}
	return out
}

func value(k placeholder, input string, seq int64) string {
	switch k {
	case phInput:
		return input
	case phSeq:
		return strconv.FormatInt(seq, 10)
	case phNoExt:
		return NoExt(input)
	case phBase:
		return Base(input)
	case phDir:
		return Dir(input)
	case phBaseNoExt:
		return NoExt(Base(input))
	}
	return ""
}

// Base is {/}: the input after its last slash, or all of it when it has
// none. Like GNU parallel, and unlike path.Base, it does not clean the path:
// "a/b/" gives "".
func Base(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}

// Dir is {//}: the input's directory, as POSIX dirname(1) gives it: "." when
// there is no slash, "/" for a file at the root, and trailing slashes ignored
// ("a/b/" gives "a"). It does not clean the path otherwise.
func Dir(s string) string {
	s = trimTrailingSlashes(s)
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "."
	}
	d := trimTrailingSlashes(s[:i])
	if d == "" {
		return "/"
	}
	return d
}

func trimTrailingSlashes(s string) string {
	for len(s) > 1 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// NoExt is {.}: the input without the extension of its last path element,
// the last dot and what follows it. A name that starts with its only dot
// (".bashrc") or ends with a dot keeps it, and a dot in a directory name is
// never an extension.
func NoExt(s string) string {
	base := strings.LastIndexByte(s, '/') + 1
	dot := strings.LastIndexByte(s, '.')
	if dot <= base || dot == len(s)-1 {
		return s
	}
	return s[:dot]
}
