package cli

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// capture is where a job's output goes in grouped mode: an anonymous
// in-memory file (memfd) that the child writes to directly. Compared with
// a pipe, the command's writes never wait for us, no goroutine copies them,
// and a background process that keeps the file open cannot hold the job
// up. Where memfd_create is not available, capture falls back to a pipe
// that os/exec copies into a buffer.
type capture struct {
	f   *os.File      // the memfd, or nil
	buf *bytes.Buffer // the fallback
}

func newCapture(name string, buf *bytes.Buffer) capture {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return capture{buf: buf}
	}
	return capture{f: os.NewFile(uintptr(fd), name), buf: buf}
}

// writer is what the command's output is connected to.
func (c capture) writer() io.Writer {
	if c.f != nil {
		return c.f
	}
	return c.buf
}

// collect moves what the command wrote into the buffer and releases the
// file. It returns the number of bytes.
func (c capture) collect() int64 {
	if c.f == nil {
		return int64(c.buf.Len())
	}
	defer c.f.Close()
	st, err := c.f.Stat()
	if err == nil && st.Size() == 0 {
		return 0 // the common case for many jobs: no read at all
	}
	// The child shared our file offset, so read from the start.
	n, _ := c.buf.ReadFrom(io.NewSectionReader(c.f, 0, 1<<62))
	return n
}
