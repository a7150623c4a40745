package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads every record of jr.
func readAll(t *testing.T, jr *JobReader) []Record {
	t.Helper()
	var recs []Record
	for {
		rec, err := jr.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatalf("Next() error = %v", err)
		}
		recs = append(recs, rec)
		if len(recs) > 1<<20 {
			t.Fatal("Next() never returns io.EOF")
		}
	}
}

func TestJobReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		delim byte
		want  []Record
	}{
		{"empty", "", '\n', nil},
		{"only newlines", "\n\n\n", '\n', nil},
		{"one without newline", "a", '\n', []Record{{Line: 1, Value: "a"}}},
		{"blank lines keep numbering", "a\n\nb\n", '\n', []Record{{Line: 1, Value: "a"}, {Line: 3, Value: "b"}}},
		{"spaces and CR kept", " a b \r\n", '\n', []Record{{Line: 1, Value: " a b \r"}}},
		{"non-UTF-8 untouched", "\xff\xfe\x00x\n", '\n', []Record{{Line: 1, Value: "\xff\xfe\x00x"}}},
		{"NUL separated", "a b\nc\x00d\x00", 0, []Record{{Line: 1, Value: "a b\nc"}, {Line: 2, Value: "d"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := readAll(t, NewJobReader(strings.NewReader(tt.in), tt.delim))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d records %+v; want %+v", len(got), got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("record %d = %+v; want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestJobReaderLongLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxRecordSize+1)
	ok := strings.Repeat("y", MaxRecordSize)
	in := "a\n" + long + "\n" + ok + "\nb"
	got := readAll(t, NewJobReader(strings.NewReader(in), '\n'))
	if len(got) != 4 {
		t.Fatalf("got %d records; want 4", len(got))
	}
	if got[0].Value != "a" || got[2].Value != ok || got[3].Value != "b" || got[3].Line != 4 {
		t.Errorf("records around the long line are wrong: %q, line %d", got[3].Value, got[3].Line)
	}
	if !errors.Is(got[1].Err, ErrRecordTooLong) || got[1].Line != 2 {
		t.Errorf("long line: Err = %v, Line = %d; want ErrRecordTooLong on line 2", got[1].Err, got[1].Line)
	}
	if !strings.Contains(got[1].Err.Error(), "line 2") {
		t.Errorf("error %q does not name the line", got[1].Err)
	}
}

func TestJobReaderReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	jr := NewJobReader(io.MultiReader(strings.NewReader("a\nb"), iotest.ErrReader(boom)), '\n')
	if rec, err := jr.Next(); err != nil || rec.Value != "a" {
		t.Fatalf("Next() = %+v, %v; want a", rec, err)
	}
	if _, err := jr.Next(); !errors.Is(err, boom) {
		t.Fatalf("Next() error = %v; want %v", err, boom)
	}
}

// oracle splits data the simple way: what JobReader must agree with.
func oracle(data []byte, delim byte, max int) []Record {
	var recs []Record
	parts := bytes.Split(data, []byte{delim})
	for i, p := range parts {
		if i == len(parts)-1 && len(p) == 0 {
			break // a trailing delimiter ends the last record; it starts none
		}
		line := int64(i + 1)
		switch {
		case len(p) > max:
			recs = append(recs, Record{Line: line, Err: ErrRecordTooLong})
		case len(p) > 0:
			recs = append(recs, Record{Line: line, Value: string(p)})
		}
	}
	return recs
}

func FuzzJobReader(f *testing.F) {
	f.Add([]byte("a\nb\n"), false, uint8(4))
	f.Add([]byte("\n\nlong line here\nx"), false, uint8(3))
	f.Add([]byte("a\x00b\x00\x00c"), true, uint8(1))
	f.Add([]byte("\xff\xfe\n\r\n"), false, uint8(8))
	f.Fuzz(func(t *testing.T, data []byte, null bool, max uint8) {
		delim := byte('\n')
		if null {
			delim = 0
		}
		m := int(max%40) + 1
		// A one-byte reader makes records cross buffer boundaries.
		jr := newJobReaderSize(iotest.OneByteReader(bytes.NewReader(data)), delim, m)
		got := readAll(t, jr)
		want := oracle(data, delim, m)
		if len(got) != len(want) {
			t.Fatalf("got %d records %+v; want %d %+v", len(got), got, len(want), want)
		}
		for i := range got {
			if got[i].Line != want[i].Line || got[i].Value != want[i].Value ||
				errors.Is(got[i].Err, ErrRecordTooLong) != (want[i].Err != nil) {
				t.Fatalf("record %d = %+v; want %+v", i, got[i], want[i])
			}
		}
	})
}

func TestCountRecords(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/list"
	writeFile(t, path, "skipped\na\n\nb\nc")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(8, io.SeekStart); err != nil { // as if stdin had been read from
		t.Fatal(err)
	}
	if n := countRecords(f, '\n'); n != 3 {
		t.Errorf("countRecords = %d; want 3", n)
	}
	if rec, err := NewJobReader(f, '\n').Next(); err != nil || rec.Value != "a" {
		t.Errorf("after counting, Next() = %+v, %v; want a: the offset must not move", rec, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if n := countRecords(r, '\n'); n != -1 {
		t.Errorf("countRecords(pipe) = %d; want -1", n)
	}
}
