package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is the progress bar on stderr: jobs done out of the total when
// the total is known (a spinner until then), failures, rate and ETA. A nil
// *progress is a bar that is off; every method is then a no-op.
//
// Its methods must be called with the terminal's lock held, the same lock
// under which job output is written, so that the bar is cleared before any
// output and never drawn in the middle of a line. The bar draws only when
// one of them is called: it runs no goroutine.
type progress struct {
	w      io.Writer
	bar    *progressbar.ProgressBar
	done   int64
	failed int64
	total  int64 // -1 until known
	// throttle is the least time between two drawings.
	throttle time.Duration
}

// wantProgress reports whether a progress bar belongs on stderr: it is a
// terminal and --no-progress was not given.
func wantProgress(stderr io.Writer, o *Options) bool {
	if o.NoProgress || o.DryRun {
		return false
	}
	f, ok := stderr.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressThrottle is the least time between two drawings of the bar.
const progressThrottle = 100 * time.Millisecond

// newProgress returns a bar drawn on w, with total jobs (-1: not known
// yet), drawn at most once per throttle.
func newProgress(w io.Writer, total int64, throttle time.Duration) *progress {
	p := &progress{w: w, total: total, throttle: throttle}
	p.bar = p.newBar()
	return p
}

func (p *progress) newBar() *progressbar.ProgressBar {
	max := p.total
	if max == 0 {
		max = -1
	}
	b := progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.describe()),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("jobs"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(p.throttle),
		// No ticker goroutine: the bar is drawn only under our lock.
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionClearOnFinish(),
	)
	if p.done > 0 {
		_ = b.Add64(p.done)
	}
	return b
}

func (p *progress) describe() string {
	if p.failed == 0 {
		return "jobs"
	}
	return fmt.Sprintf("jobs (%d failed)", p.failed)
}

// setTotal makes the total known. The bar is drawn afresh, since the
// library's spinner does not keep its count when it turns into a bar.
func (p *progress) setTotal(n int64) {
	if p == nil || p.total == n {
		return
	}
	p.total = n
	_ = p.bar.Clear()
	_ = p.bar.Exit()
	p.bar = p.newBar()
}

// add counts one finished job.
func (p *progress) add(failed bool) {
	if p == nil {
		return
	}
	p.done++
	if failed {
		p.failed++
		p.bar.Describe(p.describe())
	}
	_ = p.bar.Add64(1)
}

// clear erases the bar so that output can be written on its line.
func (p *progress) clear() {
	if p != nil {
		_ = p.bar.Clear()
	}
}

// finish erases the bar for good.
func (p *progress) finish() {
	if p == nil {
		return
	}
	_ = p.bar.Clear()
	_ = p.bar.Exit()
}
