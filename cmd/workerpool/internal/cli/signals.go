package cli

import (
	"fmt"
	"os"
)

// watchSignals acts on the signals of Env.Signals until done is closed:
// the first stops intake and lets running jobs finish; the second stops the
// running jobs (SIGTERM to each process group, SIGKILL after --grace); the
// third kills them at once. Each tells the user what happens and how to go
// further.
func (r *runner) watchSignals(done <-chan struct{}) {
	if r.env.Signals == nil {
		return
	}
	for n := 1; ; n++ {
		var sig os.Signal
		select {
		case <-done:
			return
		case sig = <-r.env.Signals:
		}
		// Our own count: the pool's Stats are approximate while jobs run.
		running := r.running.Load()
		var msg string
		switch n {
		case 1:
			r.mu.Lock()
			r.signal = sig
			r.mu.Unlock()
			r.stopIntake(errInterrupted)
			msg = fmt.Sprintf("workerpool: %v: starting no more jobs; waiting for %d running (interrupt again to stop them)\n", sig, running)
		case 2:
			r.stopAll(errInterrupted)
			msg = fmt.Sprintf("workerpool: %v: stopping %d running jobs: SIGTERM, SIGKILL after %v (interrupt again to kill them now)\n", sig, running, r.o.Grace)
		default:
			r.groups.killAll()
			msg = fmt.Sprintf("workerpool: %v: killing %d running jobs now\n", sig, running)
		}
		_ = r.term.write(nil, []byte(msg))
	}
}

// watchInterrupt calls stop(errInterrupted) on the first signal from sigs,
// for the commands that stop at once (serve, submit). The returned func
// ends the watch and waits for it; call it before returning.
func watchInterrupt(sigs <-chan os.Signal, stop func(error)) (end func()) {
	if sigs == nil {
		return func() {}
	}
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case <-sigs:
			stop(errInterrupted)
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}
