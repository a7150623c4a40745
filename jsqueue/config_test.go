package jsqueue_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	for _, tc := range []struct {
		name string
		cfg  jsqueue.Config
	}{
		{"stream with a dot", jsqueue.Config{Stream: "a.b"}},
		{"consumer with a space", jsqueue.Config{Consumer: "a b"}},
		{"dead-letter stream with a wildcard", jsqueue.Config{DeadLetterStream: "a*"}},
		{"dead-letter stream same as stream", jsqueue.Config{Stream: "S", DeadLetterStream: "S"}},
		{"wildcard subject", jsqueue.Config{Subject: "jobs.>"}},
		{"empty token", jsqueue.Config{Subject: "jobs..x"}},
		{"dead-letter subject in the work stream", jsqueue.Config{DeadLetterSubject: "jobs.dead"}},
		{"dead-letter subject equal to subject", jsqueue.Config{DeadLetterSubject: "jobs"}},
		{"negative AckWait", jsqueue.Config{AckWait: -time.Second}},
		{"MaxDeliver -2", jsqueue.Config{MaxDeliver: -2}},
		{"MaxAckPending -2", jsqueue.Config{MaxAckPending: -2}},
		{"MaxMsgs -2", jsqueue.Config{MaxMsgs: -2}},
		{"MaxBytes -2", jsqueue.Config{MaxBytes: -2}},
		{"Replicas 2", jsqueue.Config{Replicas: 2}},
		{"Storage 7", jsqueue.Config{Storage: 7}},
		{"negative DuplicateWindow", jsqueue.Config{DuplicateWindow: -1}},
		{"negative PullExpiry", jsqueue.Config{PullExpiry: -1}},
		{"tiny PullExpiry", jsqueue.Config{PullExpiry: time.Millisecond}},
		{"negative TryPutTimeout", jsqueue.Config{TryPutTimeout: -1}},
	} {
		if _, err := jsqueue.New[job](ctxFor(t), b.js, tc.cfg, nil); !errors.Is(err, workerpool.ErrInvalidOption) {
			t.Errorf("New(%s) = %v; want ErrInvalidOption", tc.name, err)
		}
	}
	if _, err := jsqueue.New[job](ctxFor(t), nil, jsqueue.Config{}, nil); !errors.Is(err, workerpool.ErrInvalidOption) {
		t.Errorf("New(nil JetStream) = %v; want ErrInvalidOption", err)
	}
	//lint:ignore SA1012 a nil context is the bad input under test
	if _, err := jsqueue.New[job](nil, b.js, jsqueue.Config{}, nil); !errors.Is(err, workerpool.ErrInvalidOption) {
		t.Errorf("New(nil context) = %v; want ErrInvalidOption", err)
	}
}

// A second New with the same names binds to what the first created, and
// both values serve the same queue; the consumer's real AckWait sets the
// lease interval even when the second Config says otherwise.
func TestNewBindsExisting(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{AckWait: 3 * time.Second})
	second := newQueue(t, b.js, jsqueue.Config{AckWait: time.Minute})
	if got := second.LeaseInterval(); got != time.Second {
		t.Errorf("LeaseInterval() of the bound queue = %v; want a third of the consumer's 3s", got)
	}
	mustPut(t, b.q, 1)
	mustAck(t, mustTake(t, second))
	requireDrained(t, b.q)
}

// Existing resources that cannot serve as the queue are refused with
// ErrIncompatible, not used wrongly.
func TestNewRefusesIncompatible(t *testing.T) {
	t.Parallel()
	b := setup(t, jsqueue.Config{})
	ctx := ctxFor(t)
	if _, err := b.js.CreateStream(ctx, jetstream.StreamConfig{Name: "LIMITS", Subjects: []string{"limits"}}); err != nil {
		t.Fatal(err)
	}
	s, err := b.js.Stream(ctx, jsqueue.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []jetstream.ConsumerConfig{
		{Durable: "other-filter", FilterSubject: "jobs.scheduled.x", AckPolicy: jetstream.AckExplicitPolicy},
		{Durable: "low-max-deliver", FilterSubject: "other", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 5},
	} {
		if _, err := s.CreateConsumer(ctx, c); err != nil {
			t.Fatalf("CreateConsumer(%s): %v", c.Durable, err)
		}
	}
	for _, tc := range []struct {
		name string
		cfg  jsqueue.Config
	}{
		{"Limits stream", jsqueue.Config{Stream: "LIMITS", Subject: "limits"}},
		{"consumer on another subject", jsqueue.Config{Consumer: "other-filter"}},
		{"consumer with MaxDeliver ≤ Config's", jsqueue.Config{Consumer: "low-max-deliver", Subject: "other", Stream: jsqueue.DefaultStream}},
	} {
		if _, err := jsqueue.New[job](ctx, b.js, tc.cfg, nil); !errors.Is(err, jsqueue.ErrIncompatible) {
			t.Errorf("New(%s) = %v; want ErrIncompatible", tc.name, err)
		}
	}
}
