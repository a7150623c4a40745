package workerpool

import (
	"strconv"
	"time"
)

// Outcome is how an accepted job ended. Every job that [Pool.Submit],
// [Pool.TrySubmit] or [TaskPool.Go] accepted ends in exactly one Outcome,
// and [Stats] counts each.
type Outcome uint8

const (
	// Succeeded: the handler returned nil.
	Succeeded Outcome = iota + 1
	// Failed: the handler returned an error that was not caused by the
	// job's context ending.
	Failed
	// Panicked: the handler panicked or called runtime.Goexit; the error is
	// a *PanicError.
	Panicked
	// TimedOut: the job's timeout ([WithJobTimeout]) ended its context and
	// the handler returned the context's error (or one wrapping it).
	TimedOut
	// Canceled: the pool's context was canceled ([WithContext] or a
	// [Pool.Shutdown] that ran out of time) and the handler returned the
	// context's error, or the job was still queued when the [WithContext]
	// parent was canceled and so never started.
	Canceled
	// Dropped: the job was still queued when a [Pool.Shutdown] ran out of
	// time; it never started and Shutdown handed it back to the caller.
	Dropped
)

var outcomeNames = [...]string{
	Succeeded: "succeeded",
	Failed:    "failed",
	Panicked:  "panicked",
	TimedOut:  "timed out",
	Canceled:  "canceled",
	Dropped:   "dropped",
}

// String returns the outcome's name in lower case, such as "timed out".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && outcomeNames[o] != "" {
		return outcomeNames[o]
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Result reports one job's outcome to the hook given with [WithResultHook].
type Result[T any] struct {
	// Job is the job as it was submitted.
	Job T
	// Outcome is how the job ended.
	Outcome Outcome
	// Err is nil for Succeeded. For Failed it is the handler's error; for
	// Panicked a *PanicError; for TimedOut an error wrapping ErrJobTimeout
	// and the handler's error; for Canceled an error wrapping the pool
	// context's cause (ErrShutdown or the parent's cause) and, when the
	// handler ran, its error; for Dropped, ErrShutdown.
	Err error
	// Attempts is how many times the handler ran: 0 for a job that never
	// started (Dropped, or Canceled before it started), 1 otherwise.
	Attempts int
	// Wait is the time from acceptance to the start of the (last) attempt,
	// or to the moment it was handed back or canceled unstarted.
	Wait time.Duration
	// Run is how long the (last) attempt ran; 0 if the job never started.
	Run time.Duration
}
