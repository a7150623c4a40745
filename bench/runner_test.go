package bench_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerpool/workerpool/bench"
)

// TestEveryJobOnce checks that every adapter runs every submitted job exactly
// once, with several producers, and that Wait leaves no goroutine behind
// (goleak in TestMain).
func TestEveryJobOnce(t *testing.T) {
	t.Parallel()
	const jobs, producers = 3000, 4
	libs := append(bench.Libs(), prefix("timeout-", bench.TimeoutLibs(time.Minute))...)
	for _, lib := range libs {
		for _, w := range []int{1, 3, 100} {
			t.Run(fmt.Sprintf("%s/W=%d", lib.Name, w), func(t *testing.T) {
				t.Parallel()
				r, err := lib.New(w)
				if err != nil {
					t.Fatalf("New(%d) = %v", w, err)
				}
				runs := make([]atomic.Int32, jobs)
				var wg sync.WaitGroup
				for p := range producers {
					wg.Go(func() {
						for i := p; i < jobs; i += producers {
							if err := r.Submit(bench.NewJob(func() { runs[i].Add(1) })); err != nil {
								t.Errorf("Submit(job %d) = %v", i, err)
							}
						}
					})
				}
				wg.Wait()
				if err := r.Wait(); err != nil {
					t.Fatalf("Wait() = %v", err)
				}
				for i := range runs {
					if n := runs[i].Load(); n != 1 {
						t.Errorf("job %d ran %d times; want 1", i, n)
					}
				}
			})
		}
	}
}

func prefix(p string, libs []bench.Lib) []bench.Lib {
	for i := range libs {
		libs[i].Name = p + libs[i].Name
	}
	return libs
}

// TestSpin prints the calibrated Spin rounds for ~1µs; run.sh reads it so
// that every process of a run spins the same amount.
func TestSpin(t *testing.T) {
	t.Parallel()
	n := spinRounds()
	if n < 1 {
		t.Fatalf("spinRounds() = %d; want ≥ 1", n)
	}
	t.Logf("spin=%d", n)
}

// TestLibNames checks that library names can stand in a benchmark name and
// a benchstat key, and prints them for run.sh, which runs them in turn.
func TestLibNames(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	var names []string
	for _, lib := range bench.Libs() {
		if seen[lib.Name] || !validName(lib.Name) {
			t.Errorf("library name %q is repeated or not [a-z0-9]+", lib.Name)
		}
		seen[lib.Name] = true
		names = append(names, lib.Name)
	}
	for _, lib := range bench.TimeoutLibs(time.Minute) {
		if !seen[lib.Name] {
			t.Errorf("timeout library %q is not in Libs(), so run.sh would never run it", lib.Name)
		}
	}
	t.Logf("libs=%s", strings.Join(names, ","))
}

func validName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}
