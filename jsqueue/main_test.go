package jsqueue_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/workerpool/workerpool/jsqueue"
	"github.com/workerpool/workerpool/jsqueue/jsserver"
)

// TestMain runs a helper role when the test binary was re-executed as a
// worker or engine process (see process_test.go), and otherwise the tests,
// failing them if any goroutine outlives them: every server, connection and
// queue a test starts must be stopped.
func TestMain(m *testing.M) {
	if role := os.Getenv(helperRoleEnv); role != "" {
		os.Exit(runHelper(role))
	}
	goleak.VerifyTestMain(m)
}

// job is the job type of the tests.
type job struct {
	N int `json:"n"`
}

// waitFor bounds every wait on an event in these tests.
const waitFor = 10 * time.Second

// testBundle is what most tests need: an engine, a connection to it and a
// queue on it.
type testBundle struct {
	srv *server.Server
	nc  *nats.Conn
	js  jetstream.JetStream
	q   *jsqueue.Queue[job]
}

// setup starts an engine in a temporary directory, connects to it and
// binds a queue with cfg; everything is stopped when the test ends.
func setup(t *testing.T, cfg jsqueue.Config) *testBundle {
	t.Helper()
	srv := startServer(t, t.TempDir(), -1)
	nc, js := connect(t, srv.ClientURL())
	return &testBundle{srv: srv, nc: nc, js: js, q: newQueue(t, js, cfg)}
}

// startServer starts an engine on dir and port, shut down when the test ends.
func startServer(t *testing.T, dir string, port int) *server.Server {
	t.Helper()
	srv, err := jsserver.Start(jsserver.Options{Dir: dir, Port: port})
	if err != nil {
		t.Fatalf("jsserver.Start: %v", err)
	}
	t.Cleanup(func() { stopServer(srv) })
	return srv
}

func stopServer(srv *server.Server) {
	srv.Shutdown()
	srv.WaitForShutdown()
}

// connect opens a connection that reconnects quickly and forever, closed
// when the test ends.
func connect(t *testing.T, url string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatalf("nats.Connect(%q): %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream.New: %v", err)
	}
	return nc, js
}

// newQueue binds a queue of jobs, closed when the test ends.
func newQueue(t *testing.T, js jetstream.JetStream, cfg jsqueue.Config) *jsqueue.Queue[job] {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	q, err := jsqueue.New[job](ctx, js, cfg, nil)
	if err != nil {
		t.Fatalf("jsqueue.New: %v", err)
	}
	t.Cleanup(func() {
		if err := q.Close(); err != nil {
			t.Errorf("Close() = %v; want nil", err)
		}
	})
	return q
}

// otherProcess binds a queue on a connection of its own to b's engine, as
// another worker process would.
func otherProcess(t *testing.T, b *testBundle, cfg jsqueue.Config) *jsqueue.Queue[job] {
	t.Helper()
	_, js := connect(t, b.srv.ClientURL())
	return newQueue(t, js, cfg)
}

// redeliveryConfig has a short AckWait, for tests that wait for a lease to
// run out, and a short pull expiry, for tests that restart the engine.
func redeliveryConfig() jsqueue.Config {
	return jsqueue.Config{AckWait: time.Second, PullExpiry: 500 * time.Millisecond}
}

// ctxFor returns a context bounded by waitFor, canceled when the test ends.
func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

// mustPut puts jobs 0..n-1.
func mustPut(t *testing.T, q *jsqueue.Queue[job], n int) {
	t.Helper()
	ctx := ctxFor(t)
	for i := range n {
		if err := q.Put(ctx, job{N: i}); err != nil {
			t.Fatalf("Put(job %d) = %v; want nil", i, err)
		}
	}
}

// mustTake takes one job, failing the test after waitFor.
func mustTake(t *testing.T, q *jsqueue.Queue[job]) *jsqueue.Message[job] {
	t.Helper()
	d, err := q.Take(ctxFor(t))
	if err != nil {
		t.Fatalf("Take() = %v; want a job", err)
	}
	return d.(*jsqueue.Message[job])
}

// mustAck acknowledges d.
func mustAck(t *testing.T, d jsqueue.Delivery[job]) {
	t.Helper()
	if err := d.Ack(ctxFor(t)); err != nil {
		t.Fatalf("Ack(job %d) = %v; want nil", d.Job().N, err)
	}
}

// requireNoJob checks that Take finds nothing within d.
func requireNoJob(t *testing.T, q *jsqueue.Queue[job], d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if got, err := q.Take(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Take() = %v, %v; want no job (context.DeadlineExceeded)", got, err)
	}
}

// stats returns the queue's engine figures.
func stats(t *testing.T, q *jsqueue.Queue[job]) jsqueue.Stats {
	t.Helper()
	st, err := q.Stats(ctxFor(t))
	if err != nil {
		t.Fatalf("Stats() = %v", err)
	}
	return st
}

// requireDrained checks that nothing is left in the work stream and nothing
// is leased.
func requireDrained(t *testing.T, q *jsqueue.Queue[job]) {
	t.Helper()
	if st := stats(t, q); st.Stored != 0 || st.Pending != 0 || st.AckPending != 0 {
		t.Errorf("Stats() = %+v; want Stored, Pending and AckPending 0", st)
	}
}

// freePort returns a TCP port that was free a moment ago, to pin an engine
// to across restarts.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
