package workerpool_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/workerpool/workerpool"
)

var policy = workerpool.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: 4 * time.Second}

func TestRetryUntilSuccess(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		attempts := map[int]int{}
		hook, results := collect[int]()
		p, err := workerpool.New(func(_ context.Context, j int) error {
			mu.Lock()
			defer mu.Unlock()
			attempts[j]++
			if attempts[j] < 3 {
				return fmt.Errorf("attempt %d of job %d failed", attempts[j], j)
			}
			return nil
		}, workerpool.WithRetry(policy), hook)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 7); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil { // waits for the pending retries
			t.Fatal(err)
		}
		s := p.Stats()
		requireBalanced(t, s)
		if s.Submitted != 1 || s.Succeeded != 1 {
			t.Fatalf("Stats() = %+v; want one job, Succeeded", s)
		}
		r := results()[0]
		if r.Outcome != workerpool.Succeeded || r.Attempts != 3 || len(r.Errors) != 2 {
			t.Fatalf("Result = %+v; want Succeeded after 3 attempts with 2 errors", r)
		}
	})
}

func TestRetryDoesNotHoldAWorker(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		done := make(chan int, 10)
		var failedOnce bool
		p, err := workerpool.New(func(_ context.Context, j int) error {
			if j == 0 && !failedOnce {
				failedOnce = true
				return errors.New("try again")
			}
			done <- j
			return nil
		}, workerpool.WithWorkers(1), workerpool.WithRetry(workerpool.RetryPolicy{
			MaxAttempts: 2, BaseDelay: time.Hour, MaxDelay: time.Hour,
		}))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := p.Submit(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // job 0 failed and waits for its retry
		if err := p.Submit(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		if j := <-done; j != 1 || time.Since(start) != 0 {
			t.Fatalf("first job done: %d after %v; want job 1 at once, while job 0 waits to retry", j, time.Since(start))
		}
		if s := p.Stats(); s.Queued != 1 || s.Running != 0 {
			t.Fatalf("Stats() = %+v; want the waiting retry counted Queued", s)
		}
		mustClose(t, p)
		if j := <-done; j != 0 {
			t.Fatalf("second job done: %d; want the retried job 0", j)
		}
		requireBalanced(t, p.Stats())
	})
}

func TestDeadLetters(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		var mu sync.Mutex
		var letters []workerpool.DeadLetter[int]
		p, err := workerpool.New(func(_ context.Context, j int) error {
			if j == 1 {
				return workerpool.Permanent(boom)
			}
			return boom
		}, workerpool.WithRetry(policy), workerpool.WithDeadLetter(func(d workerpool.DeadLetter[int]) {
			mu.Lock()
			letters = append(letters, d)
			mu.Unlock()
		}))
		if err != nil {
			t.Fatal(err)
		}
		submitRange(t, p, 2)
		mustClose(t, p)
		s := p.Stats()
		requireBalanced(t, s)
		if s.Failed != 2 {
			t.Fatalf("Stats() = %+v; want 2 Failed", s)
		}
		if len(letters) != 2 {
			t.Fatalf("dead-letter hook called %d times; want 2", len(letters))
		}
		for _, d := range letters {
			switch d.Job {
			case 0: // exhausted its 3 attempts
				if d.Permanent || len(d.Errors) != 3 || d.Outcome != workerpool.Failed {
					t.Errorf("dead letter for job 0 = %+v; want 3 errors, not permanent", d)
				}
			case 1: // permanent: never retried
				if !d.Permanent || len(d.Errors) != 1 || !errors.Is(d.Errors[0], boom) {
					t.Errorf("dead letter for job 1 = %+v; want 1 permanent error wrapping boom", d)
				}
			}
		}
	})
}

func TestShutdownHandsBackPendingRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p, err := workerpool.New(func(context.Context, int) error { return errors.New("later") },
			workerpool.WithRetry(workerpool.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 42); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the job failed once and waits an hour
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		unstarted, err := p.Shutdown(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || len(unstarted) != 1 || unstarted[0] != 42 {
			t.Fatalf("Shutdown = %v, %v; want [42], context.DeadlineExceeded", unstarted, err)
		}
		<-p.Done()
		s := p.Stats()
		requireBalanced(t, s)
		if s.Dropped != 1 {
			t.Fatalf("Stats() = %+v; want the pending retry Dropped", s)
		}
	})
}

func TestParentCancelCancelsPendingRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		p, err := workerpool.New(func(context.Context, int) error { return errors.New("later") },
			workerpool.WithContext(parent),
			workerpool.WithRetry(workerpool.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		cancel()
		<-p.Done()
		s := p.Stats()
		requireBalanced(t, s)
		if s.Canceled != 1 {
			t.Fatalf("Stats() = %+v; want the pending retry Canceled", s)
		}
	})
}

func TestCanceledJobsAreNotRetried(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		attempts := 0
		p, err := workerpool.New(func(ctx context.Context, _ int) error {
			attempts++
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}, workerpool.WithRetry(policy))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Submit(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		<-started
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := p.Shutdown(ctx); !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		<-p.Done()
		if s := p.Stats(); s.Canceled != 1 || attempts != 1 {
			t.Fatalf("Stats() = %+v after %d attempts; want 1 attempt, Canceled", s, attempts)
		}
	})
}

func TestRetryPolicyValidation(t *testing.T) {
	t.Parallel()
	for _, rp := range []workerpool.RetryPolicy{
		{MaxAttempts: 0, BaseDelay: time.Second, MaxDelay: time.Second},
		{MaxAttempts: 2, BaseDelay: 0, MaxDelay: time.Second},
		{MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: time.Millisecond},
	} {
		if _, err := workerpool.New(noop, workerpool.WithRetry(rp)); !errors.Is(err, workerpool.ErrInvalidOption) {
			t.Errorf("WithRetry(%+v): New error = %v; want ErrInvalidOption", rp, err)
		}
	}
	if workerpool.Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	base := errors.New("x")
	wrapped := fmt.Errorf("ctx: %w", workerpool.Permanent(base))
	if !workerpool.IsPermanent(wrapped) || !errors.Is(wrapped, base) || workerpool.DefaultRetryable(wrapped) {
		t.Error("a wrapped Permanent error must stay permanent and unwrap to its cause")
	}
}
