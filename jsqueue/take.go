package jsqueue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
)

// Take waits for one job and leases it to the caller, who must settle it
// (Ack, Retry or Fail) or renew the lease with Extend every
// [Queue.LeaseInterval]; a lease left to run out for AckWait makes the
// engine deliver the job again, to any worker.
//
// Take pulls exactly one message per call, so a process holds no job that a
// free worker is not about to run (prefetching makes leases run out while
// jobs wait in a buffer, and jobs run twice). Call it once per free worker.
//
// A message that cannot be decoded, and a delivery past [Config.MaxDeliver],
// is not returned: Take dead-letters it (see [Message.Fail]) and waits for
// the next job. If dead-lettering fails, the message is left leased, to come
// back after AckWait, and the failure goes to [Config.Logger].
//
// Take returns ctx.Err() when ctx ends and [workerpool.ErrClosed] once
// [Queue.Close] was called. A message that arrives as either happens is
// handed back at once. While the engine is unreachable, Take keeps trying
// (it reconnects with the connection); it returns early only for an error
// that will not go away: the connection closed, or the consumer deleted.
func (q *Queue[T]) Take(ctx context.Context) (Delivery[T], error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: jsqueue: nil context", workerpool.ErrInvalidArgument)
	}
	if !q.enterTake() {
		return nil, workerpool.ErrClosed
	}
	defer q.takes.Done()
	for {
		msg, err := q.next(ctx)
		if err != nil {
			return nil, err
		}
		if d := q.deliver(ctx, msg); d != nil {
			return d, nil
		}
	}
}

// deliver turns msg into a delivery, or dead-letters it and returns nil.
func (q *Queue[T]) deliver(ctx context.Context, msg jetstream.Msg) *Message[T] {
	received := time.Now()
	meta, err := msg.Metadata()
	if err != nil { // not a consumer's delivery; cannot happen with a real engine
		q.cfg.Logger.Error("jsqueue: delivery without metadata; left to expire", "subject", msg.Subject(), "err", err)
		return nil
	}
	if limit := q.cfg.MaxDeliver; limit > 0 && meta.NumDelivered > uint64(limit) {
		q.reject(ctx, msg, meta, fmt.Sprintf("jsqueue: delivered %d times, more than MaxDeliver %d: its worker stopped or lost its lease on the last attempt",
			meta.NumDelivered, limit), &q.exhausted)
		return nil
	}
	job, err := decode(q.codec, msg.Data())
	if err != nil {
		q.reject(ctx, msg, meta, "jsqueue: decode: "+err.Error(), &q.undecodable)
		return nil
	}
	return &Message[T]{e: q.engine, msg: msg, meta: meta, job: job, leaseEnd: received.Add(q.ackWait)}
}

// decode runs the codec, turning a panic into an error.
func decode[T any](c Codec[T], data []byte) (job T, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("codec panicked: %v", v)
		}
	}()
	return c.Decode(data)
}

// reject dead-letters a message Take will not return, and counts it. Once
// begun it is finished even if Take's ctx ends (bounded by js's default
// timeout), so that Close does not leave it half done; if it fails, the
// message stays leased and comes back after AckWait for another try.
func (e *engine) reject(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, reason string, count interface{ Add(uint64) uint64 }) {
	ctx, cancel := e.withDefaultTimeout(context.WithoutCancel(ctx))
	defer cancel()
	if err := e.deadLetter(ctx, msg, meta, reason); err != nil {
		e.cfg.Logger.Error("jsqueue: could not dead-letter a message; it will be delivered again after AckWait",
			"stream", meta.Stream, "seq", meta.Sequence.Stream, "reason", reason, "err", err)
		return
	}
	count.Add(1)
}

// next pulls one message, retrying while the engine is unreachable.
func (e *engine) next(parent context.Context) (jetstream.Msg, error) {
	const firstBackoff, maxBackoff = 10 * time.Millisecond, time.Second
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	defer context.AfterFunc(e.stop, cancel)()
	backoff := firstBackoff
	for {
		// A pull sent on a done context is still served: the engine would
		// deliver a job to a request nobody reads any more, and the job
		// would wait out AckWait (or come back an attempt older).
		if ctx.Err() != nil {
			if e.stop.Err() != nil {
				return nil, workerpool.ErrClosed
			}
			return nil, parent.Err()
		}
		pctx, pcancel := context.WithTimeout(ctx, e.cfg.PullExpiry)
		msg, err := e.consumer.Next(jetstream.FetchContext(pctx))
		pcancel()
		if ctx.Err() != nil {
			if msg != nil {
				_ = msg.Nak() // arrived as the wait ended: hand it back at once
			}
			if e.stop.Err() != nil {
				return nil, workerpool.ErrClosed
			}
			return nil, parent.Err()
		}
		switch {
		case err == nil:
			return msg, nil
		case errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
			backoff = firstBackoff // the pull request expired empty: pull again
			continue
		case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, jetstream.ErrConsumerDeleted),
			errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrBadRequest):
			return nil, fmt.Errorf("jsqueue: take from consumer %q: %w", e.cfg.Consumer, err)
		}
		t := time.NewTimer(backoff) // a transient failure (no responders, leadership change, …)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}
