package jsqueue_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool/jsqueue"
)

// deadLetters subscribes to the dead-letter subject, so a test can wait for
// a dead letter as an event. Subscribe before the dead-lettering.
func deadLetters(t *testing.T, b *testBundle) *nats.Subscription {
	t.Helper()
	sub, err := b.nc.SubscribeSync("dlq." + jsqueue.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.nc.Flush(); err != nil { // the engine knows of it before we go on
		t.Fatal(err)
	}
	return sub
}

// nextDeadLetter waits for the next dead letter.
func nextDeadLetter(t *testing.T, sub *nats.Subscription) *nats.Msg {
	t.Helper()
	m, err := sub.NextMsg(waitFor)
	if err != nil {
		t.Fatalf("no dead letter within %v: %v", waitFor, err)
	}
	return m
}

// requireDeadLetter checks a dead letter's payload and headers.
func requireDeadLetter(t *testing.T, m *nats.Msg, payload string, seq uint64, deliveries int, reason string) {
	t.Helper()
	if string(m.Data) != payload {
		t.Errorf("dead letter payload = %q; want %q", m.Data, payload)
	}
	for h, want := range map[string]string{
		jsqueue.HeaderSubject:    jsqueue.DefaultSubject,
		jsqueue.HeaderStream:     jsqueue.DefaultStream,
		jsqueue.HeaderSequence:   strconv.FormatUint(seq, 10),
		jsqueue.HeaderDeliveries: strconv.Itoa(deliveries),
	} {
		if got := m.Header.Get(h); got != want {
			t.Errorf("dead letter header %s = %q; want %q", h, got, want)
		}
	}
	if got := m.Header.Get(jsqueue.HeaderError); !strings.Contains(got, reason) {
		t.Errorf("dead letter header %s = %q; want it to contain %q", jsqueue.HeaderError, got, reason)
	}
	if _, err := time.Parse(time.RFC3339Nano, m.Header.Get(jsqueue.HeaderFailedAt)); err != nil {
		t.Errorf("dead letter header %s: %v", jsqueue.HeaderFailedAt, err)
	}
}

// requireGone checks that the job with stream sequence seq has left the
// work stream.
func requireGone(t *testing.T, b *testBundle, seq uint64) {
	t.Helper()
	s, err := b.js.Stream(ctxFor(t), jsqueue.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMsg(ctxFor(t), seq); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("GetMsg(%d) on the work stream = %v; want jetstream.ErrMsgNotFound", seq, err)
	}
}

// Tests 10 and 11 of DISTRIBUTED.md: Fail copies the job to the
// dead-letter stream with its metadata and removes it from the work stream,
// whether on the first attempt (a permanent error) or after retries ran out.
func TestFailDeadLetters(t *testing.T) {
	t.Parallel()
	for _, attempts := range []int{1, 3} {
		t.Run(strconv.Itoa(attempts)+" attempts", func(t *testing.T) {
			t.Parallel()
			b := setup(t, jsqueue.Config{MaxDeliver: 3})
			sub := deadLetters(t, b)
			if err := b.q.PutWithID(ctxFor(t), "id-1", job{N: 5}); err != nil {
				t.Fatal(err)
			}
			var d *jsqueue.Message[job]
			for i := 1; ; i++ {
				d = mustTake(t, b.q)
				if d.Attempt() != i {
					t.Fatalf("Take() #%d: Attempt() = %d; want %d", i, d.Attempt(), i)
				}
				if i == attempts {
					break
				}
				if err := d.Retry(ctxFor(t), 0); err != nil {
					t.Fatalf("Retry() = %v", err)
				}
			}
			if err := d.Fail(ctxFor(t), "boom:\nbad input"); err != nil {
				t.Fatalf("Fail() = %v", err)
			}
			m := nextDeadLetter(t, sub)
			requireDeadLetter(t, m, `{"n":5}`, d.Sequence(), attempts, "boom: bad input")
			if got := m.Header.Get(jsqueue.HeaderID); got != "id-1" {
				t.Errorf("dead letter header %s = %q; want %q", jsqueue.HeaderID, got, "id-1")
			}
			requireGone(t, b, d.Sequence())
			requireDrained(t, b.q)
			if st := stats(t, b.q); st.DeadLetters != 1 {
				t.Errorf("Stats().DeadLetters = %d; want 1", st.DeadLetters)
			}
		})
	}
}

// A message that does not decode is dead-lettered with the decode error:
// Take does not return it, does not crash, and goes on to the next job.
func TestUndecodableDeadLetters(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	sub := deadLetters(t, b)
	ack, err := b.js.Publish(ctxFor(t), jsqueue.DefaultSubject, []byte("not json"))
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, b.q, 1)

	d := mustTake(t, b.q)
	if d.Job().N != 0 {
		t.Errorf("Take() = job %d; want job 0, past the undecodable message", d.Job().N)
	}
	mustAck(t, d)
	requireDeadLetter(t, nextDeadLetter(t, sub), "not json", ack.Sequence, 1, "decode")
	requireGone(t, b, ack.Sequence)
	requireDrained(t, b.q)
	if st := stats(t, b.q); st.Undecodable != 1 || st.DeadLetters != 1 {
		t.Errorf("Stats() = %+v; want Undecodable 1, DeadLetters 1", st)
	}
}

// A codec that panics on bad input does not crash Take either.
func TestPanickingCodecDeadLetters(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	sub := deadLetters(t, b)
	q, err := jsqueue.New[job](ctxFor(t), b.js, jsqueue.Config{}, panicCodec{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if _, err := b.js.Publish(ctxFor(t), jsqueue.DefaultSubject, []byte("x")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, err := q.Take(ctx); done <- err }()
	requireDeadLetter(t, nextDeadLetter(t, sub), "x", 1, 1, "codec panicked")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Take() = %v; want context.Canceled", err)
	}
}

type panicCodec struct{ jsqueue.JSONCodec[job] }

func (panicCodec) Decode([]byte) (job, error) { panic("bad input") }

// A job delivered more than MaxDeliver times — its worker died or lost the
// lease on the last attempt, so nobody failed it — is dead-lettered by Take
// instead of being run again or left in the stream forever.
func TestExhaustedDeadLetters(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{MaxDeliver: 2})
	sub := deadLetters(t, b)
	mustPut(t, b.q, 1)
	var seq uint64
	for range 2 { // both attempts end without a settle that removes the job
		d := mustTake(t, b.q)
		seq = d.Sequence()
		if err := d.Retry(ctxFor(t), 0); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, err := b.q.Take(ctx); done <- err }()
	requireDeadLetter(t, nextDeadLetter(t, sub), `{"n":0}`, seq, 3, "more than MaxDeliver 2")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Take() = %v; want context.Canceled (the exhausted job is not returned)", err)
	}
	requireGone(t, b, seq)
	requireDrained(t, b.q)
	if st := stats(t, b.q); st.Exhausted != 1 || st.DeadLetters != 1 {
		t.Errorf("Stats() = %+v; want Exhausted 1, DeadLetters 1", st)
	}
}
