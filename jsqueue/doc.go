// Package jsqueue is a work queue on NATS JetStream: the channel of the
// classic worker pool stretched across processes and machines.
//
//	jobs := make(chan Job, N)       →  q, err := jsqueue.New[Job](ctx, js, jsqueue.Config{MaxMsgs: N}, nil)
//	jobs <- job                     →  err := q.Put(ctx, job)        // durable once it returns nil
//	job := <-jobs                   →  d, err := q.Take(ctx)         // one job for one free worker
//	(nothing: a crash loses it)     →  d.Ack(ctx) / d.Retry(ctx, delay) / d.Fail(ctx, reason)
//
// A [Queue] is a file-backed stream with WorkQueue retention (a job leaves
// it when acknowledged), one durable pull consumer shared by every worker of
// every process, and a Limits stream of dead letters. It satisfies the
// workerpool core's queue seam, so a pool can pull from it instead of from
// its in-memory queue; it is also usable on its own.
//
// # Delivery: at least once
//
// A taken job is leased to its worker for the consumer's AckWait. The worker
// renews the lease with Extend every [Queue.LeaseInterval] while it runs the
// job, and settles it with exactly one of:
//
//   - Ack: done; the job leaves the queue.
//   - Retry(delay): run it again after delay, on any worker; the worker is
//     free at once. Retry(0) hands it back now (shutdown).
//   - Fail(reason): dead-letter it: copied to the dead-letter stream with
//     headers (see [HeaderError] and the others), then removed.
//
// A job whose worker dies, hangs without heartbeats or loses its connection
// comes back after AckWait with Attempt()+1. After MaxDeliver deliveries
// Take dead-letters it instead of returning it. So a job accepted by Put
// ends acknowledged, dead-lettered or still in the stream, never lost — but
// it may run more than once, and handlers must be idempotent.
//
// # Engine figures
//
// [Queue.Stats] reports the consumer's pending, ack-pending, redelivered and
// waiting counts and the sizes of both streams.
//
// # Errors
//
// Put, TryPut and Take return [workerpool.ErrClosed] after Close, and
// TryPut returns [workerpool.ErrQueueFull] when the stream is full, so
// callers test them with errors.Is as they do the pool's. A bad [Config]
// wraps [workerpool.ErrInvalidOption]; resources that exist but cannot
// serve wrap [ErrIncompatible]. Transport errors are wrapped with %w, so
// errors.Is(err, nats.ErrConnectionClosed) and the jetstream sentinels work
// through them.
//
// The embedded server for tests and single-machine use is in package
// jsserver.
package jsqueue
