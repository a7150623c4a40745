// Package bench compares workerpool with the pools Go programmers use today
// and with the hand-written channel pattern they replace.
//
// Every library sits behind the same small [Runner] interface, built by a
// [Lib]'s New for a bounded pool of W workers and configured the way that
// library's docs recommend (see each adapter file). The benchmarks live in the
// test files; run.sh runs them with repetitions and prints benchstat ratios
// against the raw channel pattern, and cmd/chart draws those ratios as SVG.
//
// Fairness rules that every adapter follows:
//   - b.N is the number of jobs for every library.
//   - A [Job] is built once, before the timer, in all the signatures the
//     libraries take (func(), func() error, func(context.Context) error), so
//     no adapter allocates to adapt a signature; allocs/job are the library's.
//   - Queued libraries get the same bound, [QueueSize]: the raw channel's
//     buffer, workerpool's WithQueueSize and pond's WithQueueSize. Libraries
//     without a queue knob keep their own policy, written in their file.
//   - Wait is the end of a pool's life: wait for every job, then stop the
//     pool so that none of its goroutines is left (the tests check it).
package bench
