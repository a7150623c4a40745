package jsqueue_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/workerpool/workerpool/jsqueue"
)

// putTakeAck puts jobs 0..put-1, takes take of them and acks the first ack
// taken, leaving the others in flight.
func putTakeAck(t *testing.T, q *jsqueue.Queue[job], put, take, ack int) (acked, inFlight map[int]bool) {
	t.Helper()
	mustPut(t, q, put)
	acked, inFlight = make(map[int]bool), make(map[int]bool)
	for i := range take {
		d := mustTake(t, q)
		if i < ack {
			mustAck(t, d)
			acked[d.Job().N] = true
		} else {
			inFlight[d.Job().N] = true
		}
	}
	return acked, inFlight
}

// drained is what a drain of the queue delivered.
type drained struct {
	deliveries int
	byJob      map[int][]int // job → the attempts it was delivered at
}

// drain takes and acks jobs until every job in want has been delivered,
// failing the test if that takes longer than waitFor.
func drain(t *testing.T, q *jsqueue.Queue[job], want map[int]bool) drained {
	t.Helper()
	got := drained{byJob: make(map[int][]int)}
	missing := len(want)
	for missing > 0 {
		d := mustTake(t, q)
		n := d.Job().N
		if want[n] && len(got.byJob[n]) == 0 {
			missing--
		}
		got.deliveries++
		got.byJob[n] = append(got.byJob[n], d.Attempt())
		mustAck(t, d)
	}
	return got
}

// Test 6 of DISTRIBUTED.md: 100 jobs put, 30 taken, 20 of them acked and
// 10 left in flight, then the engine shuts down and starts again on the
// same store directory and port. The same connection and queue value carry
// on: the 80 remaining jobs all run, once each, the 10 as redeliveries.
func TestEngineGracefulRestart(t *testing.T) {
	t.Parallel()
	const outage = 1000 // the job put while the engine is down
	dir, port := t.TempDir(), freePort(t)
	srv := startServer(t, dir, port)
	nc, js := connect(t, srv.ClientURL())
	q := newQueue(t, js, redeliveryConfig())
	_, inFlight := putTakeAck(t, q, 100, 30, 20)

	down := nc.StatusChanged(nats.RECONNECTING)
	defer nc.RemoveStatusListener(down)
	stopServer(srv)
	<-down // the connection knows; a put now cannot slip out before the stop
	// Test 8's producer side: a put while the engine is down fails within
	// its context, and the job is not stored later behind Put's back (the
	// connection would buffer it and send it on reconnecting).
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := q.Put(ctx, job{N: outage}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Put() while the engine is down = %v; want context.DeadlineExceeded", err)
	}
	if err := q.TryPut(job{N: outage}); !errors.Is(err, nats.ErrConnectionReconnecting) {
		t.Errorf("TryPut() while the engine is down = %v; want nats.ErrConnectionReconnecting", err)
	}
	startServer(t, dir, port)

	want := make(map[int]bool)
	for n := 20; n < 100; n++ {
		want[n] = true
	}
	got := drain(t, q, want)
	if got.deliveries != 80 || len(got.byJob) != 80 {
		t.Errorf("after the restart: %d deliveries of %d jobs; want 80 of 80", got.deliveries, len(got.byJob))
	}
	for n, attempts := range got.byJob {
		wantAttempt := 1
		if inFlight[n] {
			wantAttempt = 2
		}
		if !want[n] || len(attempts) != 1 || attempts[0] != wantAttempt {
			t.Errorf("job %d delivered at attempts %v; want once, at attempt %d", n, attempts, wantAttempt)
		}
	}
	requireDrained(t, q)
}

// Test 7 of DISTRIBUTED.md: the engine runs in a helper process, which is
// SIGKILLed with 500 jobs put (each PubAck'd), 25 acked and 25 in flight,
// and respawned on the same directory and port. Every job that was not
// acked runs afterwards: duplicates are allowed (the consumer's state on
// disk may lag), losses are not. Three rounds, as the outcome varies.
func TestEngineKilled(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		t.Run(strconv.Itoa(round), func(t *testing.T) {
			dir, port := t.TempDir(), freePort(t)
			env := []string{helperDirEnv + "=" + dir, helperPortEnv + "=" + strconv.Itoa(port)}
			engine := spawn(t, "engine", env...)
			if got := engine.line(t); got != "ready" {
				t.Fatalf("engine printed %q; want ready", got)
			}
			_, js := connect(t, "nats://127.0.0.1:"+strconv.Itoa(port))
			q := newQueue(t, js, redeliveryConfig())
			acked, _ := putTakeAck(t, q, 500, 50, 25)

			engine.kill(t)
			engine = spawn(t, "engine", env...)
			if got := engine.line(t); got != "ready" {
				t.Fatalf("respawned engine printed %q; want ready", got)
			}

			want := make(map[int]bool)
			for n := range 500 {
				if !acked[n] {
					want[n] = true
				}
			}
			got := drain(t, q, want)
			var ackedAgain, redelivered int
			for n, attempts := range got.byJob {
				if acked[n] {
					ackedAgain++
				}
				if attempts[0] > 1 {
					redelivered++
				}
			}
			t.Logf("after the kill: %d deliveries of %d jobs (%d un-acked expected); %d came back as redeliveries, %d acked jobs came back",
				got.deliveries, len(got.byJob), len(want), redelivered, ackedAgain)
			requireDrained(t, q)
		})
	}
}
