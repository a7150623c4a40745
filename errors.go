package workerpool

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by [Pool.Submit], [Pool.TrySubmit] and [TaskPool.Go]
// once [Pool.Close] or [Pool.Shutdown] has begun, or once the parent context
// given with [WithContext] has been canceled. The job was not accepted.
var ErrClosed = errors.New("workerpool: closed")

// ErrQueueFull is returned by [Pool.TrySubmit] when the queue has no room for
// the job (or, with a queue size of 0, when no worker is waiting for one).
// The job was not accepted and is not counted in [Stats].
var ErrQueueFull = errors.New("workerpool: queue full")

// ErrInvalidOption is wrapped by the error [New] and [NewTaskPool] return for
// a bad configuration: a nil handler, a nil option, or an option given an
// out-of-range value. The wrapping error says which option and which value.
var ErrInvalidOption = errors.New("workerpool: invalid option")

// ErrInvalidArgument is wrapped by the error a method returns for a bad
// argument, such as a nil context passed to [Pool.Submit] or a nil [Task]
// passed to [TaskPool.Go]. Nothing happens to the pool.
var ErrInvalidArgument = errors.New("workerpool: invalid argument")

// ErrJobTimeout is the [context.Cause] of a job's context when the job ran
// longer than the timeout set with [WithJobTimeout]. A job whose handler
// returns an error after that is counted as [TimedOut], and its
// [Result.Err] wraps ErrJobTimeout.
var ErrJobTimeout = errors.New("workerpool: job timed out")

// ErrShutdown is the [context.Cause] of every running job's context when the
// context passed to [Pool.Shutdown] ends before the pool has drained. A job
// whose handler returns an error after that is counted as [Canceled].
var ErrShutdown = errors.New("workerpool: shut down before the job finished")

// ErrStuck is wrapped, with [ErrJobTimeout], by the [Result.Err] of a job
// whose handler was declared stuck: it ran past its deadline and the grace
// period of [WithStuckGrace] without returning.
var ErrStuck = errors.New("workerpool: handler stuck past its deadline")

// ErrReentrant is returned by [Pool.Close], and by [Pool.Shutdown] with a
// context that never ends, when called from one of the pool's own handlers
// or hooks: waiting there for the pool to stop would wait forever. The
// stop has begun all the same; the pool stops once the caller returns.
var ErrReentrant = errors.New("workerpool: Close called from the pool's own handler or hook; it cannot wait for itself")

// ErrGoexit is the [PanicError.Value] of a job whose handler called
// [runtime.Goexit] (as testing.T.FailNow does) instead of returning. The job
// is counted as [Panicked] and the worker is replaced, so the pool keeps its
// capacity and Close does not hang.
var ErrGoexit = errors.New("workerpool: handler called runtime.Goexit")

// PanicError is the [Result.Err] of a job whose handler panicked (outcome
// [Panicked]). The panic is recovered: it fails that job only, and the worker
// goes on with the next job.
//
// Use [errors.As] to get at it. When Value is itself an error, [errors.Is]
// and [errors.As] see through PanicError to it.
type PanicError struct {
	// Value is the value passed to panic, or ErrGoexit.
	Value any
	// Stack is the panicking goroutine's stack, as [runtime/debug.Stack]
	// formats it, taken where the panic was recovered.
	Stack []byte
}

// Error reports the panic value. The stack is in the Stack field, not in the
// message.
func (e *PanicError) Error() string {
	if e.Value == ErrGoexit {
		return ErrGoexit.Error()
	}
	return fmt.Sprintf("workerpool: job panicked: %v", e.Value)
}

// Unwrap returns Value when it is an error, and nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}

func invalidArgument(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...)
}
