package jsqueue

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
)

// Delivery is the core's queue seam, [workerpool.Delivery]: one job handed
// to one worker. The dynamic type of every Delivery that [Queue.Take]
// returns is *[Message][T].
type Delivery[T any] = workerpool.Delivery[T]

// Message is one delivery of one job to one worker: the job, its lease,
// and the calls that settle it. Ack, Retry and Fail settle it (the first
// that succeeds wins; later ones return an error wrapping
// [jetstream.ErrMsgAlreadyAckd]); Extend renews the lease.
//
// Each call waits for the engine to confirm it, bounded by ctx (or js's
// default timeout when ctx has none), and wraps the transport's error when
// it fails. A failed call leaves the delivery unsettled: call again, or let
// the lease run out and the job be delivered again.
//
// Safe for concurrent use: a heartbeat goroutine may Extend while the
// handler's goroutine settles.
type Message[T any] struct {
	e    *engine
	msg  jetstream.Msg
	meta *jetstream.MsgMetadata
	job  T

	mu       sync.Mutex
	settled  bool
	leaseEnd time.Time // estimated: the last confirmed lease start + AckWait
}

// Job returns the decoded job.
func (m *Message[T]) Job() T { return m.job }

// Attempt is the delivery count: 1 on the first delivery. After an engine
// crash the count may lag (the consumer's state is persisted lazily), so
// treat it as a hint for backoff and dead-lettering, never as an identity.
func (m *Message[T]) Attempt() int { return int(m.meta.NumDelivered) }

// ID is the job ID it was put with ([PutOptions.ID]), or "".
func (m *Message[T]) ID() string { return m.msg.Headers().Get(HeaderID) }

// Sequence is the job's sequence number in the work stream: the same on
// every delivery of the job, and unique within the stream.
func (m *Message[T]) Sequence() uint64 { return m.meta.Sequence.Stream }

// LeaseDeadline is when the lease runs out unless extended, as this
// process estimates it: AckWait after the delivery arrived, or after the
// last confirmed [Message.Extend] was sent. Past it, Retry, Fail and Extend
// return [ErrLeaseExpired].
func (m *Message[T]) LeaseDeadline() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leaseEnd
}

// Ack reports success: the engine removes the job from the queue. Ack waits
// for the engine's confirmation (a double ack), so a nil error means the
// job will not be delivered again. Ack is sent even past
// [Message.LeaseDeadline]: the job did succeed, though it may be running
// again elsewhere by then.
func (m *Message[T]) Ack(ctx context.Context) error {
	return m.settle(ctx, "ack", func(ctx context.Context) error { return m.msg.DoubleAck(ctx) })
}

// Retry hands the job back to be delivered again after delay, without
// holding a worker while it waits (a nak with delay). A delay ≤ 0 hands it
// back at once: use that for a job a worker gives up without running it,
// such as on shutdown. The next delivery counts as a new attempt. Past
// [Message.LeaseDeadline] it sends nothing and returns [ErrLeaseExpired]:
// the job is already on its way back.
func (m *Message[T]) Retry(ctx context.Context, delay time.Duration) error {
	body := "-NAK"
	if delay > 0 {
		body = fmt.Sprintf(`-NAK {"delay": %d}`, delay.Nanoseconds())
	}
	return m.settle(ctx, "retry", func(ctx context.Context) error {
		if err := m.leaseHeld(); err != nil {
			return err
		}
		return m.e.ackSync(ctx, m.msg, body)
	})
}

// Extend renews the lease for another AckWait (an in-progress ack). Call it
// every [Queue.LeaseInterval] while the handler runs. Extend after the
// delivery was settled returns an error.
//
// Past [Message.LeaseDeadline] it sends nothing and returns
// [ErrLeaseExpired]: the worker should stop the job (the pool cancels the
// handler's context). A nil error confirms that the engine received the
// heartbeat, not that the lease was still this worker's.
func (m *Message[T]) Extend(ctx context.Context) error {
	m.mu.Lock()
	settled, err := m.settled, m.leaseHeld()
	m.mu.Unlock()
	switch {
	case settled:
		return fmt.Errorf("jsqueue: extend: %w", jetstream.ErrMsgAlreadyAckd)
	case err != nil:
		return fmt.Errorf("jsqueue: extend: %w", err)
	}
	sent := time.Now()
	if err := m.e.ackSync(ctx, m.msg, "+WPI"); err != nil {
		return fmt.Errorf("jsqueue: extend: %w", err)
	}
	m.mu.Lock()
	m.leaseEnd = sent.Add(m.e.ackWait)
	m.mu.Unlock()
	return nil
}

// leaseHeld returns ErrLeaseExpired once the lease deadline has passed.
// m.mu must be held.
func (m *Message[T]) leaseHeld() error {
	if time.Now().After(m.leaseEnd) {
		return fmt.Errorf("%w at %v", ErrLeaseExpired, m.leaseEnd.Format(time.RFC3339Nano))
	}
	return nil
}

// Fail dead-letters the job: it copies the message to the dead-letter
// stream, with headers that say where it came from, how often it was
// delivered and why it failed (see [HeaderError] and the others), and then
// terminates it so that it leaves the work stream. Use it for a permanent
// failure and for the last failed attempt. reason is recorded in the
// [HeaderError] header (line breaks become spaces) and in the engine's
// termination advisory. Past [Message.LeaseDeadline] it does nothing and
// returns [ErrLeaseExpired].
//
// When the copy fails, the job is left as it was; when the termination
// fails after the copy, a later Fail of the same job does not copy it twice
// within the duplicate window.
func (m *Message[T]) Fail(ctx context.Context, reason string) error {
	return m.settle(ctx, "fail", func(ctx context.Context) error {
		if err := m.leaseHeld(); err != nil {
			return err
		}
		return m.e.deadLetter(ctx, m.msg, m.meta, reason)
	})
}

// settle runs op once the delivery is known to be unsettled, and marks it
// settled when op succeeds.
func (m *Message[T]) settle(ctx context.Context, what string, op func(context.Context) error) error {
	m.mu.Lock()
	defer m.mu.Unlock() // one settling call at a time; Extend waits for it
	if m.settled {
		return fmt.Errorf("jsqueue: %s: %w", what, jetstream.ErrMsgAlreadyAckd)
	}
	if ctx == nil {
		return fmt.Errorf("jsqueue: %s: nil context", what)
	}
	if err := op(ctx); err != nil {
		return fmt.Errorf("jsqueue: %s: %w", what, err)
	}
	m.settled = true
	return nil
}

// ackSync sends one acknowledgement of msg (body in JetStream's ack
// protocol) and waits for the engine to confirm it.
func (e *engine) ackSync(ctx context.Context, msg jetstream.Msg, body string) error {
	if ctx == nil {
		return fmt.Errorf("nil context")
	}
	ctx, cancel := e.withDefaultTimeout(ctx)
	defer cancel()
	_, err := e.nc.RequestWithContext(ctx, msg.Reply(), []byte(body))
	return err
}
