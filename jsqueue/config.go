package jsqueue

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
)

// Defaults that [New] fills in for the zero values of [Config].
const (
	DefaultStream        = "JOBS"
	DefaultSubject       = "jobs"
	DefaultConsumer      = "workers"
	DefaultAckWait       = 30 * time.Second
	DefaultMaxDeliver    = 5
	DefaultMaxAckPending = 1000
	DefaultPullExpiry    = 5 * time.Second
	DefaultTryPutTimeout = time.Second
)

// minPullExpiry keeps pull requests long enough to be worth a round trip.
const minPullExpiry = 100 * time.Millisecond

// minMaxWaiting is the server's default MaxWaiting (pull requests a consumer
// keeps waiting). Each idle [Queue.Take] holds one, so New raises it to
// MaxAckPending when that is larger.
const minMaxWaiting = 512

// Config describes the server-side resources of a queue: a WorkQueue stream
// that holds the jobs, the one durable pull consumer that every worker of
// every process shares, and a Limits stream that holds the dead letters.
//
// [New] creates the streams and the consumer when they are missing and binds
// to them as they are when they exist: the fields that describe a resource
// (limits, storage, replicas, ack wait, …) apply only when New creates it.
// Every process that uses the same queue must pass the same names.
//
// The zero value is a valid configuration: every zero field takes the default
// its doc names.
type Config struct {
	// Stream is the name of the work stream. Default [DefaultStream].
	Stream string
	// Subject is the subject jobs are published on: a literal subject
	// (no wildcards). The stream also holds Subject+".scheduled.*" for
	// delayed jobs. Default [DefaultSubject].
	Subject string
	// Consumer is the name of the durable pull consumer. Default
	// [DefaultConsumer].
	Consumer string

	// DeadLetterStream is the name of the dead-letter stream (Limits
	// retention, so that it can be browsed). Default Stream+"_DLQ".
	DeadLetterStream string
	// DeadLetterSubject is the subject dead letters are published on; it
	// must not overlap the work stream's subjects. Default "dlq."+Subject.
	DeadLetterSubject string

	// AckWait is how long a delivered job stays leased to its worker without
	// an Ack, Retry, Fail or Extend before the engine delivers it again.
	// Default [DefaultAckWait]; negative is an error. Workers should call
	// Extend every [Queue.LeaseInterval].
	AckWait time.Duration
	// MaxDeliver is the most times a job is handed to a worker. [Queue.Take]
	// dead-letters, instead of returning, a delivery past it (its worker
	// crashed or lost its lease on the last attempt). Default
	// [DefaultMaxDeliver]; -1 means no limit.
	//
	// The limit is applied by Take, not by the engine: New creates the
	// consumer without a server-side MaxDeliver, because the engine stops
	// delivering a job at its limit but keeps it in the stream, where nobody
	// would ever see it again (nats-server#5564). An existing consumer must
	// allow more than MaxDeliver deliveries, or any number.
	MaxDeliver int
	// MaxAckPending is the most jobs leased at once, across all workers of
	// all processes: at least the total number of workers. Default
	// [DefaultMaxAckPending]; -1 means no limit.
	MaxAckPending int

	// MaxMsgs and MaxBytes bound the work stream (jobs waiting, leased or
	// scheduled). A full stream refuses new jobs (discard-new): TryPut
	// returns [workerpool.ErrQueueFull] and Put waits for room. 0 or -1
	// means no limit.
	//
	// A bounded queue cannot hold delayed jobs: JetStream refuses message
	// schedules on a discard-new stream ("message scheduling cannot use
	// discard new"), so New creates a bounded stream without them and
	// [Queue.PutAt] on it fails. An unbounded stream gets schedules.
	MaxMsgs  int64
	MaxBytes int64
	// Replicas is the number of copies of each stream and of the consumer in
	// a cluster: 1, 3 or 5. Default 1.
	Replicas int
	// Storage is where the streams keep their messages. The zero value is
	// [jetstream.FileStorage], which survives engine restarts.
	Storage jetstream.StorageType
	// DuplicateWindow is how long the engine remembers job IDs given to
	// [Queue.PutWithID]. Default: the server's (2 minutes); negative is an
	// error.
	DuplicateWindow time.Duration

	// PullExpiry is how long one pull request waits on the engine before an
	// idle [Queue.Take] issues a fresh one. It bounds how long an idle Take
	// takes to notice an engine that came back. Default [DefaultPullExpiry];
	// at least 100ms.
	PullExpiry time.Duration
	// TryPutTimeout bounds [Queue.TryPut]'s one round trip to the engine.
	// Default [DefaultTryPutTimeout].
	TryPutTimeout time.Duration

	// Logger receives what the queue cannot return to a caller, such as a
	// failed attempt to dead-letter an undecodable message. It is not a
	// server resource. nil means silent.
	Logger *slog.Logger
}

