// Package jsserver starts a single-node NATS server with JetStream inside
// the calling process: the engine for jsqueue's tests, and for a durable
// queue on one machine with nothing else to install.
//
//	s, err := jsserver.Start(jsserver.Options{Dir: dir, Port: -1})
//	if err != nil { … }
//	defer s.WaitForShutdown()
//	defer s.Shutdown()
//	nc, err := nats.Connect(s.ClientURL())
//
// Starting on an empty directory takes a few milliseconds. Starting again on
// the same directory finds the streams, consumers and messages the last run
// left, whether it shut down or crashed.
package jsserver

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultHost is the interface Start listens on when Options.Host is empty:
// this machine only.
const DefaultHost = "127.0.0.1"

// DefaultReadyTimeout bounds how long Start waits for the server to accept
// connections when Options.ReadyTimeout is 0.
const DefaultReadyTimeout = 5 * time.Second

// Options are the few settings of an embedded server.
type Options struct {
	// Dir is where JetStream keeps its files; required. Start again on the
	// same Dir to find the streams again.
	Dir string
	// Host is the interface to listen on. Default [DefaultHost].
	Host string
	// Port is the client port: 0 means NATS's default 4222 and -1 a random
	// free port (read it back with ClientURL). Pin the port when clients must
	// reconnect to a restarted server on their own.
	Port int
	// SyncAlways makes the file store fsync every write. Without it the
	// store syncs every two minutes: a process crash loses nothing (writes
	// sit in the OS's page cache) but a power loss or OS crash can lose up to
	// that window.
	SyncAlways bool
	// ReadyTimeout bounds the wait for the server to accept connections.
	// Default [DefaultReadyTimeout].
	ReadyTimeout time.Duration
}

// Start starts a server with JetStream on, file storage in opts.Dir, no
// logging and no signal handlers (the calling program owns its signals),
// and waits until it accepts connections. The caller stops it with
// Shutdown, then WaitForShutdown.
//
// Start returns an error for an empty Dir or bad options, and for a server
// not ready within ReadyTimeout, such as one whose port is in use (it shuts
// that server down before returning).
func Start(opts Options) (*server.Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("jsserver: Options.Dir is required")
	}
	if opts.Host == "" {
		opts.Host = DefaultHost
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	s, err := server.NewServer(&server.Options{
		Host:       opts.Host,
		Port:       opts.Port,
		JetStream:  true,
		StoreDir:   opts.Dir,
		SyncAlways: opts.SyncAlways,
		NoLog:      true,
		NoSigs:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("jsserver: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(opts.ReadyTimeout) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("jsserver: not ready for connections on %s:%d within %v", opts.Host, opts.Port, opts.ReadyTimeout)
	}
	return s, nil
}
