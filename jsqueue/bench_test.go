package jsqueue_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
	"github.com/workerpool/workerpool/jsqueue/jsserver"
)

// BenchmarkThroughput measures end-to-end no-op jobs, put → take → ack, on
// an embedded engine with file storage: one producer and 1, 2 or 4
// consumers, each consumer on a connection of its own as a worker process
// would be. b.N jobs flow per run; jobs/s is the figure to read.
//
//   - queue: Queue.Put, Queue.Take, Message.Ack (a double ack).
//   - pool: a workerpool.NewWithQueue pool per consumer (4 workers each)
//     running a no-op handler: the path `workerpool worker` takes, without
//     the processes it starts.
//   - bare: the same protocol by hand, the engine's ceiling for it:
//     a synchronous publish, Next() (one message per pull) and Ack().
//   - bare-batch: Fetch(64) and Ack(), the prefetching loop Take refuses
//     to be (it runs jobs twice when they are slow), for scale.
//
// In "flow" runs the producer puts while the consumers take, so one
// producer's PubAck round trips can be the bound; in "drain" runs the jobs
// are put before the clock starts, so only take → ack is timed.
func BenchmarkThroughput(b *testing.B) {
	for _, phase := range []string{"flow", "drain"} {
		for _, consumers := range []int{1, 2, 4} {
			for _, mode := range []string{"queue", "pool", "bare", "bare-batch"} {
				b.Run(fmt.Sprintf("%s/%s/consumers=%d", phase, mode, consumers), func(b *testing.B) {
					benchThroughput(b, phase == "drain", mode, consumers)
				})
			}
		}
	}
}

func benchThroughput(b *testing.B, prefill bool, mode string, consumers int) {
	b.ReportAllocs()
	srv, err := jsserver.Start(jsserver.Options{Dir: b.TempDir(), Port: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.WaitForShutdown()
	defer srv.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var conns []*nats.Conn
	defer func() {
		for _, nc := range conns {
			nc.Close()
		}
	}()
	dial := func() (*jsqueue.Queue[job], jetstream.JetStream) {
		nc, err := nats.Connect(srv.ClientURL())
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, nc)
		js, err := jetstream.New(nc)
		if err != nil {
			b.Fatal(err)
		}
		q, err := jsqueue.New[job](ctx, js, jsqueue.Config{MaxAckPending: -1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		return q, js
	}
	producer, _ := dial()
	defer producer.Close()
	type worker struct {
		q    *jsqueue.Queue[job]
		bare jetstream.Consumer // the same consumer, for the bare loops
	}
	workers := make([]worker, consumers)
	for i := range workers {
		q, js := dial()
		defer q.Close()
		c, err := js.Consumer(ctx, jsqueue.DefaultStream, jsqueue.DefaultConsumer)
		if err != nil {
			b.Fatal(err)
		}
		workers[i] = worker{q, c}
	}

	var done atomic.Int64
	finish := func() {
		if done.Add(1) == int64(b.N) {
			cancel()
		}
	}
	produce := func() {
		for i := range b.N {
			// Not on ctx, which ends when the last job is acked: that can
			// be before the PubAck of the last put arrives.
			if err := producer.Put(context.Background(), job{N: i}); err != nil {
				b.Error(err)
				return
			}
		}
	}
	if prefill {
		produce()
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	if !prefill {
		wg.Go(produce)
	}
	for _, w := range workers {
		wg.Go(func() {
			switch mode {
			case "queue":
				consumeQueue(ctx, w.q, finish)
			case "pool":
				consumePool(ctx, b, w.q, finish)
			default:
				consumeBare(ctx, b, w.bare, mode == "bare-batch", finish)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

func consumeQueue(ctx context.Context, q *jsqueue.Queue[job], finish func()) {
	for {
		d, err := q.Take(ctx)
		if err != nil {
			return
		}
		if d.Ack(ctx) == nil {
			finish()
		}
	}
}

// consumePool runs a pool on q until ctx ends, then closes it.
func consumePool(ctx context.Context, b *testing.B, q *jsqueue.Queue[job], finish func()) {
	p, err := workerpool.NewWithQueue[job](q, func(context.Context, job) error { return nil },
		workerpool.WithWorkers(4), workerpool.WithResultHook(func(workerpool.Result[job]) { finish() }))
	if err != nil {
		b.Error(err)
		return
	}
	<-ctx.Done()
	_ = p.Close()
}

func consumeBare(ctx context.Context, b *testing.B, c jetstream.Consumer, batch bool, finish func()) {
	size := 1
	if batch {
		size = 64
	}
	for ctx.Err() == nil {
		msgs, err := c.Fetch(size, jetstream.FetchContext(ctx))
		if err != nil {
			return
		}
		for m := range msgs.Messages() {
			if err := m.Ack(); err != nil {
				b.Error(err)
			}
			finish()
		}
	}
}
