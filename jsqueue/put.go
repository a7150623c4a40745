package jsqueue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/workerpool/workerpool"
)

// HeaderID carries the job ID given to [Queue.PutWithID] or
// [PutOptions.ID], read back with [Message.ID].
const HeaderID = "Jsqueue-Id"

// PutOptions are the optional parts of a job for [Queue.PutWith].
type PutOptions struct {
	// ID makes the put idempotent: the engine stores a job once per ID
	// within the stream's duplicate window ([Config.DuplicateWindow]); a
	// second put with the same ID succeeds without storing anything. For a
	// delayed job, the ID applies to the scheduling. Empty means none.
	ID string
	// At delays the job: it is not delivered before At, and is delivered
	// within about a second after it (schedules have one-second
	// granularity). The zero time, or a time not after now, means now.
	// Only an unbounded stream keeps schedules (see [Config.MaxMsgs]); on a
	// bounded one a delayed put fails with an error wrapping
	// [workerpool.ErrInvalidArgument] and
	// [jetstream.ErrMessageSchedulesDisabled].
	At time.Time
}

// Put stores job in the queue and returns once the engine has durably
// accepted it (its PubAck). While the stream is full (see [Config.MaxMsgs])
// Put waits for room, polling with backoff, because JetStream does not
// signal free space.
//
// While the connection is down (reconnecting), Put waits for it to come
// back rather than let the connection buffer the job, which would store it
// after Put had returned an error.
//
// Put returns ctx's error when ctx ends first — wrapped together with
// [workerpool.ErrQueueFull] when the stream was full — and
// [workerpool.ErrClosed] after [Queue.Close]. An engine that does not answer
// makes Put fail within ctx's deadline, or js's default timeout when ctx
// has none, with the transport's error wrapped; a closed connection makes
// it fail at once with [nats.ErrConnectionClosed]. An error does not prove
// that the job was not stored (the PubAck may be what was lost): use
// [Queue.PutWithID] to make a retried Put safe.
func (q *Queue[T]) Put(ctx context.Context, job T) error {
	return q.PutWith(ctx, job, PutOptions{})
}

// PutWithID is [Queue.Put] with an idempotency key: see [PutOptions.ID].
func (q *Queue[T]) PutWithID(ctx context.Context, id string, job T) error {
	return q.PutWith(ctx, job, PutOptions{ID: id})
}

// PutAt is [Queue.Put] for a job to be delivered no earlier than at: see
// [PutOptions.At].
func (q *Queue[T]) PutAt(ctx context.Context, at time.Time, job T) error {
	return q.PutWith(ctx, job, PutOptions{At: at})
}

// PutAfter is [Queue.PutAt] with at = now + delay.
func (q *Queue[T]) PutAfter(ctx context.Context, delay time.Duration, job T) error {
	return q.PutWith(ctx, job, PutOptions{At: time.Now().Add(delay)})
}

// PutWith is [Queue.Put] with options: an idempotency key and a delay.
func (q *Queue[T]) PutWith(ctx context.Context, job T, o PutOptions) error {
	if ctx == nil {
		return fmt.Errorf("%w: jsqueue: nil context", workerpool.ErrInvalidArgument)
	}
	msg, opts, err := q.message(job, o)
	if err != nil {
		return err
	}
	return q.publish(ctx, msg, opts, true)
}

// TryPut stores job if the stream has room, in one round trip bounded by
// [Config.TryPutTimeout]. It returns [workerpool.ErrQueueFull] (wrapping the
// engine's error) when the stream is full, [workerpool.ErrClosed] after
// [Queue.Close], an error wrapping [nats.ErrConnectionReconnecting] at once
// while the connection is down, and the transport's error, wrapped, when
// the engine does not answer in time.
func (q *Queue[T]) TryPut(job T) error {
	msg, opts, err := q.message(job, PutOptions{})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), q.cfg.TryPutTimeout)
	defer cancel()
	return q.publish(ctx, msg, opts, false)
}

