package workerpool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/workerpool/workerpool"
)

// collect returns a result hook that gathers results, and a function that
// returns them once the pool has stopped.
func collect[T any]() (workerpool.Option, func() []workerpool.Result[T]) {
	var mu sync.Mutex
	var got []workerpool.Result[T]
	hook := workerpool.WithResultHook(func(r workerpool.Result[T]) {
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
	})
	return hook, func() []workerpool.Result[T] {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

func TestPanicFailsOnlyThatJob(t *testing.T) {
	t.Parallel()
	hook, results := collect[int]()
	p, err := workerpool.New(func(_ context.Context, j int) error {
		if j%3 == 0 {
			panic(fmt.Sprintf("job %d exploded", j))
		}
		return nil
	}, workerpool.WithWorkers(1), hook) // one worker: it must survive every panic
	if err != nil {
		t.Fatal(err)
	}
	submitRange(t, p, 30)
	mustClose(t, p)
	s := p.Stats()
	requireBalanced(t, s)
	if s.Panicked != 10 || s.Succeeded != 20 {
		t.Fatalf("Stats() = %+v; want 10 Panicked, 20 Succeeded", s)
	}
	for _, r := range results() {
		if r.Job%3 != 0 {
			continue
		}
		var pe *workerpool.PanicError
		if r.Outcome != workerpool.Panicked || !errors.As(r.Err, &pe) {
			t.Fatalf("job %d: %v, %v; want Panicked with a *PanicError", r.Job, r.Outcome, r.Err)
		}
		if pe.Value != fmt.Sprintf("job %d exploded", r.Job) {
			t.Errorf("PanicError.Value = %v", pe.Value)
		}
		if !bytes.Contains(pe.Stack, []byte("TestPanicFailsOnlyThatJob")) {
			t.Errorf("PanicError.Stack does not show the panicking handler:\n%s", pe.Stack)
		}
	}
}

func TestPanicErrorUnwrapsAnErrorValue(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("boom")
	hook, results := collect[int]()
	p, err := workerpool.New(func(context.Context, int) error { panic(sentinel) }, hook)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	mustClose(t, p)
	r := results()[0]
	if !errors.Is(r.Err, sentinel) {
		t.Fatalf("errors.Is(%v, sentinel) = false; PanicError must unwrap an error value", r.Err)
	}
	if got := r.Err.Error(); got != "workerpool: job panicked: boom" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestGoexitDoesNotHangClose(t *testing.T) {
	t.Parallel()
	// PITFALLS 5: t.FailNow (runtime.Goexit) inside a task hung pond's
	// StopAndWait. Here the job is Panicked with ErrGoexit and a fresh
	// worker takes over, so the pool of one keeps running.
	hook, results := collect[int]()
	p, err := workerpool.New(func(_ context.Context, j int) error {
		if j == 0 {
			runtime.Goexit()
		}
		return nil
	}, workerpool.WithWorkers(1), hook)
	if err != nil {
		t.Fatal(err)
	}
	submitRange(t, p, 5)
	mustClose(t, p)
	s := p.Stats()
	requireBalanced(t, s)
	if s.Panicked != 1 || s.Succeeded != 4 {
		t.Fatalf("Stats() = %+v; want 1 Panicked, 4 Succeeded", s)
	}
	for _, r := range results() {
		if r.Job == 0 && !errors.Is(r.Err, workerpool.ErrGoexit) {
			t.Fatalf("job 0: Err = %v; want one wrapping ErrGoexit", r.Err)
		}
	}
}

func TestJobTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		hook, results := collect[time.Duration]()
		p, err := workerpool.New(func(ctx context.Context, d time.Duration) error {
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done():
				if context.Cause(ctx) != workerpool.ErrJobTimeout {
					t.Errorf("context.Cause = %v; want ErrJobTimeout", context.Cause(ctx))
				}
				return ctx.Err()
			}
		}, workerpool.WithJobTimeout(time.Second), workerpool.WithWorkers(2), hook)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []time.Duration{500 * time.Millisecond, 2 * time.Second} {
			if err := p.Submit(context.Background(), d); err != nil {
				t.Fatal(err)
			}
		}
		mustClose(t, p)
		s := p.Stats()
		requireBalanced(t, s)
		if s.Succeeded != 1 || s.TimedOut != 1 {
			t.Fatalf("Stats() = %+v; want 1 Succeeded, 1 TimedOut", s)
		}
		for _, r := range results() {
			if r.Job == 2*time.Second {
				if r.Outcome != workerpool.TimedOut || !errors.Is(r.Err, workerpool.ErrJobTimeout) {
					t.Fatalf("slow job: %v, %v; want TimedOut wrapping ErrJobTimeout", r.Outcome, r.Err)
				}
				if r.Run != time.Second {
					t.Fatalf("slow job ran %v; want exactly the 1s timeout (fake clock)", r.Run)
				}
			}
		}
	})
}

func TestOutcomeOfHandlerErrors(t *testing.T) {
	t.Parallel()
	other := errors.New("disk full")
	tests := []struct {
		name    string
		timeout time.Duration
		handler func(ctx context.Context) error
		want    workerpool.Outcome
		wantErr error
	}{
		{"nil", 0, func(context.Context) error { return nil }, workerpool.Succeeded, nil},
		{"plain error", 0, func(context.Context) error { return other }, workerpool.Failed, other},
		{"own deadline, pool context alive", 0, func(context.Context) error { return context.DeadlineExceeded }, workerpool.Failed, context.DeadlineExceeded},
		{"timed out, returns ctx.Err", time.Millisecond, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, workerpool.TimedOut, workerpool.ErrJobTimeout},
		{"timed out, wraps ctx.Err", time.Millisecond, func(ctx context.Context) error {
			<-ctx.Done()
			return fmt.Errorf("fetching: %w", ctx.Err())
		}, workerpool.TimedOut, context.DeadlineExceeded},
		{"timed out, returns an unrelated error", time.Millisecond, func(ctx context.Context) error { <-ctx.Done(); return other }, workerpool.Failed, other},
		{"timed out, returns nil anyway", time.Millisecond, func(ctx context.Context) error { <-ctx.Done(); return nil }, workerpool.Succeeded, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				hook, results := collect[workerpool.Task]()
				p, err := workerpool.NewTaskPool(workerpool.WithJobTimeout(tt.timeout), hook)
				if err != nil {
					t.Fatal(err)
				}
				if err := p.Go(tt.handler); err != nil {
					t.Fatal(err)
				}
				mustClose(t, p)
				requireBalanced(t, p.Stats())
				r := results()[0]
				if r.Outcome != tt.want || !errors.Is(r.Err, tt.wantErr) || (tt.wantErr == nil) != (r.Err == nil) {
					t.Fatalf("outcome %v, err %v; want %v, %v", r.Outcome, r.Err, tt.want, tt.wantErr)
				}
				if r.Attempts != 1 {
					t.Fatalf("Attempts = %d; want 1", r.Attempts)
				}
			})
		})
	}
}

func TestOutcomeString(t *testing.T) {
	t.Parallel()
	for o, want := range map[workerpool.Outcome]string{
		workerpool.Succeeded: "succeeded", workerpool.Failed: "failed", workerpool.Panicked: "panicked",
		workerpool.TimedOut: "timed out", workerpool.Canceled: "canceled", workerpool.Dropped: "dropped",
		0: "Outcome(0)", 42: "Outcome(42)",
	} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q; want %q", uint8(o), got, want)
		}
	}
}
