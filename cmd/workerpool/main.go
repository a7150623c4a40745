// Command workerpool runs a command once per job, several at a time: the
// job of xargs -P and GNU parallel, on a workerpool.Pool. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/workerpool/workerpool/cmd/workerpool/internal/cli"
)

func main() {
	// Signals go to a channel rather than signal.NotifyContext: cli.Run
	// counts them (the first lets running jobs finish, the second stops
	// them). SIGPIPE is ignored so that a closed stdout is an error the run
	// handles (it stops its jobs) instead of a death that leaves them behind.
	sigs := make(chan os.Signal, 3)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	signal.Ignore(syscall.SIGPIPE)
	env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Signals: sigs}
	os.Exit(cli.Run(context.Background(), os.Args[1:], env))
}
