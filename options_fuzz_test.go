package workerpool_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/workerpool/workerpool"
)

// Which options FuzzOptions passes: bits of its use argument.
const (
	useWorkers = 1 << iota
	useQueue
	useTimeout
	useGrace
	useMaxAbandon
	useAutoscale
	useRetry
	useResultHook
	useDeadLetter
	useStuckHook
	useLogger
	useParent
	useCanceledParent // with useParent: the parent is canceled before New
	useReversed       // pass the options in the reverse order
)

// Options FuzzOptions gets wrong on purpose: bits of its odd argument.
const (
	oddNilOption = 1 << iota
	oddNilParent
	oddNilLogger
	oddNilResultHook
	oddForeignResultHook // a hook for another job type, in place of the right one
	oddNilDeadLetter
	oddNilStuckHook
	oddForeignStuckHook
)

// FuzzOptions checks New's validation against the documented ranges of
// every option: whatever the values, New returns a pool and no error
// exactly when each option is in range (the oracle, written from the
// option docs), an error wrapping ErrInvalidOption and no pool otherwise,
// and never panics; a pool it returns runs jobs and closes cleanly, its
// Stats balanced.
func FuzzOptions(f *testing.F) {
	sec, ms := int64(time.Second), int64(time.Millisecond)
	f.Add(uint16(0), 0, 0, int64(0), int64(0), 0, 0, 0, int64(0), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(0x0fff), 4, 16, sec, sec, 2, 0, 4, sec, 3, ms, sec, uint8(0))
	f.Add(uint16(useWorkers|useQueue), workerpool.MaxWorkers, workerpool.MaxQueueSize, int64(0), int64(0), 0, 0, 0, int64(0), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(useWorkers|useQueue), workerpool.MaxWorkers+1, workerpool.MaxQueueSize+1, int64(0), int64(0), 0, 0, 0, int64(0), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(useTimeout|useGrace|useMaxAbandon), 0, 0, int64(-1), int64(0), -1, 0, 0, int64(0), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(useTimeout|useGrace), 0, 0, int64(1), int64(1), 0, 0, 0, int64(0), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(useAutoscale), 0, 0, int64(0), int64(0), 0, 0, 1, int64(1), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(useAutoscale), 0, 0, int64(0), int64(0), 0, 3, 2, int64(1), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(useRetry), 0, 0, int64(0), int64(0), 0, 0, 0, int64(0), 1, ms, ms-1, uint8(0))
	f.Add(uint16(useRetry), 0, 0, int64(0), int64(0), 0, 0, 0, int64(0), 1<<62, int64(1<<62), int64(1<<62), uint8(0))
	f.Add(uint16(useParent|useCanceledParent|useResultHook), 2, 2, int64(0), int64(0), 0, 0, 0, int64(0), 0, int64(0), int64(0), uint8(0))
	f.Add(uint16(useResultHook|useStuckHook|useReversed), 2, 2, int64(0), int64(0), 0, 0, 0, int64(0), 0, int64(0), int64(0), uint8(oddForeignResultHook))
	f.Add(uint16(0x3fff), 1, 1, sec, sec, 1, 1, 2, sec, 2, ms, ms, uint8(0xff))
	f.Fuzz(func(t *testing.T, use uint16, workers, queue int, timeout, grace int64, maxAbandon, minW, maxW int,
		idle int64, attempts int, base, maxDelay int64, odd uint8) {
		var opts []workerpool.Option
		valid := true
		add := func(ok bool, o workerpool.Option) {
			valid = valid && ok
			opts = append(opts, o)
		}
		if use&useWorkers != 0 {
			ok := 1 <= workers && workers <= workerpool.MaxWorkers
			if ok {
				workers = 1 + workers%64 // in range, but not a million goroutines
			}
			add(ok, workerpool.WithWorkers(workers))
		}
		if use&useQueue != 0 {
			ok := 0 <= queue && queue <= workerpool.MaxQueueSize
			if ok {
				queue %= 4096 // in range, but not a huge allocation
			}
			add(ok, workerpool.WithQueueSize(queue))
		}
		if use&useTimeout != 0 {
			add(timeout >= 0, workerpool.WithJobTimeout(time.Duration(timeout)))
		}
		if use&useGrace != 0 {
			add(grace > 0, workerpool.WithStuckGrace(time.Duration(grace)))
		}
		if use&useMaxAbandon != 0 {
			add(maxAbandon >= 0, workerpool.WithMaxAbandoned(maxAbandon))
		}
		if use&useAutoscale != 0 {
			ok := 0 <= minW && minW <= maxW && 1 <= maxW && maxW <= workerpool.MaxWorkers && idle > 0
			if ok {
				maxW = 1 + (maxW-1)%64
				minW %= maxW + 1
			}
			add(ok, workerpool.WithAutoscale(minW, maxW, time.Duration(idle)))
		}
		if use&useRetry != 0 {
			ok := attempts >= 1 && base > 0 && maxDelay >= base
			add(ok, workerpool.WithRetry(workerpool.RetryPolicy{
				MaxAttempts: attempts, BaseDelay: time.Duration(base), MaxDelay: time.Duration(maxDelay),
			}))
		}
		switch {
		case odd&oddNilResultHook != 0:
			add(false, workerpool.WithResultHook[int](nil))
		case odd&oddForeignResultHook != 0:
			add(false, workerpool.WithResultHook(func(workerpool.Result[string]) {}))
		case use&useResultHook != 0:
			add(true, workerpool.WithResultHook(func(workerpool.Result[int]) {}))
		}
		if odd&oddNilDeadLetter != 0 {
			add(false, workerpool.WithDeadLetter[int](nil))
		} else if use&useDeadLetter != 0 {
			add(true, workerpool.WithDeadLetter(func(workerpool.DeadLetter[int]) {}))
		}
		switch {
		case odd&oddNilStuckHook != 0:
			add(false, workerpool.WithStuckHook[int](nil))
		case odd&oddForeignStuckHook != 0:
			add(false, workerpool.WithStuckHook(func(workerpool.StuckJob[float64]) {}))
		case use&useStuckHook != 0:
			add(true, workerpool.WithStuckHook(func(workerpool.StuckJob[int]) {}))
		}
		if odd&oddNilLogger != 0 {
			add(false, workerpool.WithLogger(nil))
		} else if use&useLogger != 0 {
			add(true, workerpool.WithLogger(slog.New(slog.DiscardHandler)))
		}
		if odd&oddNilParent != 0 {
			var nilCtx context.Context
			add(false, workerpool.WithContext(nilCtx))
		} else if use&useParent != 0 {
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			if use&useCanceledParent != 0 {
				cancel()
			}
			add(true, workerpool.WithContext(parent))
		}
		if odd&oddNilOption != 0 {
			add(false, nil)
		}
		if use&useQueue != 0 && use&useAutoscale != 0 && queue == 0 {
			valid = false // "Autoscaling needs a queue: it is an error with WithQueueSize(0)."
		}
		if use&useReversed != 0 {
			slices.Reverse(opts)
		}

		p, err := workerpool.New(func(context.Context, int) error { return nil }, opts...)
		if !valid {
			if !errors.Is(err, workerpool.ErrInvalidOption) || p != nil {
				t.Fatalf("New with an option out of range = %v, %v; want no pool and an error wrapping ErrInvalidOption", p, err)
			}
			return
		}
		if err != nil || p == nil {
			t.Fatalf("New with every option in range = %v, %v; want a pool", p, err)
		}
		accepted := uint64(0)
		for j := range 3 {
			switch err := p.TrySubmit(j); {
			case err == nil:
				accepted++
			case !errors.Is(err, workerpool.ErrQueueFull) && !errors.Is(err, workerpool.ErrClosed):
				t.Fatalf("TrySubmit = %v; want nil, ErrQueueFull or ErrClosed", err)
			}
		}
		if err := p.Close(); err != nil {
			t.Fatalf("Close() = %v; want nil", err)
		}
		s := p.Stats()
		requireBalanced(t, s)
		if s.Submitted != accepted {
			t.Fatalf("Stats().Submitted = %d; want %d", s.Submitted, accepted)
		}
	})
}