// resolve validates c and fills in the defaults.
func (c Config) resolve() (Config, error) {
	setDefault(&c.Stream, DefaultStream)
	setDefault(&c.Subject, DefaultSubject)
	setDefault(&c.Consumer, DefaultConsumer)
	setDefault(&c.DeadLetterStream, c.Stream+"_DLQ")
	setDefault(&c.DeadLetterSubject, "dlq."+c.Subject)
	setDefault(&c.AckWait, DefaultAckWait)
	setDefault(&c.MaxDeliver, DefaultMaxDeliver)
	setDefault(&c.MaxAckPending, DefaultMaxAckPending)
	setDefault(&c.Replicas, 1)
	setDefault(&c.PullExpiry, DefaultPullExpiry)
	setDefault(&c.TryPutTimeout, DefaultTryPutTimeout)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	for _, n := range []struct{ field, name string }{
		{"Stream", c.Stream}, {"Consumer", c.Consumer}, {"DeadLetterStream", c.DeadLetterStream},
	} {
		if !validName(n.name) {
			return c, invalid("%s %q must be a name without spaces, '.', '*', '>', '/' or '\\'", n.field, n.name)
		}
	}
	if c.Stream == c.DeadLetterStream {
		return c, invalid("DeadLetterStream %q must differ from Stream", c.DeadLetterStream)
	}
	for _, s := range []struct{ field, subj string }{
		{"Subject", c.Subject}, {"DeadLetterSubject", c.DeadLetterSubject},
	} {
		if !literalSubject(s.subj) {
			return c, invalid("%s %q must be a literal subject (dot-separated tokens, no wildcards or spaces)", s.field, s.subj)
		}
	}
	if c.DeadLetterSubject == c.Subject || strings.HasPrefix(c.DeadLetterSubject, c.Subject+".") {
		return c, invalid("DeadLetterSubject %q overlaps the work stream's subjects %q", c.DeadLetterSubject, c.Subject+".>")
	}
	switch {
	case c.AckWait < 0:
		return c, invalid("AckWait must be ≥ 0, got %v", c.AckWait)
	case c.MaxDeliver < -1:
		return c, invalid("MaxDeliver must be ≥ -1, got %d", c.MaxDeliver)
	case c.MaxAckPending < -1:
		return c, invalid("MaxAckPending must be ≥ -1, got %d", c.MaxAckPending)
	case c.MaxMsgs < -1:
		return c, invalid("MaxMsgs must be ≥ -1, got %d", c.MaxMsgs)
	case c.MaxBytes < -1:
		return c, invalid("MaxBytes must be ≥ -1, got %d", c.MaxBytes)
	case c.Replicas != 1 && c.Replicas != 3 && c.Replicas != 5:
		return c, invalid("Replicas must be 1, 3 or 5, got %d", c.Replicas)
	case c.Storage != jetstream.FileStorage && c.Storage != jetstream.MemoryStorage:
		return c, invalid("Storage must be FileStorage or MemoryStorage, got %d", c.Storage)
	case c.DuplicateWindow < 0:
		return c, invalid("DuplicateWindow must be ≥ 0, got %v", c.DuplicateWindow)
	case c.PullExpiry < minPullExpiry:
		return c, invalid("PullExpiry must be 0 (the default) or ≥ %v, got %v", minPullExpiry, c.PullExpiry)
	case c.TryPutTimeout < 0:
		return c, invalid("TryPutTimeout must be ≥ 0, got %v", c.TryPutTimeout)
	}
	return c, nil
}

// streamConfig is the work stream New creates when it is missing.
func (c Config) streamConfig() jetstream.StreamConfig {
	bounded := c.MaxMsgs > 0 || c.MaxBytes > 0
	discard := jetstream.DiscardOld // without limits it never applies
	if bounded {
		discard = jetstream.DiscardNew // a full queue refuses jobs, never drops them
	}
	return jetstream.StreamConfig{
		Name:              c.Stream,
		Subjects:          []string{c.Subject, c.scheduledSubjects()},
		Retention:         jetstream.WorkQueuePolicy,
		Discard:           discard,
		MaxMsgs:           unlimited(c.MaxMsgs),
		MaxBytes:          unlimited(c.MaxBytes),
		Storage:           c.Storage,
		Replicas:          c.Replicas,
		Duplicates:        c.DuplicateWindow,
		AllowMsgSchedules: !bounded,
	}
}

// deadLetterConfig is the dead-letter stream New creates when it is missing.
func (c Config) deadLetterConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       c.DeadLetterStream,
		Subjects:   []string{c.DeadLetterSubject},
		Retention:  jetstream.LimitsPolicy,
		Storage:    c.Storage,
		Replicas:   c.Replicas,
		Duplicates: c.DuplicateWindow,
	}
}

// consumerConfig is the durable pull consumer New creates when it is missing.
func (c Config) consumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       c.Consumer,
		FilterSubject: c.Subject,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    -1, // Take applies MaxDeliver: see Config.MaxDeliver
		MaxAckPending: c.MaxAckPending,
		MaxWaiting:    max(minMaxWaiting, c.MaxAckPending),
		Replicas:      c.Replicas,
	}
}

// scheduledSubjects is where delayed jobs wait for their time, one subject each.
func (c Config) scheduledSubjects() string { return c.Subject + ".scheduled.*" }

func setDefault[V comparable](v *V, def V) {
	var zero V
	if *v == zero {
		*v = def
	}
}

// unlimited turns the Config's "0 means no limit" into the server's -1.
func unlimited(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

func validName(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n.*>/\\")
}

func literalSubject(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n*>") {
		return false
	}
	for tok := range strings.SplitSeq(s, ".") {
		if tok == "" {
			return false
		}
	}
	return true
}

// invalid wraps [workerpool.ErrInvalidOption], as the core's options do.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: jsqueue: "+format, append([]any{workerpool.ErrInvalidOption}, args...)...)
}
