package workerpool

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSupervisorCost runs no-op jobs through a pool with its
// supervisor (health checks, epoch ticks) and without it, in one run, to
// show what supervision costs the dispatch path:
//
//	go test -run '^$' -bench SupervisorCost -count 10 | tee out.txt; benchstat -col /supervisor out.txt
func BenchmarkSupervisorCost(b *testing.B) {
	for _, on := range []bool{true, false} {
		b.Run(fmt.Sprintf("supervisor=%v", on), func(b *testing.B) {
			b.ReportAllocs()
			p, err := New(func(context.Context, int) error { return nil },
				WithWorkers(2), WithQueueSize(1024),
				func(c *config) error { c.noSupervisor = !on; return nil })
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for i := range b.N {
				if err := p.Submit(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
			if err := p.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
