package jsqueue_test

import (
	"context"
	"testing"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
	"github.com/workerpool/workerpool/queuetest"
)

// conformanceCapacity bounds the queues of the conformance suite (MaxMsgs).
const conformanceCapacity = 8

// The JetStream queue passes the queue conformance suite, each subtest on
// an engine of its own. AckWait stays at its default (30s), far beyond the
// suite's waits, so that no redelivery for a lapsed lease can pass for the
// behaviour under test: Retry(0) must hand the job back by itself.
func TestConformance(t *testing.T) {
	t.Parallel()
	queuetest.Run(t, func(t *testing.T) workerpool.Queue[int] {
		srv := startServer(t, t.TempDir(), -1)
		_, js := connect(t, srv.ClientURL())
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		q, err := jsqueue.New[int](ctx, js, jsqueue.Config{MaxMsgs: conformanceCapacity}, nil)
		if err != nil {
			t.Fatalf("jsqueue.New: %v", err)
		}
		t.Cleanup(func() { _ = q.Close() })
		return q
	}, queuetest.Options{Capacity: conformanceCapacity})
}
