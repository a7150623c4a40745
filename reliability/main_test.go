package reliability_test

import (
	"flag"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Defaults for rapid's flags in this package, unless the command line or
// rapid's environment variables (RAPID_CHECKS, RAPID_SEED) set them: CI
// runs the same 500 sequences every time, so that a run is reproducible;
// set a seed (0 for a random one) and a number of checks to explore more:
//
//	go test ./reliability -run TestSequences -rapid.checks=20000 -rapid.seed=0
const (
	defaultChecks = "500"
	defaultSeed   = "20240601"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, env := range map[string]string{"rapid.checks": "RAPID_CHECKS", "rapid.seed": "RAPID_SEED"} {
		if _, ok := os.LookupEnv(env); ok || set[name] {
			continue
		}
		value := map[string]string{"rapid.checks": defaultChecks, "rapid.seed": defaultSeed}[name]
		if err := flag.Set(name, value); err != nil {
			panic(err)
		}
	}
	goleak.VerifyTestMain(m)
}
