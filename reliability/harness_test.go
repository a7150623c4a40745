package reliability_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/workerpool/workerpool"
)

var (
	errFail   = errors.New("handler failed")
	errParent = errors.New("parent canceled")
)

const panicValue = "handler panicked"

// Times, in the fake time of a synctest bubble. The stuck grace equals the
// job timeout, so the model counts time in timeouts (see model). The
// supervisor checks deadlines every 10ms with this timeout, so a chain of
// jobs drifts by at most 1% of a timeout per job.
const (
	jobTimeout = time.Second
	stuckGrace = jobTimeout
	retryBase  = time.Millisecond
	retryMax   = 4 * time.Millisecond
	shortWait  = time.Microsecond // a Submit or Shutdown deadline that ends before anything else can happen
)

// job is the pool's job type: what the handler does, and for ignore jobs
// the channel that releases them.
type job struct {
	id      int
	kind    kind
	release chan struct{}
}

// harness is a pool under test with everything it reports recorded.
type harness struct {
	pool         *workerpool.Pool[job]
	cancelParent context.CancelCauseFunc
	jobs         []job

	mu      sync.Mutex
	ran     map[int]int // handler calls per job id
	results map[int][]workerpool.Result[job]
	dead    map[int][]workerpool.DeadLetter[job]
	stuck   map[int][]workerpool.StuckJob[job]
	handed  map[int]int // times Shutdown handed each job back
}

// poolConfig is one pool's options, as a sequence draws them.
type poolConfig struct {
	workers, queue int
	timeout        bool // WithJobTimeout(jobTimeout), WithStuckGrace(stuckGrace)
	attempts       int  // WithRetry MaxAttempts; 0 for no WithRetry
	maxAbandon     int
}

func newHarness(cfg poolConfig) (*harness, error) {
	h := &harness{
		ran:     map[int]int{},
		results: map[int][]workerpool.Result[job]{},
		dead:    map[int][]workerpool.DeadLetter[job]{},
		stuck:   map[int][]workerpool.StuckJob[job]{},
		handed:  map[int]int{},
	}
	parent, cancel := context.WithCancelCause(context.Background())
	h.cancelParent = cancel
	opts := []workerpool.Option{
		workerpool.WithWorkers(cfg.workers),
		workerpool.WithQueueSize(cfg.queue),
		workerpool.WithContext(parent),
		workerpool.WithMaxAbandoned(cfg.maxAbandon),
		workerpool.WithResultHook(func(r workerpool.Result[job]) {
			h.mu.Lock()
			h.results[r.Job.id] = append(h.results[r.Job.id], r)
			h.mu.Unlock()
		}),
		workerpool.WithDeadLetter(func(d workerpool.DeadLetter[job]) {
			h.mu.Lock()
			h.dead[d.Job.id] = append(h.dead[d.Job.id], d)
			h.mu.Unlock()
		}),
		workerpool.WithStuckHook(func(s workerpool.StuckJob[job]) {
			h.mu.Lock()
			h.stuck[s.Job.id] = append(h.stuck[s.Job.id], s)
			h.mu.Unlock()
		}),
	}
	if cfg.timeout {
		opts = append(opts, workerpool.WithJobTimeout(jobTimeout), workerpool.WithStuckGrace(stuckGrace))
	}
	if cfg.attempts > 0 {
		opts = append(opts, workerpool.WithRetry(workerpool.RetryPolicy{
			MaxAttempts: cfg.attempts, BaseDelay: retryBase, MaxDelay: retryMax,
		}))
	}
	p, err := workerpool.New(h.handle, opts...)
	if err != nil {
		cancel(nil)
		return nil, err
	}
	h.pool = p
	return h, nil
}

func (h *harness) handle(ctx context.Context, j job) error {
	h.mu.Lock()
	h.ran[j.id]++
	h.mu.Unlock()
	switch j.kind {
	case fail:
		return errFail
	case permanent:
		return workerpool.Permanent(errFail)
	case panics:
		panic(panicValue)
	case goexit:
		runtime.Goexit()
	case block:
		<-ctx.Done()
		return ctx.Err()
	case ignore:
		<-j.release
		return ctx.Err()
	}
	return nil
}

// newJob makes job id (the model's id) of kind k.
func (h *harness) newJob(id int, k kind) job {
	j := job{id: id, kind: k}
	if k == ignore {
		j.release = make(chan struct{})
	}
	h.jobs = append(h.jobs, j)
	return j
}

// ctxMode is how a Submit's or Shutdown's context ends.
type ctxMode string

const (
	canceledCtx ctxMode = "canceled"  // already canceled
	shortCtx    ctxMode = "short"     // shortWait: ends as soon as the pool waits
	longCtx     ctxMode = "long"      // long enough for every timeout in the pool to run out
	noCtxEnd    ctxMode = "unbounded" // never ends
)

func deadlineCtx(mode ctxMode, long time.Duration) (context.Context, context.CancelFunc) {
	switch mode {
	case canceledCtx:
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel
	case shortCtx:
		return context.WithTimeout(context.Background(), shortWait)
	case longCtx:
		return context.WithTimeout(context.Background(), long)
	}
	return context.WithCancel(context.Background())
}

func (h *harness) submit(mode ctxMode, j job) error {
	ctx, cancel := deadlineCtx(mode, 0)
	defer cancel()
	return h.pool.Submit(ctx, j)
}

func (h *harness) shutdown(mode ctxMode, long time.Duration) ([]job, error) {
	ctx, cancel := deadlineCtx(mode, long)
	defer cancel()
	unstarted, err := h.pool.Shutdown(ctx)
	h.mu.Lock()
	for _, j := range unstarted {
		h.handed[j.id]++
	}
	h.mu.Unlock()
	return unstarted, err
}

// abandonedBy reports what the stuck hook said about job id.
func (h *harness) abandonedBy(id int) (abandoned, reported bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.stuck[id]
	if len(r) == 0 {
		return false, false
	}
	return r[len(r)-1].Abandoned, true
}

func (h *harness) counts(id int) (ran int, results []workerpool.Result[job]) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ran[id], h.results[id]
}