// message encodes job into the message Put publishes.
func (q *Queue[T]) message(job T, o PutOptions) (*nats.Msg, []jetstream.PublishOpt, error) {
	data, err := q.codec.Encode(job)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: jsqueue: encode job: %w", workerpool.ErrInvalidArgument, err)
	}
	msg := &nats.Msg{Subject: q.cfg.Subject, Data: data, Header: nats.Header{}}
	var opts []jetstream.PublishOpt
	if o.ID != "" {
		if strings.ContainsAny(o.ID, "\r\n") {
			return nil, nil, fmt.Errorf("%w: jsqueue: job ID %q contains a line break", workerpool.ErrInvalidArgument, o.ID)
		}
		msg.Header.Set(HeaderID, o.ID)
		opts = append(opts, jetstream.WithMsgID(o.ID))
	}
	if o.At.After(time.Now()) {
		if !q.schedules {
			return nil, nil, fmt.Errorf("%w: jsqueue: stream %q keeps no schedules for delayed jobs (a bounded stream cannot): %w",
				workerpool.ErrInvalidArgument, q.cfg.Stream, jetstream.ErrMessageSchedulesDisabled)
		}
		// Each schedule lives on a subject of its own; the engine publishes
		// the job on the target subject at its time and purges the schedule.
		msg.Subject = q.cfg.Subject + ".scheduled." + nuid.Next()
		opts = append(opts, jetstream.WithScheduleAt(ceilSecond(o.At)), jetstream.WithScheduleTarget(q.cfg.Subject))
	}
	return msg, opts, nil
}

// ceilSecond rounds t up to a whole second, the granularity of schedules,
// so that a delayed job is never delivered before the time asked for.
func ceilSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); r.Before(t) {
		return r.Add(time.Second)
	}
	return t
}

// publish sends msg and waits for its PubAck; while the stream is full it
// retries with backoff if wait is set, and fails with ErrQueueFull if not.
func (e *engine) publish(ctx context.Context, msg *nats.Msg, opts []jetstream.PublishOpt, wait bool) error {
	const firstBackoff, maxBackoff = 5 * time.Millisecond, 250 * time.Millisecond
	backoff := firstBackoff
	for {
		if e.isClosed() {
			return workerpool.ErrClosed
		}
		if err := e.connected(ctx, wait); err != nil {
			return fmt.Errorf("jsqueue: put on %q: %w", msg.Subject, err)
		}
		_, err := e.js.PublishMsg(ctx, msg, opts...)
		switch {
		case err == nil:
			return nil
		case !isFull(err):
			if ctx.Err() != nil {
				return fmt.Errorf("jsqueue: put on %q: %w (%w)", msg.Subject, ctx.Err(), err)
			}
			return fmt.Errorf("jsqueue: put on %q: %w", msg.Subject, err)
		case !wait:
			return fmt.Errorf("%w: stream %q: %w", workerpool.ErrQueueFull, e.cfg.Stream, err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("jsqueue: put: stream %q stayed full: %w (%w)", e.cfg.Stream, ctx.Err(), workerpool.ErrQueueFull)
		case <-e.stop.Done():
			t.Stop()
			return workerpool.ErrClosed
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// isFull reports whether err is the engine refusing a message because the
// stream reached MaxMsgs or MaxBytes with discard-new. The engine reports
// both as a generic "store failed" (10077) whose description is the store's
// error text, so the text is all there is to tell them from other failures.
func isFull(err error) bool {
	const errCodeStoreFailed = 10077 // JSStreamStoreFailedF in nats-server
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != errCodeStoreFailed {
		return false
	}
	d := apiErr.Description
	return strings.Contains(d, "maximum messages exceeded") || strings.Contains(d, "maximum bytes exceeded")
}

// connected waits until the connection is up, if wait is set, so that a put
// is not buffered by a reconnecting connection and stored later, after Put
// has returned an error. It returns [nats.ErrConnectionClosed] for a closed
// connection, and [nats.ErrConnectionReconnecting] (without wait) or ctx's
// error for one that is down.
func (e *engine) connected(ctx context.Context, wait bool) error {
	if e.nc.IsConnected() {
		return nil
	}
	changes := e.nc.StatusChanged(nats.CONNECTED, nats.CLOSED) // before the check: no change is missed
	defer e.nc.RemoveStatusListener(changes)
	for {
		switch st := e.nc.Status(); {
		case st == nats.CLOSED:
			return nats.ErrConnectionClosed
		case st != nats.RECONNECTING && st != nats.DISCONNECTED && st != nats.CONNECTING:
			return nil // connected, or draining: let the publish say
		case !wait:
			return fmt.Errorf("engine unreachable: %w", nats.ErrConnectionReconnecting)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("engine unreachable (connection %v): %w", e.nc.Status(), ctx.Err())
		case <-e.stop.Done():
			return workerpool.ErrClosed
		case <-changes:
		}
	}
}
