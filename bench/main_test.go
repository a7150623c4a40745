package bench_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/panjf2000/ants/v2"
	"github.com/workerpool/workerpool/bench"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// ants starts a default pool (and its purge and ticktock goroutines) when
	// the package is imported. Nothing here uses it; release it so goleak sees
	// only what the tests start.
	if err := ants.ReleaseTimeout(5 * time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "releasing ants' default pool:", err)
		os.Exit(1)
	}
	bench.MarkProcessBaseline()
	goleak.VerifyTestMain(m)
}
