package cli

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/workerpool/workerpool"
)

// withRetries makes --retries work until the pool's own retry policy
// (workerpool.WithRetry) is available: it runs attempt up to 1+Retries
// times, each under its own --timeout, and waits a full-jitter exponential
// backoff between attempts. Unlike the pool's policy, the wait holds the
// worker. It stops retrying as soon as the job's context ends (--halt now,
// an interrupt).
func (r *runner) withRetries(attempt func(context.Context, *job) error) func(context.Context, *job) error {
	return func(ctx context.Context, j *job) error {
		for n := 0; ; n++ {
			actx, cancel := ctx, context.CancelFunc(func() {})
			if r.o.Timeout > 0 {
				actx, cancel = context.WithTimeoutCause(ctx, r.o.Timeout, workerpool.ErrJobTimeout)
			}
			err := attempt(actx, j)
			cancel()
			if err == nil || n >= r.o.Retries || ctx.Err() != nil {
				return err
			}
			if !sleepCtx(ctx, backoff(n, r.o.RetryDelay, MaxRetryDelay)) {
				return context.Cause(ctx)
			}
		}
	}
}

// backoff is the wait before retry n+1 (n from 0): a uniformly random
// duration below min(maxDelay, base·2ⁿ), "full jitter".
func backoff(n int, base, maxDelay time.Duration) time.Duration {
	if base <= 0 {
		return 0
	}
	ceil := maxDelay
	if n < 62 && base < maxDelay>>n {
		ceil = base << n
	}
	return rand.N(ceil)
}

// sleepCtx waits d, or until ctx ends; it reports whether it waited d.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
