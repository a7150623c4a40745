package workerpool_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/workerpool/workerpool"
)

func TestResultHookSeesEveryJobOnceAndNeverBlocksWorkers(t *testing.T) {
	t.Parallel()
	const n = 500
	hookRelease := make(chan struct{})
	var mu sync.Mutex
	seen := map[int]int{}
	p, err := workerpool.New(noop, workerpool.WithWorkers(4), workerpool.WithQueueSize(8),
		workerpool.WithResultHook(func(r workerpool.Result[int]) {
			<-hookRelease // a hook stuck until every job has run
			mu.Lock()
			seen[r.Job]++
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	submitRange(t, p, n)
	// Every job runs although the hook has not returned once: workers only
	// leave results behind. Queued reaches 0 only when all have been taken.
	closed := make(chan error)
	go func() { closed <- p.Close() }()
	select {
	case <-p.Done():
		t.Fatal("Done closed before the hook had seen the results")
	default:
	}
	close(hookRelease)
	if err := recv(t, closed, "Close"); err != nil {
		t.Fatal(err)
	}
	requireBalanced(t, p.Stats())
	if len(seen) != n {
		t.Fatalf("hook saw %d distinct jobs; want %d", len(seen), n)
	}
	for j, c := range seen {
		if c != 1 {
			t.Fatalf("hook saw job %d %d times; want once", j, c)
		}
	}
}

func TestResultHookPanicIsRecoveredAndLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	calls := 0
	p, err := workerpool.New(noop,
		workerpool.WithLogger(slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))),
		workerpool.WithResultHook(func(workerpool.Result[int]) {
			mu.Lock()
			calls++
			mu.Unlock()
			panic("hook bug")
		}))
	if err != nil {
		t.Fatal(err)
	}
	submitRange(t, p, 3)
	mustClose(t, p)
	requireBalanced(t, p.Stats())
	if calls != 3 {
		t.Fatalf("hook called %d times; want 3 (a panic in it must not stop delivery)", calls)
	}
	if !strings.Contains(logs.String(), "hook panicked") {
		t.Fatalf("log = %q; want the hook's panic reported", logs.String())
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func TestResultTimings(t *testing.T) {
	t.Parallel()
	hook, results := collect[int]()
	p, err := workerpool.New(noop, hook)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	mustClose(t, p)
	r := results()[0]
	if r.Job != 7 || r.Outcome != workerpool.Succeeded || r.Err != nil || r.Attempts != 1 || r.Wait < 0 || r.Run < 0 {
		t.Fatalf("Result = %+v; want job 7 Succeeded, 1 attempt, non-negative timings", r)
	}
}
