package workerpool

import "context"

// Task is the func-job form: a job that is its own handler.
type Task func(ctx context.Context) error

// TaskPool is a [Pool] of [Task]s, for code that just wants to run
// functions: p.Go(func(ctx context.Context) error { ... }). Every method of
// Pool is available on it.
type TaskPool struct {
	*Pool[Task]
}

// NewTaskPool starts a pool that runs each submitted Task with its job
// context. It takes the same options as [New] (a result hook must be a
// func(Result[Task])) and returns an error wrapping [ErrInvalidOption] for
// a bad one.
func NewTaskPool(opts ...Option) (*TaskPool, error) {
	p, err := New(runTask, opts...)
	if err != nil {
		return nil, err
	}
	return &TaskPool{p}, nil
}

// Go submits task, blocking while the queue is full, like
// Submit(context.Background(), task). It returns [ErrClosed] once the pool
// has begun to stop, and an error wrapping [ErrInvalidArgument] for a nil
// task. Use Submit to bound the wait with a context.
func (p *TaskPool) Go(task Task) error {
	if task == nil {
		return invalidArgument("Go needs a non-nil task")
	}
	return p.Submit(context.Background(), task)
}

// runTask is a TaskPool's handler. A nil Task that reached the queue
// through Submit or TrySubmit fails with ErrInvalidArgument.
func runTask(ctx context.Context, t Task) error {
	if t == nil {
		return invalidArgument("nil task")
	}
	return t(ctx)
}
