package cli

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		words []string
		input string
		want  []string
	}{
		{[]string{"echo"}, "a b", []string{"echo", "a b"}},
		{[]string{"gzip", "-k", "{}"}, "dir/f.txt", []string{"gzip", "-k", "dir/f.txt"}},
		{[]string{"cp", "{}", "out/{/.}.{#}.bak"}, "d.x/f.tar.gz", []string{"cp", "d.x/f.tar.gz", "out/f.tar.7.bak"}},
		{[]string{"echo", "{.}", "{/}", "{//}"}, "a/b/c.txt", []string{"echo", "a/b/c", "c.txt", "a/b"}},
		{[]string{"echo", "{x}", "{", "}{}"}, "i", []string{"echo", "{x}", "{", "}i"}},
		{[]string{"{}"}, "true", []string{"true"}},
	}
	for _, tt := range tests {
		got := ParseTemplate(tt.words).Expand(tt.input, 7, nil)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Expand(%q, %q) = %q; want %q", tt.words, tt.input, got, tt.want)
		}
	}
}

func TestPathParts(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, base, dir, noext string }{
		{"f.txt", "f.txt", ".", "f"},
		{"a/b/f.tar.gz", "f.tar.gz", "a/b", "a/b/f.tar"},
		{"/f", "f", "/", "/f"},
		{"a/b/", "", "a", "a/b/"},
		{".bashrc", ".bashrc", ".", ".bashrc"},
		{"d.x/f", "f", "d.x", "d.x/f"},
		{"f.", "f.", ".", "f."},
		{"//", "", "/", "//"},
		{"", "", ".", ""},
	}
	for _, tt := range tests {
		if got := Base(tt.in); got != tt.base {
			t.Errorf("Base(%q) = %q; want %q", tt.in, got, tt.base)
		}
		if got := Dir(tt.in); got != tt.dir {
			t.Errorf("Dir(%q) = %q; want %q", tt.in, got, tt.dir)
		}
		if got := NoExt(tt.in); got != tt.noext {
			t.Errorf("NoExt(%q) = %q; want %q", tt.in, got, tt.noext)
		}
	}
}

func FuzzExpand(f *testing.F) {
	f.Add("cp {} {//}/{/.}.bak", "a/b.c", int64(1))
	f.Add("{{}}{#}{/}{.}", "x", int64(42))
	f.Add("no placeholder", "in put", int64(3))
	f.Add("{/", "\xff{}", int64(0))
	f.Fuzz(func(t *testing.T, word, input string, seq int64) {
		words := strings.Fields(word)
		if len(words) == 0 {
			words = []string{word}
		}
		tmpl := ParseTemplate(words)
		got := tmpl.Expand(input, seq, nil)

		// Oracle: plain string replacement of every token. No token is a
		// prefix of another, so the order of the pairs does not matter.
		r := strings.NewReplacer(
			"{}", input, "{#}", strconv.FormatInt(seq, 10), "{.}", NoExt(input),
			"{/}", Base(input), "{//}", Dir(input), "{/.}", NoExt(Base(input)))
		var want []string
		has := false
		for _, w := range words {
			want = append(want, r.Replace(w))
			for _, p := range placeholders {
				has = has || strings.Contains(w, p.token)
			}
		}
		if !has {
			want = append(want, input)
		}
		if tmpl.HasPlaceholder() != has {
			t.Fatalf("HasPlaceholder() = %v; want %v", tmpl.HasPlaceholder(), has)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Expand(%q, %q) = %q; want %q", words, input, got, want)
		}
		// Quoting applies to the substituted values only.
		q := tmpl.Expand(input, seq, func(s string) string { return "<" + s + ">" })
		if len(q) != len(got) {
			t.Fatalf("quoted expansion has %d words; want %d", len(q), len(got))
		}
	})
}
