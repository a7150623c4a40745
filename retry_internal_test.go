package workerpool

import (
	"testing"
	"time"
)

func TestBackoffStaysUnderItsCap(t *testing.T) {
	t.Parallel()
	r := RetryPolicy{MaxAttempts: 100, BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second}
	for n := 1; n < 100; n++ {
		ceiling := min(r.MaxDelay, r.BaseDelay<<min(n-1, 30))
		for range 50 {
			if d := r.backoff(n); d < 0 || d >= ceiling {
				t.Fatalf("backoff(%d) = %v; want in [0, %v)", n, d, ceiling)
			}
		}
	}
}
