package jsqueue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
)

// A full stream (discard-new) refuses jobs: TryPut says ErrQueueFull at
// once, Put waits for room and honours its context while it waits, and
// either succeeds once a job leaves. DISTRIBUTED.md left discard-new
// unverified; this is the check, for both limits.
func TestFullStream(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  jsqueue.Config
	}{
		{"MaxMsgs", jsqueue.Config{MaxMsgs: 3}},
		{"MaxBytes", jsqueue.Config{MaxBytes: 3 * storedSize(t)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tc.cfg)
			var stored int
			for ; stored < 10; stored++ {
				if err := b.q.TryPut(job{N: stored}); err != nil {
					if !errors.Is(err, workerpool.ErrQueueFull) {
						t.Fatalf("TryPut(job %d) = %v; want nil or ErrQueueFull", stored, err)
					}
					break
				}
			}
			if stored != 3 {
				t.Fatalf("TryPut stored %d jobs before ErrQueueFull; want 3", stored)
			}
			if st := stats(t, b.q); st.Stored != 3 {
				t.Errorf("Stats().Stored = %d; want 3 (a refused job is not stored)", st.Stored)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			err := b.q.Put(ctx, job{N: 99})
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, workerpool.ErrQueueFull) {
				t.Errorf("Put(full stream, 100ms) = %v; want context.DeadlineExceeded and ErrQueueFull", err)
			}

			done := make(chan error, 1)
			go func() { done <- b.q.Put(context.Background(), job{N: 3}) }()
			mustAck(t, mustTake(t, b.q)) // makes room for exactly one
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Put() waiting for room = %v; want nil once a job left", err)
				}
			case <-time.After(waitFor):
				t.Fatal("Put() still waiting after a job left the full stream")
			}
			if err := b.q.TryPut(job{N: 4}); !errors.Is(err, workerpool.ErrQueueFull) {
				t.Errorf("TryPut() on the full-again stream = %v; want ErrQueueFull", err)
			}
			for range 3 {
				mustAck(t, mustTake(t, b.q))
			}
			requireDrained(t, b.q)
		})
	}
}

// An engine that is gone makes New and Put fail within their context (no
// hang, no panic); a closed connection makes Put and Take fail at once.
func TestUnreachableEngine(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	stopServer(b.srv)

	nctx, ncancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer ncancel()
	if _, err := jsqueue.New[job](nctx, b.js, jsqueue.Config{Stream: "OTHER", Subject: "other"}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("New(engine down) = %v; want context.DeadlineExceeded", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.q.Put(ctx, job{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Put(engine down) = %v; want an error wrapping context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > waitFor {
		t.Errorf("Put(engine down) took %v; want about its 200ms context", took)
	}
	if err := b.q.TryPut(job{}); err == nil || errors.Is(err, workerpool.ErrQueueFull) {
		t.Errorf("TryPut(engine down) = %v; want a transport error, not nil or ErrQueueFull", err)
	}

	b.nc.Close()
	if err := b.q.Put(context.Background(), job{}); !errors.Is(err, nats.ErrConnectionClosed) {
		t.Errorf("Put(connection closed) = %v; want nats.ErrConnectionClosed", err)
	}
	if _, err := b.q.Take(context.Background()); !errors.Is(err, nats.ErrConnectionClosed) {
		t.Errorf("Take(connection closed) = %v; want nats.ErrConnectionClosed", err)
	}
}

// Test 15 of DISTRIBUTED.md: the same job ID put twice within the duplicate
// window is stored, and run, once.
func TestPutWithIDIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	ctx := ctxFor(t)
	for i := range 2 {
		if err := b.q.PutWithID(ctx, "job-42", job{N: 42 + i}); err != nil {
			t.Fatalf("PutWithID(job-42) #%d = %v; want nil", i+1, err)
		}
	}
	if err := b.q.PutWithID(ctx, "job-43", job{N: 43}); err != nil {
		t.Fatalf("PutWithID(job-43) = %v; want nil", err)
	}
	if st := stats(t, b.q); st.Stored != 2 {
		t.Errorf("Stats().Stored = %d after two puts of job-42 and one of job-43; want 2", st.Stored)
	}
	for _, want := range []struct {
		id string
		n  int
	}{{"job-42", 42}, {"job-43", 43}} {
		d := mustTake(t, b.q)
		if d.ID() != want.id || d.Job().N != want.n {
			t.Errorf("Take() = %q job %d; want %q job %d (the first put wins)", d.ID(), d.Job().N, want.id, want.n)
		}
		mustAck(t, d)
	}
	requireDrained(t, b.q)
}

// Test 16 of DISTRIBUTED.md: a delayed job is not delivered before its
// time, and is delivered after it; jobs put meanwhile are not held up.
func TestPutAtDelaysTheJob(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	ctx := ctxFor(t)
	at := time.Now().Add(1200 * time.Millisecond)
	if err := b.q.PutAt(ctx, at, job{N: 1}); err != nil {
		t.Fatalf("PutAt() = %v", err)
	}
	if err := b.q.Put(ctx, job{N: 2}); err != nil {
		t.Fatalf("Put() = %v", err)
	}
	if d := mustTake(t, b.q); d.Job().N != 2 {
		t.Fatalf("first Take() = job %d; want job 2, put after the delayed job 1", d.Job().N)
	} else {
		mustAck(t, d)
	}
	d := mustTake(t, b.q)
	if now := time.Now(); d.Job().N != 1 || now.Before(at) {
		t.Errorf("second Take() = job %d at %v before its time; want job 1 no earlier than %v", d.Job().N, at.Sub(now), at)
	}
	if d.Attempt() != 1 {
		t.Errorf("delayed job's Attempt() = %d; want 1", d.Attempt())
	}
	mustAck(t, d)
	requireDrained(t, b.q) // the schedule itself is gone too
}

// A bounded stream cannot keep schedules, so a delayed put on it fails
// rather than run the job early.
func TestPutAtOnBoundedStream(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{MaxMsgs: 10})
	err := b.q.PutAfter(ctxFor(t), time.Hour, job{})
	if !errors.Is(err, workerpool.ErrInvalidArgument) || !errors.Is(err, jetstream.ErrMessageSchedulesDisabled) {
		t.Errorf("PutAfter(bounded stream) = %v; want ErrInvalidArgument and jetstream.ErrMessageSchedulesDisabled", err)
	}
	if err := b.q.PutAfter(ctxFor(t), 0, job{}); err != nil {
		t.Errorf("PutAfter(0) = %v; want nil (no delay is a plain put)", err)
	}
}

// storedSize is what one job of the tests costs in a stream's MaxBytes: more
// than its payload (subject, headers and the store's overhead count too).
func storedSize(t *testing.T) int64 {
	t.Helper()
	b := setup(t, jsqueue.Config{})
	mustPut(t, b.q, 1)
	s, err := b.js.Stream(ctxFor(t), jsqueue.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	return int64(s.CachedInfo().State.Bytes)
}
