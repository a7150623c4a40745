package workerpool_test

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/workerpool/workerpool"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// pool a test starts must be stopped, and nothing of it may keep running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// requireBalanced checks the accounting invariant of a stopped pool:
// every accepted job ended in exactly one outcome.
func requireBalanced(t *testing.T, s workerpool.Stats) {
	t.Helper()
	ended := s.Succeeded + s.Failed + s.Panicked + s.TimedOut + s.Canceled + s.Dropped
	if s.Running != 0 || s.Queued != 0 {
		t.Errorf("Stats() = %+v: Running and Queued must be 0 once the pool has stopped", s)
	}
	if s.Submitted != ended+uint64(s.Running)+uint64(s.Queued) {
		t.Errorf("Stats() = %+v: Submitted %d != outcomes %d + Running %d + Queued %d",
			s, s.Submitted, ended, s.Running, s.Queued)
	}
}

// closePool closes p at the end of the test and checks its accounting.
func closePool[T any](t *testing.T, p *workerpool.Pool[T]) {
	t.Helper()
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close() = %v; want nil", err)
		}
		requireBalanced(t, p.Stats())
	})
}

// submitRange submits the jobs 0, 1, …, n-1, failing the test on an error.
func submitRange(t *testing.T, p *workerpool.Pool[int], n int) {
	t.Helper()
	for j := range n {
		if err := p.Submit(context.Background(), j); err != nil {
			t.Fatalf("Submit(%d) = %v", j, err)
		}
	}
}

// mustClose closes p, failing the test on an error.
func mustClose(t *testing.T, p interface{ Close() error }) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
}
