package jsqueue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Queue is a work queue on a JetStream stream: many producers [Queue.Put]
// jobs, many workers in many processes [Queue.Take] them, one at a time per
// free worker, and settle each delivery with Ack, Retry or Fail. Delivery is
// at least once: a job whose worker dies, or whose lease runs out, is
// delivered again, so handlers must be idempotent.
//
// Every method is safe for concurrent use. A Queue does not own its
// connection: [Queue.Close] stops Take and Put but leaves the connection to
// the caller, and deliveries already taken can still be settled.
type Queue[T any] struct {
	*engine
	codec Codec[T]
}

// engine is the part of a queue that does not depend on the job type: the
// resources, the lifecycle and the dead-letter path.
type engine struct {
	js        jetstream.JetStream
	nc        *nats.Conn
	cfg       Config
	consumer  jetstream.Consumer
	ackWait   time.Duration // the bound consumer's, which may differ from cfg's
	schedules bool          // the stream allows message schedules (delayed jobs)

	mu     sync.Mutex
	closed bool
	takes  sync.WaitGroup     // Take calls in progress; Close waits for them
	stop   context.Context    // canceled by Close
	cancel context.CancelFunc // cancels stop

	undecodable atomic.Uint64
	exhausted   atomic.Uint64
}

// New binds a queue of jobs of type T to the streams and consumer that cfg
// names, creating those that are missing (see [Config]). codec turns jobs
// into message payloads and back; nil means [JSONCodec].
//
// New blocks for a few round trips to the engine, bounded by ctx (or by
// js's default timeout when ctx has no deadline). It returns an error
// wrapping [workerpool.ErrInvalidOption] for a bad cfg or a nil js, an
// error wrapping [ErrIncompatible] for existing resources that cannot serve
// as this queue, and the transport's error, wrapped, when the engine cannot
// be reached.
func New[T any](ctx context.Context, js jetstream.JetStream, cfg Config, codec Codec[T]) (*Queue[T], error) {
	if ctx == nil {
		return nil, invalid("nil context")
	}
	if js == nil || js.Conn() == nil {
		return nil, invalid("nil JetStream")
	}
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if codec == nil {
		codec = JSONCodec[T]{}
	}
	e := &engine{js: js, nc: js.Conn(), cfg: cfg}
	if err := e.bind(ctx); err != nil {
		return nil, err
	}
	e.stop, e.cancel = context.WithCancel(context.Background())
	return &Queue[T]{engine: e, codec: codec}, nil
}

// bind creates or binds the work stream, the dead-letter stream and the
// consumer, and checks that existing ones fit.
func (e *engine) bind(ctx context.Context) error {
	c := e.cfg
	work, err := createOrBind(ctx, e.js, c.streamConfig())
	if err != nil {
		return err
	}
	wc := work.CachedInfo().Config
	if wc.Retention != jetstream.WorkQueuePolicy {
		return fmt.Errorf("%w: stream %q has %v retention; want WorkQueue", ErrIncompatible, c.Stream, wc.Retention)
	}
	e.schedules = wc.AllowMsgSchedules
	if _, err := createOrBind(ctx, e.js, c.deadLetterConfig()); err != nil {
		return err
	}
	cons, err := work.Consumer(ctx, c.Consumer)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		cons, err = work.CreateConsumer(ctx, c.consumerConfig())
		if errors.Is(err, jetstream.ErrConsumerExists) { // another process won the race
			cons, err = work.Consumer(ctx, c.Consumer)
		}
	}
	if err != nil {
		return fmt.Errorf("jsqueue: bind consumer %q on stream %q: %w", c.Consumer, c.Stream, err)
	}
	got := cons.CachedInfo().Config
	switch {
	case got.FilterSubject != c.Subject || len(got.FilterSubjects) > 0:
		return fmt.Errorf("%w: consumer %q filters %q %q; want %q", ErrIncompatible, c.Consumer, got.FilterSubject, got.FilterSubjects, c.Subject)
	case got.AckPolicy != jetstream.AckExplicitPolicy || got.DeliverSubject != "":
		return fmt.Errorf("%w: consumer %q must be a pull consumer with explicit acks", ErrIncompatible, c.Consumer)
	case c.MaxDeliver > 0 && got.MaxDeliver > 0 && got.MaxDeliver <= c.MaxDeliver:
		return fmt.Errorf("%w: consumer %q has MaxDeliver %d; want more than Config.MaxDeliver %d, or -1",
			ErrIncompatible, c.Consumer, got.MaxDeliver, c.MaxDeliver)
	}
	e.consumer, e.ackWait = cons, got.AckWait
	return nil
}

// createOrBind returns the stream named in sc, creating it when missing.
func createOrBind(ctx context.Context, js jetstream.JetStream, sc jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, sc.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, sc)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // another process won the race
			s, err = js.Stream(ctx, sc.Name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("jsqueue: bind stream %q: %w", sc.Name, err)
	}
	return s, nil
}

// LeaseInterval is how often a worker should call [Message.Extend] while
// its handler runs: a third of the consumer's AckWait, so that two
// heartbeats can be lost before the lease runs out.
func (q *Queue[T]) LeaseInterval() time.Duration { return q.ackWait / 3 }

// AckWait is the bound consumer's AckWait: how long a lease lasts without a
// heartbeat. It is the existing consumer's when New bound one, whatever
// [Config.AckWait] says.
func (q *Queue[T]) AckWait() time.Duration { return q.ackWait }

// Close stops the queue: Take calls in progress return
// [workerpool.ErrClosed], and so do later Take and Put calls. Close waits
// for the Take calls in progress to return, which is prompt. Jobs already
// taken are not touched: settle them (or let their leases run out).
// Close is idempotent and always returns nil.
func (q *Queue[T]) Close() error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cancel()
	q.takes.Wait()
	return nil
}

// enterTake registers a Take call, or reports that the queue is closed.
func (e *engine) enterTake() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.takes.Add(1)
	return true
}

func (e *engine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// withDefaultTimeout bounds a ctx without deadline by js's default timeout,
// as jetstream's own calls do.
func (e *engine) withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, e.js.Options().DefaultTimeout)
}
