package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxRecordSize is the longest job-list record (one line, or one
// NUL-separated entry with -0) that [JobReader] accepts: 1 MiB. A longer
// record is skipped and reported with its line number; the records after it
// are read as usual.
const MaxRecordSize = 1 << 20

// ErrRecordTooLong is the error of a [Record] that is longer than the reader's
// limit ([MaxRecordSize] by default). Check it with errors.Is.
var ErrRecordTooLong = errors.New("longer than 1 MiB")

// Record is one entry of a job list.
type Record struct {
	// Line is the 1-based number of the line (or NUL-separated entry) the
	// record came from, counting empty ones, so that messages can point at it.
	Line int64
	// Value is the record without its delimiter. Its bytes are exactly those
	// of the input: no trimming, no decoding, no UTF-8 check.
	Value string
	// Err is non-nil for a record that was read but cannot become a job: it
	// wraps [ErrRecordTooLong]. Value is empty then.
	Err error
}

// JobReader reads a job list: records separated by a delimiter byte ('\n',
// or NUL with -0). Empty records are skipped, so a trailing newline or a
// blank line never makes a job. It holds at most one record in memory, and
// never more than its limit of a record that is too long.
//
// A JobReader is not safe for concurrent use.
type JobReader struct {
	br    *bufio.Reader
	delim byte
	max   int
	line  int64
	buf   []byte
	eof   bool
}

// NewJobReader returns a JobReader that reads records from r, separated by
// delim, each at most [MaxRecordSize] bytes long.
func NewJobReader(r io.Reader, delim byte) *JobReader {
	return newJobReaderSize(r, delim, MaxRecordSize)
}

// newJobReaderSize is NewJobReader with a different limit, so that tests and
// the fuzz target can exercise long records without megabytes of input.
func newJobReaderSize(r io.Reader, delim byte, max int) *JobReader {
	size := 64 << 10
	if max+1 < size {
		size = max + 1
	}
	if size < 16 {
		size = 16 // bufio's minimum
	}
	return &JobReader{br: bufio.NewReaderSize(r, size), delim: delim, max: max}
}

// Next returns the next non-empty record. At the end of the input it returns
// io.EOF; on a read error it returns that error, and the records before it
// have already been returned. A record longer than the limit comes back as a
// Record whose Err wraps [ErrRecordTooLong], with a nil error from Next.
func (jr *JobReader) Next() (Record, error) {
	for {
		if jr.eof {
			return Record{}, io.EOF
		}
		jr.buf = jr.buf[:0]
		tooLong := false
		n := 0
		for {
			chunk, err := jr.br.ReadSlice(jr.delim)
			done := err == nil
			if done {
				chunk = chunk[:len(chunk)-1] // drop the delimiter
			}
			n += len(chunk)
			if !tooLong {
				if n > jr.max {
					tooLong = true
					jr.buf = jr.buf[:0]
				} else {
					jr.buf = append(jr.buf, chunk...)
				}
			}
			if done {
				break
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err == io.EOF {
				jr.eof = true
				if n == 0 {
					return Record{}, io.EOF
				}
				break
			}
			return Record{}, err
		}
		jr.line++
		if tooLong {
			return Record{Line: jr.line, Err: fmt.Errorf("line %d: %w (%d+ bytes); skipped", jr.line, ErrRecordTooLong, jr.max+1)}, nil
		}
		if n == 0 {
			continue
		}
		return Record{Line: jr.line, Value: string(jr.buf)}, nil
	}
}

// source is where jobs come from: a [JobReader], or the words after :::.
type source interface {
	Next() (Record, error)
}

// argSource yields the words after ::: as records, empty ones included:
// they were typed on purpose.
type argSource struct {
	args []string
	i    int
}

func (s *argSource) Next() (Record, error) {
	if s.i >= len(s.args) {
		return Record{}, io.EOF
	}
	s.i++
	return Record{Line: int64(s.i), Value: s.args[s.i-1]}, nil
}

// jobList is an opened job list.
type jobList struct {
	src   source
	close func()
	// total counts the records, or is -1 when it cannot be known before
	// the end: a pipe, a terminal.
	total func() int64
}

// openSource opens the job list the options name.
func openSource(o *Options, stdin io.Reader) (jobList, error) {
	delim := byte('\n')
	if o.Null {
		delim = 0
	}
	switch {
	case o.ArgsGiven:
		n := int64(len(o.Args))
		return jobList{&argSource{args: o.Args}, func() {}, func() int64 { return n }}, nil
	case o.Input != "" && o.Input != "-":
		f, err := os.Open(o.Input)
		if err != nil {
			return jobList{}, fmt.Errorf("--input: %w", err)
		}
		return jobList{NewJobReader(f, delim), func() { _ = f.Close() }, func() int64 { return countRecords(f, delim) }}, nil
	}
	count := func() int64 { return -1 }
	if f, ok := stdin.(*os.File); ok {
		count = func() int64 { return countRecords(f, delim) }
	}
	return jobList{NewJobReader(stdin, delim), func() {}, count}, nil
}

// countRecords counts the records of f from its current offset on, without
// moving it, when f is a regular file; otherwise it returns -1. It is a
// second pass over the file, made only for the progress bar.
func countRecords(f *os.File, delim byte) int64 {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return -1
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1
	}
	jr := NewJobReader(io.NewSectionReader(f, off, st.Size()-off), delim)
	var n int64
	for {
		if _, err := jr.Next(); err != nil {
			if err != io.EOF {
				return -1
			}
			return n
		}
		n++
	}
}
