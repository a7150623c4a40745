package jsqueue_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool/jsqueue"
	"github.com/workerpool/workerpool/jsqueue/jsserver"
)

// Email is the job type of the examples.
type Email struct {
	To string `json:"to"`
}

// withEngine runs f with a connection to an engine in a fresh directory,
// and stops both afterwards.
func withEngine(f func(js jetstream.JetStream) error) error {
	dir, err := os.MkdirTemp("", "jsqueue-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := jsserver.Start(jsserver.Options{Dir: dir, Port: -1})
	if err != nil {
		return err
	}
	defer srv.WaitForShutdown()
	defer srv.Shutdown()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	return f(js)
}

// A producer puts a job; a worker, in this process or any other, takes it
// and acknowledges it once it is done.
func Example() {
	err := withEngine(func(js jetstream.JetStream) error {
		ctx := context.Background()
		q, err := jsqueue.New[Email](ctx, js, jsqueue.Config{}, nil)
		if err != nil {
			return err
		}
		defer q.Close()

		if err := q.Put(ctx, Email{To: "ann@example.com"}); err != nil {
			return err
		}
		d, err := q.Take(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("sending to %s, attempt %d\n", d.Job().To, d.Attempt())
		return d.Ack(ctx)
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// sending to ann@example.com, attempt 1
}

// A worker keeps its lease with heartbeats while the handler runs, then
// settles the delivery by the handler's result: Ack on success, Fail for a
// permanent error, Retry with a backoff otherwise.
func ExampleMessage_Extend() {
	handle := func(ctx context.Context, e Email) error {
		if e.To == "" {
			return errors.New("no recipient")
		}
		return nil
	}
	permanent := func(err error) bool { return err.Error() == "no recipient" }

	err := withEngine(func(js jetstream.JetStream) error {
		ctx := context.Background()
		q, err := jsqueue.New[Email](ctx, js, jsqueue.Config{}, nil)
		if err != nil {
			return err
		}
		defer q.Close()
		for _, e := range []Email{{To: "ann@example.com"}, {}} {
			if err := q.Put(ctx, e); err != nil {
				return err
			}
		}

		for range 2 {
			d, err := q.Take(ctx)
			if err != nil {
				return err
			}
			beat, stop := context.WithCancel(ctx)
			go func() { // the heartbeat: stops with the handler
				t := time.NewTicker(q.LeaseInterval())
				defer t.Stop()
				for {
					select {
					case <-beat.Done():
						return
					case <-t.C:
						if d.Extend(beat) != nil {
							return // lease lost: a real worker cancels the handler here
						}
					}
				}
			}()
			herr := handle(ctx, d.Job())
			stop()
			switch {
			case herr == nil:
				fmt.Println("sent to", d.Job().To)
				err = d.Ack(ctx)
			case permanent(herr):
				fmt.Println("dead-lettered:", herr)
				err = d.Fail(ctx, herr.Error())
			default:
				err = d.Retry(ctx, time.Duration(d.Attempt())*time.Second)
			}
			if err != nil {
				return err
			}
		}
		st, err := q.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("left in the queue: %d, dead letters: %d\n", st.Stored, st.DeadLetters)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// sent to ann@example.com
	// dead-lettered: no recipient
	// left in the queue: 0, dead letters: 1
}
