package workerpool

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MemQueue is an in-memory [Queue]: a bounded FIFO of jobs in this process,
// with deliveries that are settled as an external queue's are. It is a test
// double for code written against Queue, and the reference subject of the
// conformance suite in package queuetest; it is not durable, and it is not
// shared between processes (use package jsqueue for that).
//
// Its semantics:
//   - Put and TryPut add a job at the back; Take hands out the front job as a
//     delivery with Attempt 1.
//   - Ack drops the job. Retry puts it back, with Attempt+1, after its delay
//     (a timer; at once for a delay ≤ 0). Fail drops it and records it (see
//     [MemQueue.Failed]). A delivery is settled once: a second Ack, Retry or
//     Fail returns an error wrapping [ErrInvalidArgument] and does nothing.
//   - Extend is a no-op: deliveries have no lease, a MemQueue is not a
//     [Leaser], and a job whose delivery is never settled is never
//     delivered again.
//   - The capacity bounds the jobs waiting to be taken: Put blocks and TryPut
//     returns [ErrQueueFull] while that many wait. A job coming back from
//     Retry is not refused, since it was accepted already: it may take the
//     queue past its capacity for a while.
//   - Close makes Take (waiting or later), Put and TryPut return [ErrClosed];
//     the jobs still waiting or due back from a Retry are discarded.
//     Deliveries already taken may still be settled.
//
// All methods are safe for concurrent use. The zero MemQueue is not usable:
// create one with [NewMemQueue].
type MemQueue[T any] struct {
	capacity int

	mu      sync.Mutex
	ready   []memItem[T]  // waiting to be taken, front first
	changed chan struct{} // closed and replaced when ready or closed changes
	closed  bool
	timers  map[*time.Timer]struct{} // pending delayed retries
	failed  []FailedJob[T]
}

type memItem[T any] struct {
	job     T
	attempt int
}

// FailedJob is a job whose delivery from a [MemQueue] was settled with Fail,
// as [MemQueue.Failed] reports it.
type FailedJob[T any] struct {
	// Job is the job.
	Job T
	// Attempt is the attempt that failed: 1 for the first delivery.
	Attempt int
	// Reason is the reason given to Fail.
	Reason string
}

// NewMemQueue returns an empty [MemQueue] that holds at most capacity
// waiting jobs, 1 ≤ capacity ≤ [MaxQueueSize]. It returns an error wrapping
// [ErrInvalidArgument] for a capacity out of that range. Memory is taken as
// jobs arrive, not up front.
func NewMemQueue[T any](capacity int) (*MemQueue[T], error) {
	if capacity < 1 || capacity > MaxQueueSize {
		return nil, fmt.Errorf("%w: NewMemQueue capacity must be in [1, %d], got %d", ErrInvalidArgument, MaxQueueSize, capacity)
	}
	return &MemQueue[T]{capacity: capacity, changed: make(chan struct{}), timers: map[*time.Timer]struct{}{}}, nil
}

// signal wakes every Put and Take waiting for a change. q.mu must be held.
func (q *MemQueue[T]) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// Put adds job at the back of the queue, blocking while capacity jobs wait.
// It returns ctx.Err() when ctx ends first (or is done already), and
// [ErrClosed] once the queue is closed; a nil ctx is an error wrapping
// [ErrInvalidArgument]. The job is added exactly when Put returns nil.
func (q *MemQueue[T]) Put(ctx context.Context, job T) error {
	if ctx == nil {
		return fmt.Errorf("%w: MemQueue.Put: nil context", ErrInvalidArgument)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return ErrClosed
		}
		if len(q.ready) < q.capacity {
			q.push(memItem[T]{job: job, attempt: 1})
			q.mu.Unlock()
			return nil
		}
		wait := q.changed
		q.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
		}
	}
}

// TryPut adds job at the back of the queue if fewer than capacity jobs
// wait, and never blocks. It returns [ErrQueueFull] if the queue is full
// and [ErrClosed] once it is closed.
func (q *MemQueue[T]) TryPut(job T) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.closed:
		return ErrClosed
	case len(q.ready) >= q.capacity:
		return ErrQueueFull
	}
	q.push(memItem[T]{job: job, attempt: 1})
	return nil
}

