package jsqueue

import (
	"errors"
	"fmt"

	"github.com/workerpool/workerpool"
)

// Besides these, the queue returns the core's sentinels: see the package
// doc's Errors section.

// ErrIncompatible is wrapped by the error [New] returns when a stream or
// consumer of the configured name exists but cannot serve as the queue: a
// work stream without WorkQueue retention, a consumer that is not a pull
// consumer filtered on the queue's subject, or a consumer whose MaxDeliver
// would stop deliveries before [Queue.Take] can dead-letter them.
var ErrIncompatible = errors.New("jsqueue: existing stream or consumer is incompatible")

// ErrLeaseExpired is returned by [Message.Retry], [Message.Fail] and
// [Message.Extend] when the delivery's lease has run out: no heartbeat was
// confirmed within AckWait (see [Message.LeaseDeadline]). The engine has
// delivered the job again, or will at its next pull, so this worker must
// not settle it: a stale Retry or Fail would act on the new delivery, since
// the engine knows a job by its stream sequence only. The job's outcome
// here is "lease lost". [Message.Ack] is still sent after expiry: the job
// did succeed, and the engine removes it.
//
// It wraps [workerpool.ErrLeaseLost], so a pool that renews the lease
// cancels the handler at once.
var ErrLeaseExpired = fmt.Errorf("jsqueue: lease expired: %w", workerpool.ErrLeaseLost)
