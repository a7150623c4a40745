package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/workerpool/workerpool/jsqueue/jsserver"
)

// engine is a JetStream server in the test process, on a random port, with
// a connection for inspecting its streams.
type engine struct {
	url string
	js  jetstream.JetStream
}

func startEngine(t *testing.T) *engine {
	t.Helper()
	srv, err := jsserver.Start(jsserver.Options{Dir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return &engine{url: srv.ClientURL(), js: js}
}

// stored returns how many messages the stream holds.
func (e *engine) stored(t *testing.T, stream string) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := e.js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// submit runs `workerpool submit` on queue with the given inputs and
// requires it to succeed.
func (e *engine) submit(t *testing.T, queue string, args ...string) {
	t.Helper()
	res := runCLI(t, "", append([]string{"submit", "--nats", e.url, "--queue", queue}, args...)...)
	if res.code != 0 {
		t.Fatalf("submit %v: exit %d, stderr %q", args, res.code, res.stderr)
	}
}

// worker is a `workerpool worker` running in the background.
type worker struct {
	stderr *watchWriter
	sigs   chan os.Signal
	done   <-chan int
}

// startWorker starts `workerpool worker --nats URL --queue queue args...`
// with stdout going to out.
func (e *engine) startWorker(t *testing.T, queue string, out *lineCounter, args ...string) *worker {
	t.Helper()
	w := &worker{stderr: &watchWriter{}, sigs: make(chan os.Signal, 3)}
	ready := w.stderr.when("interrupt to stop")
	argv := append([]string{"worker", "--nats", e.url, "--queue", queue, "--no-progress"}, args...)
	w.done = startRun(t, argv, Env{Stdout: out, Stderr: w.stderr, Signals: w.sigs})
	select {
	case <-ready:
	case code := <-w.done:
		t.Fatalf("worker exited %d before it was ready: %s", code, w.stderr)
	}
	return w
}

// stop interrupts the worker n times and returns its exit code.
func (w *worker) stop(t *testing.T, n int) int {
	t.Helper()
	for range n {
		w.sigs <- syscall.SIGINT
	}
	var code int
	await(t, recv(w.done, &code), "the worker to exit")
	return code
}

// lineCounter is a stdout that several workers may share: it keeps what is
// written and closes a channel once a given number of lines has arrived.
// Each job's output comes in one Write, so lines of two workers never mix.
type lineCounter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	want  int
	ready chan struct{}
}

func newLineCounter(want int) *lineCounter {
	return &lineCounter{want: want, ready: make(chan struct{})}
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	before := bytes.Count(c.buf.Bytes(), []byte("\n"))
	c.buf.Write(p)
	if n := before + bytes.Count(p, []byte("\n")); before < c.want && n >= c.want {
		close(c.ready)
	}
	return len(p), nil
}

func (c *lineCounter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// lines returns the channel closed once want lines were written.
func (c *lineCounter) lines() <-chan struct{} { return c.ready }

// contains reports whether s holds every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
