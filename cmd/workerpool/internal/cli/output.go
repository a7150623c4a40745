package cli

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

// terminal is the pair of streams every job writes to in the end. One mutex
// guards both, so that a job's stdout and another job's stderr never cut into
// each other's lines on a terminal that shows both. It is safe for
// concurrent use.
type terminal struct {
	mu     sync.Mutex
	stdout io.Writer
	stderr io.Writer
	// before, when set, runs under the lock before each write, so that a
	// progress bar can clear itself first.
	before func()
	// onError, when set, is called (under the lock) with the first write
	// error, such as EPIPE once the reader of stdout has gone.
	onError func(error)
	err     error // the first write error
}

// write writes the whole of out to stdout and then errs to stderr, as one
// unit that no other write enters. It returns the first write error.
func (t *terminal) write(out, errs []byte) error {
	if len(out) == 0 && len(errs) == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.before != nil {
		t.before()
	}
	var err error
	if len(out) > 0 {
		_, err = t.stdout.Write(out)
	}
	if len(errs) > 0 {
		if _, err2 := t.stderr.Write(errs); err == nil {
			err = err2
		}
	}
	if err != nil && t.err == nil {
		t.err = err
		if t.onError != nil {
			t.onError(err)
		}
	}
	return err
}

// lineWriter is the --line-buffer writer of one stream of one job: it
// writes each complete line as soon as it has it, prefixed with the job
// number, to dst through the terminal's lock. Close writes a last line that
// had no newline, and adds one.
type lineWriter struct {
	term   *terminal
	stderr bool
	prefix []byte
	buf    []byte
	n      int64 // bytes taken, for the joblog's Receive
}

func newLineWriter(t *terminal, seq int64, stderr bool) *lineWriter {
	return &lineWriter{term: t, stderr: stderr, prefix: linePrefix(seq)}
}

// linePrefix is what --line-buffer writes before each line of job seq: "[seq] ".
func linePrefix(seq int64) []byte {
	return append(strconv.AppendInt([]byte("["), seq, 10), "] "...)
}

// Write takes whatever the command wrote; it never fails, so that a job's
// output is never cut off by a slow reader of another.
func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	w.n += int64(n)
	w.buf = append(w.buf, p...)
	i := bytes.LastIndexByte(w.buf, '\n')
	if i < 0 {
		return n, nil
	}
	w.emit(w.buf[:i+1])
	rest := copy(w.buf, w.buf[i+1:])
	w.buf = w.buf[:rest]
	return n, nil
}

// Close writes a last, unterminated line.
func (w *lineWriter) Close() error {
	if len(w.buf) > 0 {
		w.buf = append(w.buf, '\n')
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
	return nil
}

// emit writes complete lines, each with the prefix, as one unit.
func (w *lineWriter) emit(lines []byte) {
	out := make([]byte, 0, len(lines)+8*len(w.prefix))
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		out = append(out, w.prefix...)
		out = append(out, lines[:i+1]...)
		lines = lines[i+1:]
	}
	// A write error reaches the runner through terminal.onError; the job
	// itself goes on.
	if w.stderr {
		_ = w.term.write(nil, out)
	} else {
		_ = w.term.write(out, nil)
	}
}
