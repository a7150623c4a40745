package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool"
	"github.com/workerpool/workerpool/jsqueue"
)

// DefaultNATSTimeout bounds connecting to the engine and each round trip
// of `workerpool submit` and `workerpool worker` when --nats-timeout is not
// given.
const DefaultNATSTimeout = 5 * time.Second

// queueName is what a --queue NAME may be: it becomes part of stream and
// subject names, which allow neither dots nor wildcards nor spaces.
var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// QueueConfig is the JetStream configuration of the queue NAME, the same in
// every process that uses NAME: the work stream "WP_NAME" on subject
// "wp.NAME", its durable pull consumer "workers" (shared by every worker
// process of the queue), and the dead-letter stream "WP_NAME_DLQ" on
// subject "dlq.wp.NAME". Streams are file-backed, and created by the first
// process that needs them.
func QueueConfig(name string) jsqueue.Config {
	return jsqueue.Config{
		Stream:            "WP_" + name,
		Subject:           "wp." + name,
		Consumer:          "workers",
		DeadLetterStream:  "WP_" + name + "_DLQ",
		DeadLetterSubject: "dlq.wp." + name,
	}
}

// distFlags are the flags that name the engine and the queue.
type distFlags struct {
	URL     string        // --nats
	Queue   string        // --queue
	Timeout time.Duration // --nats-timeout
}

func (d *distFlags) define(fs interface {
	StringVar(*string, string, string, string)
	DurationVar(*time.Duration, string, time.Duration, string)
}) {
	fs.StringVar(&d.URL, "nats", nats.DefaultURL, "the engine's `URL`, as `workerpool serve` prints it")
	fs.StringVar(&d.Queue, "queue", "", "the queue's `NAME` (letters, digits, - and _)")
	fs.DurationVar(&d.Timeout, "nats-timeout", DefaultNATSTimeout, "bound on connecting to the engine and on each request to it")
}

func (d *distFlags) validate() error {
	switch {
	case d.Queue == "":
		return usageErr("--queue NAME is required")
	case !queueName.MatchString(d.Queue):
		return usageErr("--queue %q: want 1 to 64 letters, digits, '-' or '_'", d.Queue)
	case d.Timeout <= 0:
		return usageErr("--nats-timeout %v: must be positive", d.Timeout)
	}
	return nil
}

// wireJob is a job as it travels through the queue: the input and the job
// number submit gave it, which {#} expands to.
type wireJob struct {
	Seq   int64  `json:"seq"`
	Input string `json:"input"`
}

// jobCodec turns jobs into queue messages (JSON wireJobs) and back; a
// worker's codec also builds each job's command line.
type jobCodec struct {
	command func(input string, seq int64) []string // nil for submit
}

func (c jobCodec) Encode(j *job) ([]byte, error) {
	return json.Marshal(wireJob{Seq: j.seq, Input: j.input})
}

func (c jobCodec) Decode(data []byte) (*job, error) {
	var w wireJob
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, err
	}
	j := &job{seq: w.Seq, input: w.Input}
	if c.command != nil {
		j.argv = c.command(w.Input, w.Seq)
	}
	return j, nil
}

// openQueue connects to the engine and binds the queue d names, creating its
// streams and consumer when missing, within d.Timeout. name tells the
// engine who the connection is. The caller closes the queue, then the
// connection.
func openQueue(ctx context.Context, d *distFlags, name string, cfg jsqueue.Config, codec jobCodec) (*jsqueue.Queue[*job], *nats.Conn, error) {
	nc, err := nats.Connect(d.URL, nats.Name(name), nats.Timeout(d.Timeout),
		nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		return nil, nil, fmt.Errorf("cannot reach the engine at %s: %w (is `workerpool serve` running there?)", d.URL, err)
	}
	js, err := jetstream.New(nc, jetstream.WithDefaultTimeout(d.Timeout))
	if err == nil {
		bctx, cancel := context.WithTimeout(ctx, d.Timeout)
		defer cancel()
		var q *jsqueue.Queue[*job]
		if q, err = jsqueue.New(bctx, js, cfg, jsqueue.Codec[*job](codec)); err == nil {
			return q, nc, nil
		}
	}
	nc.Close()
	if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, nats.ErrNoResponders) {
		err = fmt.Errorf("%w (the server at %s has no JetStream: start it with `workerpool serve` or nats-server -js)", err, d.URL)
	}
	return nil, nil, fmt.Errorf("queue %q: %w", d.Queue, err)
}

// attemptQueue is the jsqueue queue as a worker's pool sees it: each job
// learns its delivery count, so that messages and --json report attempts
// across workers.
type attemptQueue struct {
	*jsqueue.Queue[*job]
}

// Take takes a delivery and records its attempt number in the job.
func (q attemptQueue) Take(ctx context.Context) (workerpool.Delivery[*job], error) {
	d, err := q.Queue.Take(ctx)
	if err == nil {
		d.Job().attempts = d.Attempt() - 1 // the handler counts the attempt it runs
	}
	return d, err
}
