package workerpool_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
)

func noop(context.Context, int) error { return nil }

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	tests := []struct {
		name string
		opts []workerpool.Option
	}{
		{"zero workers", []workerpool.Option{workerpool.WithWorkers(0)}},
		{"negative workers", []workerpool.Option{workerpool.WithWorkers(-3)}},
		{"negative queue", []workerpool.Option{workerpool.WithQueueSize(-1)}},
		{"huge queue", []workerpool.Option{workerpool.WithQueueSize(workerpool.MaxQueueSize + 1)}},
		{"negative timeout", []workerpool.Option{workerpool.WithJobTimeout(-time.Second)}},
		{"nil parent", []workerpool.Option{workerpool.WithContext(nilCtx)}},
		{"nil logger", []workerpool.Option{workerpool.WithLogger(nil)}},
		{"nil hook", []workerpool.Option{workerpool.WithResultHook[int](nil)}},
		{"hook of another type", []workerpool.Option{workerpool.WithResultHook(func(workerpool.Result[string]) {})}},
		{"nil option", []workerpool.Option{workerpool.WithWorkers(1), nil}},
		{"bad after good", []workerpool.Option{workerpool.WithWorkers(2), workerpool.WithWorkers(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := workerpool.New(noop, tt.opts...)
			if !errors.Is(err, workerpool.ErrInvalidOption) {
				t.Fatalf("New(%s) error = %v; want one wrapping ErrInvalidOption", tt.name, err)
			}
			if p != nil {
				t.Fatalf("New(%s) returned a pool with its error", tt.name)
			}
		})
	}
}

func TestNewRejectsNilHandler(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New[int](nil)
	if !errors.Is(err, workerpool.ErrInvalidOption) || p != nil {
		t.Fatalf("New(nil) = %v, %v; want nil, an error wrapping ErrInvalidOption", p, err)
	}
	tp, err := workerpool.NewTaskPool(workerpool.WithWorkers(0))
	if !errors.Is(err, workerpool.ErrInvalidOption) || tp != nil {
		t.Fatalf("NewTaskPool(WithWorkers(0)) = %v, %v; want nil, an error wrapping ErrInvalidOption", tp, err)
	}
}

func TestNewAcceptsEdgeValues(t *testing.T) {
	t.Parallel()
	p, err := workerpool.New(noop,
		workerpool.WithWorkers(1),
		workerpool.WithQueueSize(0),
		workerpool.WithJobTimeout(0),
		workerpool.WithContext(context.Background()),
		workerpool.WithLogger(slog.New(slog.DiscardHandler)),
		workerpool.WithResultHook(func(workerpool.Result[int]) {}),
	)
	if err != nil {
		t.Fatalf("New with edge values: %v", err)
	}
	closePool(t, p)
}