// push appends it and wakes the waiters. q.mu must be held.
func (q *MemQueue[T]) push(it memItem[T]) {
	q.ready = append(q.ready, it)
	q.signal()
}

// Take waits for the front job and returns its delivery. It returns
// ctx.Err() when ctx ends first, or is done already (even if a job waits:
// that job stays in the queue), and
// [ErrClosed] once the queue is closed; a nil ctx is an error wrapping
// [ErrInvalidArgument].
func (q *MemQueue[T]) Take(ctx context.Context) (Delivery[T], error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: MemQueue.Take: nil context", ErrInvalidArgument)
	}
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			q.mu.Unlock()
			return nil, err
		}
		if len(q.ready) > 0 {
			it := q.ready[0]
			var zero memItem[T]
			q.ready[0] = zero // let the job be collected once settled
			q.ready = q.ready[1:]
			if len(q.ready) == 0 {
				q.ready = nil // reuse no stale backing array
			}
			q.signal() // room for a waiting Put
			q.mu.Unlock()
			return &memDelivery[T]{q: q, item: it}, nil
		}
		wait := q.changed
		q.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close closes the queue: Take calls waiting and later, Put and TryPut
// return [ErrClosed]. The jobs still waiting, and those due back from a
// Retry, are discarded. Close is idempotent and returns nil.
func (q *MemQueue[T]) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil
	}
	q.closed = true
	q.ready = nil
	for t := range q.timers {
		t.Stop()
	}
	clear(q.timers)
	q.signal()
	return nil
}

// Len returns the number of jobs waiting to be taken, not counting those
// taken and not yet settled or waiting out a Retry delay.
func (q *MemQueue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ready)
}

// Failed returns a copy of the jobs whose deliveries were settled with
// Fail, in the order they failed. The queue keeps them for its life (it is a
// test double), so a long-lived MemQueue whose jobs fail grows.
func (q *MemQueue[T]) Failed() []FailedJob[T] {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]FailedJob[T](nil), q.failed...)
}

// requeue puts it back after delay (at once for ≤ 0), past the capacity if
// need be. Nothing happens once the queue is closed.
func (q *MemQueue[T]) requeue(it memItem[T], delay time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	if delay <= 0 {
		q.push(it)
		return
	}
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		if _, pending := q.timers[t]; !pending { // Close stopped it meanwhile
			return
		}
		delete(q.timers, t)
		q.push(it)
	})
	q.timers[t] = struct{}{}
}

// errSettled is returned by a second settling call on a delivery.
var errSettled = fmt.Errorf("%w: MemQueue delivery already settled", ErrInvalidArgument)

// memDelivery is one delivery of a MemQueue.
type memDelivery[T any] struct {
	q    *MemQueue[T]
	item memItem[T]

	mu      sync.Mutex
	settled bool
}

func (d *memDelivery[T]) Job() T       { return d.item.job }
func (d *memDelivery[T]) Attempt() int { return d.item.attempt }

// settle marks d settled, or reports that it was already.
func (d *memDelivery[T]) settle() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.settled {
		return errSettled
	}
	d.settled = true
	return nil
}

func (d *memDelivery[T]) Ack(context.Context) error { return d.settle() }

func (d *memDelivery[T]) Retry(_ context.Context, delay time.Duration) error {
	if err := d.settle(); err != nil {
		return err
	}
	d.q.requeue(memItem[T]{job: d.item.job, attempt: d.item.attempt + 1}, delay)
	return nil
}

func (d *memDelivery[T]) Extend(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.settled {
		return errSettled
	}
	return nil
}

func (d *memDelivery[T]) Fail(_ context.Context, reason string) error {
	if err := d.settle(); err != nil {
		return err
	}
	d.q.mu.Lock()
	d.q.failed = append(d.q.failed, FailedJob[T]{Job: d.item.job, Attempt: d.item.attempt, Reason: reason})
	d.q.mu.Unlock()
	return nil
}

var _ Queue[int] = (*MemQueue[int])(nil)
