package jsserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/workerpool/workerpool/jsqueue/jsserver"
)

// TestMain fails the tests if a server outlives them: Shutdown and
// WaitForShutdown must stop every goroutine Start began.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestStartRequiresDir(t *testing.T) {
	t.Parallel()
	if s, err := jsserver.Start(jsserver.Options{Port: -1}); err == nil {
		s.Shutdown()
		t.Fatal("Start(no Dir) = nil error; want an error")
	}
}

// A server started again on the same directory finds the stream and the
// messages the first one stored.
func TestRestartKeepsStreams(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	withServer(t, dir, func(js jetstream.JetStream) {
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, "s", []byte("kept")); err != nil {
			t.Fatal(err)
		}
	})
	withServer(t, dir, func(js jetstream.JetStream) {
		s, err := js.Stream(ctx, "S")
		if err != nil {
			t.Fatalf("Stream(S) after the restart: %v", err)
		}
		m, err := s.GetMsg(ctx, 1)
		if err != nil || string(m.Data) != "kept" {
			t.Errorf("GetMsg(1) after the restart = %v, %v; want %q", m, err, "kept")
		}
	})
}

// withServer starts a server on dir with a random port, runs f with a
// connection to it, and stops both.
func withServer(t *testing.T, dir string, f func(jetstream.JetStream)) {
	t.Helper()
	s, err := jsserver.Start(jsserver.Options{Dir: dir, Port: -1, SyncAlways: true})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.WaitForShutdown()
	defer s.Shutdown()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	f(js)
}
