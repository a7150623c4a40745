// Package workerpool is the classic Go worker pool — a bounded queue that
// worker goroutines block on — made into a typed, safe library that
// accounts for every job.
//
// The seed of it is the pattern every Go programmer writes by hand:
//
//	jobs := make(chan Job, N)            // a mailbox of work, bounded
//	for id := range W {
//		go worker(id, jobs, &wg)         // each: for job := range jobs { ... }
//	}
//	for _, j := range work {
//		jobs <- j                        // blocks while the buffer is full
//	}
//	close(jobs)                          // "no more jobs": workers drain and exit
//	wg.Wait()
//
// A [Pool] keeps that model — passive workers blocking on one queue,
// backpressure when it is full, close to drain — and adds what the pattern
// leaves every user to get wrong: a context for each job with an optional
// timeout ([WithJobTimeout]), cancellation of the whole pool
// ([WithContext]), recovery of panics (and runtime.Goexit) as job
// failures, an outcome for every job ([WithResultHook], [Stats]), a Submit
// that honours its context and never panics when it races Close, and a
// shutdown that loses nothing ([Pool.Shutdown]).
//
//	p, err := workerpool.New(func(ctx context.Context, url string) error {
//		return fetch(ctx, url)
//	}, workerpool.WithWorkers(8), workerpool.WithJobTimeout(10*time.Second))
//	if err != nil { ... }
//	for _, u := range urls {
//		if err := p.Submit(ctx, u); err != nil { ... }
//	}
//	err = p.Close() // runs every queued job, then returns
//
// For plain functions, [NewTaskPool] and [TaskPool.Go] do without a job
// type.
//
// # Lifecycle
//
// A pool runs from [New] until it stops in one of three ways. Once any of
// them has begun, Submit, TrySubmit and Go return [ErrClosed], and a stopped
// pool stays stopped.
//
//	                     running jobs                   queued jobs               returns
//	Close()              run to the end                 all run                   when all are done
//	Shutdown(ctx)        run; when ctx ends, their      run; when ctx ends, not   when all are done, or when
//	                     contexts are canceled with     started, handed back      ctx ends: the unstarted
//	                     cause ErrShutdown              (Dropped)                 jobs and ctx.Err()
//	WithContext parent   contexts canceled with the     not started, counted      (use Done to wait)
//	canceled             parent's cause                 Canceled
//
// [Pool.Done] is closed when the pool has fully stopped: every worker has
// exited and every result has been delivered. Go cannot stop a goroutine,
// so a handler that ignores its context keeps Done open until it returns;
// Shutdown does not wait for it.
//
// # Outcomes
//
// Every job that Submit, TrySubmit or Go accepted ends in exactly one
// [Outcome]: Succeeded, Failed, Panicked, TimedOut, Canceled or Dropped.
// [Stats] counts them, and the hook given with [WithResultHook] receives
// each job's [Result]. Once the pool has stopped,
//
//	Submitted == Succeeded + Failed + Panicked + TimedOut + Canceled + Dropped
//
// A handler's error counts as TimedOut or Canceled only when the job's
// context had ended and the handler returned that context's error (or
// wrapped it); any other error is Failed.
//
// # Supervision
//
// Each pool has a supervisor goroutine. With [WithJobTimeout] it cancels
// the contexts of jobs past their deadline (cause [ErrJobTimeout]) — one
// check per period instead of a timer per job — and declares stuck a
// handler still running [WithStuckGrace] after its deadline: the job is
// counted TimedOut (its Result.Err wraps [ErrStuck]), the [WithStuckHook]
// hook receives the job, its run time and its goroutine's stack, and a
// fresh worker takes the stuck one's place, up to [WithMaxAbandoned]
// abandoned goroutines at once. [Pool.Health] reports every worker's state,
// the stuck and abandoned handlers and recent events. [Pool.Resize]
// changes the number of workers; [WithAutoscale] lets it follow the load.
//
// # Retries
//
// [WithRetry] runs failed jobs again with exponential backoff and full
// jitter; a job waiting for its next attempt does not hold a worker.
// [Permanent] marks an error not worth retrying, and [WithDeadLetter]
// receives the jobs that failed for good with the error of every attempt.
// Close waits for pending retries; Shutdown hands them back.
//
// # External queues
//
// [NewWithQueue] runs the same handler and options on a [Queue] other than
// the pool's own channel — such as the NATS JetStream queue of package
// jsqueue, shared by many processes. Each worker takes one [Delivery] at a
// time and settles it (Ack, Retry with the policy's backoff, or Fail after
// the dead-letter hook); a [Leaser] queue's leases are renewed while the
// handler runs and left to lapse once it is declared stuck.
//
// # Errors
//
// Sentinel errors, to be checked with [errors.Is]: [ErrClosed],
// [ErrQueueFull], [ErrInvalidOption] (bad configuration in New),
// [ErrInvalidArgument] (a bad argument to a method), and, as the
// [context.Cause] of a job's context, [ErrJobTimeout] and [ErrShutdown].
// A panic is reported as a [*PanicError] carrying the value and the stack,
// to be checked with [errors.As]. Nothing in this package panics on bad
// input.
//
// # Cost
//
// The dispatch path adds no allocation and no lock to the channel send and
// receive of the seed pattern: a Submit is one atomic add each way around
// the send, and a worker counts its jobs in fields only it writes, which it
// makes visible now and then (see [Stats]). The benchmarks in
// bench_test.go measure the pool beside the raw pattern in one run.
package workerpool
