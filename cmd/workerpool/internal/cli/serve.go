package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/workerpool/workerpool/jsqueue/jsserver"
)

const serveUsage = `usage: workerpool serve --store DIR [--listen HOST:PORT]

Runs a single-node NATS server with JetStream, keeping its queues in files
under DIR: a durable queue on this machine with nothing else to install.
Jobs stored survive a restart on the same DIR (and a crash of this process).
Prints the URL that submit and worker take with --nats, then runs until
SIGINT or SIGTERM, and shuts down cleanly.

--listen 0.0.0.0:4222 lets other machines in (there is no authentication:
use it on a trusted network only). Port 0 picks a free port.

flags:
`

// serveOptions is a parsed `workerpool serve` command line.
type serveOptions struct {
	store      string
	host       string
	port       int
	syncAlways bool
}

// DefaultListen is where `workerpool serve` listens without --listen: this
// machine only, on NATS's standard port.
const DefaultListen = "127.0.0.1:4222"

// parseServe parses the arguments of `workerpool serve`.
func parseServe(args []string, stderr io.Writer) (*serveOptions, error) {
	s := &serveOptions{}
	var listen string
	fs := newFlagSet("workerpool serve", serveUsage, stderr)
	fs.StringVar(&s.store, "store", "", "keep the queues in `DIR` (created if missing); required")
	fs.StringVar(&listen, "listen", DefaultListen, "listen for clients on `HOST:PORT`")
	fs.BoolVar(&s.syncAlways, "sync", false, "fsync every write (survives power loss; slower). Without it the store syncs every 2 minutes")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageErr("unexpected argument %q", fs.Arg(0))
	}
	if s.store == "" {
		return nil, usageErr("--store DIR is required")
	}
	host, port, err := net.SplitHostPort(listen)
	if err == nil {
		s.port, err = strconv.Atoi(port)
	}
	if err != nil || s.port < 0 || s.port > 65535 {
		return nil, usageErr("--listen %q: want HOST:PORT, such as %s", listen, DefaultListen)
	}
	if s.port == 0 {
		s.port = -1 // jsserver: a random free port
	}
	s.host = host
	return s, nil
}

// runServe runs the engine until a signal or ctx stops it.
func runServe(ctx context.Context, s *serveOptions, env Env) int {
	srv, err := jsserver.Start(jsserver.Options{Dir: s.store, Host: s.host, Port: s.port, SyncAlways: s.syncAlways})
	if err != nil {
		fmt.Fprintf(env.Stderr, "workerpool serve: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stderr, "workerpool serve: JetStream ready, store %s; interrupt to stop. Clients use:\n", s.store)
	fmt.Fprintln(env.Stdout, srv.ClientURL())
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	end := watchInterrupt(env.Signals, cancel)
	<-ctx.Done()
	end()
	srv.Shutdown()
	srv.WaitForShutdown()
	fmt.Fprintln(env.Stderr, "workerpool serve: stopped")
	return 0
}
