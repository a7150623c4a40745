package workerpool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/workerpool/workerpool"
)

func TestTaskPoolRunsFuncs(t *testing.T) {
	t.Parallel()
	p, err := workerpool.NewTaskPool(workerpool.WithWorkers(3))
	if err != nil {
		t.Fatal(err)
	}
	var sum atomic.Int64
	for i := range 100 {
		if err := p.Go(func(context.Context) error { sum.Add(int64(i)); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, p)
	if got := sum.Load(); got != 4950 {
		t.Fatalf("sum = %d; want 4950", got)
	}
	requireBalanced(t, p.Stats())
	if err := p.Go(func(context.Context) error { return nil }); !errors.Is(err, workerpool.ErrClosed) {
		t.Fatalf("Go after Close = %v; want ErrClosed", err)
	}
}

func TestTaskPoolRejectsNilTask(t *testing.T) {
	t.Parallel()
	hook, results := collect[workerpool.Task]()
	p, err := workerpool.NewTaskPool(hook)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Go(nil); !errors.Is(err, workerpool.ErrInvalidArgument) {
		t.Fatalf("Go(nil) = %v; want ErrInvalidArgument", err)
	}
	// Through Submit a nil task is accepted, and fails cleanly, no panic.
	if err := p.Submit(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	mustClose(t, p)
	s := p.Stats()
	requireBalanced(t, s)
	if r := results(); s.Failed != 1 || !errors.Is(r[0].Err, workerpool.ErrInvalidArgument) {
		t.Fatalf("Stats() = %+v, results %v; want the nil task Failed with ErrInvalidArgument", s, r)
	}
}
