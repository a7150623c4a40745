package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// joblogHeader is the first line of a joblog, as GNU parallel writes it.
const joblogHeader = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"

// joblogEntry is one line of a joblog.
type joblogEntry struct {
	Seq      int64
	Start    time.Time
	Runtime  time.Duration
	Received int64 // bytes of output the job wrote
	ExitCode int
	Signal   int
	Command  string
}

// joblog appends entries to a joblog file, one write per line, so that a
// crash leaves at most the last line half-written. Only the collector
// goroutine uses it.
type joblog struct {
	f *os.File
}

// openJoblog opens path for --joblog. With appendTo (--resume) it keeps what
// is there; otherwise it starts the file afresh. The header is written when
// the file is empty.
func openJoblog(path string, appendTo bool) (*joblog, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if !appendTo {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() == 0 {
		_, err = io.WriteString(f, joblogHeader)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &joblog{f: f}, nil
}

// write appends one entry in GNU parallel's format: Host is ":" (this
// machine), Starttime is Unix seconds with milliseconds, JobRuntime seconds
// padded to ten places, Send is 0. Tabs and newlines in the command are
// written as \t and \n so that the entry stays on one line.
func (l *joblog) write(e joblogEntry) error {
	cmd := strings.NewReplacer("\n", `\n`, "\t", `\t`).Replace(e.Command)
	line := fmt.Sprintf("%d\t:\t%.3f\t%10.3f\t0\t%d\t%d\t%d\t%s\n",
		e.Seq, float64(e.Start.UnixMilli())/1e3, e.Runtime.Seconds(),
		e.Received, e.ExitCode, e.Signal, cmd)
	_, err := io.WriteString(l.f, line)
	return err
}

// Close closes the file.
func (l *joblog) Close() error { return l.f.Close() }

// readJoblog returns, for each job number a joblog records, whether that job
// succeeded (Exitval and Signal both 0). A missing file records nothing.
// Lines that do not parse, such as the header or a line cut short by a
// crash, are ignored, as GNU parallel does.
func readJoblog(path string) (map[int64]bool, error) {
	done := make(map[int64]bool)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return done, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4*MaxRecordSize)
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 9)
		if len(fields) < 9 {
			continue
		}
		seq, err1 := strconv.ParseInt(fields[0], 10, 64)
		exit, err2 := strconv.Atoi(strings.TrimSpace(fields[6]))
		sig, err3 := strconv.Atoi(strings.TrimSpace(fields[7]))
		if err1 != nil || err2 != nil || err3 != nil || seq < 1 {
			continue
		}
		done[seq] = done[seq] || (exit == 0 && sig == 0)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading joblog %q: %w", path, err)
	}
	return done, nil
}
