package jsqueue

import (
	"context"
	"fmt"
)

// Stats are the engine's figures for the queue, shared by every process
// that uses it, plus what this Queue value dead-lettered in Take.
type Stats struct {
	// Pending is the number of jobs waiting for their first delivery or,
	// once handed back, for their next one (the consumer's NumPending).
	// Delayed jobs are not counted until their time comes.
	Pending uint64
	// AckPending is the number of jobs delivered and not yet settled:
	// running, or held by a worker that stopped and whose lease has not yet
	// run out (NumAckPending).
	AckPending int
	// Redelivered is the number of jobs delivered more than once and not
	// yet settled (NumRedelivered).
	Redelivered int
	// Waiting is the number of Take calls waiting for a job, across all
	// processes (NumWaiting).
	Waiting int
	// Stored is the number of messages in the work stream: pending, leased
	// and delayed jobs.
	Stored uint64
	// DeadLetters is the number of messages in the dead-letter stream.
	DeadLetters uint64

	// Undecodable and Exhausted count the messages this Queue value's Take
	// dead-lettered because they did not decode, or because they were
	// delivered more than MaxDeliver times.
	Undecodable, Exhausted uint64
}

// Stats asks the engine for the queue's figures: three round trips, bounded
// by ctx (or js's default timeout when ctx has none). It returns the
// transport's error, wrapped, when the engine does not answer.
func (q *Queue[T]) Stats(ctx context.Context) (Stats, error) {
	return q.stats(ctx)
}

func (e *engine) stats(ctx context.Context) (Stats, error) {
	if ctx == nil {
		return Stats{}, fmt.Errorf("jsqueue: stats: nil context")
	}
	ctx, cancel := e.withDefaultTimeout(ctx)
	defer cancel()
	ci, err := e.consumer.Info(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("jsqueue: stats: consumer %q: %w", e.cfg.Consumer, err)
	}
	st := Stats{
		Pending:     ci.NumPending,
		AckPending:  ci.NumAckPending,
		Redelivered: ci.NumRedelivered,
		Waiting:     ci.NumWaiting,
		Undecodable: e.undecodable.Load(),
		Exhausted:   e.exhausted.Load(),
	}
	for _, s := range []struct {
		name string
		n    *uint64
	}{{e.cfg.Stream, &st.Stored}, {e.cfg.DeadLetterStream, &st.DeadLetters}} {
		si, err := e.js.Stream(ctx, s.name)
		if err != nil {
			return Stats{}, fmt.Errorf("jsqueue: stats: stream %q: %w", s.name, err)
		}
		*s.n = si.CachedInfo().State.Msgs
	}
	return st, nil
}
