package main

import (
	"strings"
	"testing"
)

const sample = `go: go1.26.0
machine: Linux x86_64, 2 cores
date: 2026-01-02
count: 3
cpu: Test CPU
BenchmarkNoop/lib=raw/W=2-2   100  50 ns/op  0 B/op  0 allocs/op
BenchmarkNoop/lib=raw/W=2-2   100  70 ns/op  0 B/op  0 allocs/op
BenchmarkNoop/lib=raw/W=2-2   100  60 ns/op  0 B/op  0 allocs/op
BenchmarkNoop/lib=fast/W=2-2  100  30 ns/op  8 B/op  1 allocs/op
BenchmarkNoop/lib=slow/W=2-2  100 600 ns/op  0 B/op  0 allocs/op
BenchmarkSleep1ms/lib=raw/W=1000-2   100 2000 ns/op 1000 peak-B
BenchmarkSleep1ms/lib=fast/W=1000-2  100 2000 ns/op 2000 peak-B
BenchmarkWithTimeoutCause-2  100  400 ns/op
`

func TestParseMediansAndRatios(t *testing.T) {
	t.Parallel()
	d, err := parse(strings.NewReader(sample), "sample")
	if err != nil {
		t.Fatalf("parse() = %v", err)
	}
	if got := strings.Join(d.libs, ","); got != "raw,fast,slow" {
		t.Errorf("libs = %s; want raw,fast,slow", got)
	}
	var noop, peak *row
	for i := range d.rows {
		switch r := &d.rows[i]; {
		case r.bench == "Noop" && r.unit == "ns/op":
			noop = r
		case r.bench == "Sleep1ms" && r.unit == "peak-B":
			peak = r
		}
	}
	if noop == nil || peak == nil {
		t.Fatalf("rows = %v; want Noop ns/op and Sleep1ms peak-B", d.rows)
	}
	for _, c := range []struct {
		r    *row
		lib  string
		want float64
	}{{noop, "raw", 1}, {noop, "fast", 0.5}, {noop, "slow", 10}, {peak, "fast", 2}} {
		if got, ok := c.r.ratio(c.lib); !ok || got != c.want {
			t.Errorf("%s ratio(%s) = %v, %v; want %v", c.r.title(), c.lib, got, ok, c.want)
		}
	}
	if got := noop.fastest(); got != "fast" {
		t.Errorf("fastest() = %s; want fast", got)
	}
}

func TestOutputsCarryProvenance(t *testing.T) {
	t.Parallel()
	d, err := parse(strings.NewReader(sample), "sample")
	if err != nil {
		t.Fatalf("parse() = %v", err)
	}
	for name, out := range map[string]string{"svg": drawSVG(d), "markdown": markdown(d)} {
		for _, want := range []string{"Linux x86_64, 2 cores", "Test CPU", "go1.26.0", "2026-01-02"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks %q", name, want)
			}
		}
	}
	if md := markdown(d); !strings.Contains(md, "**30.0 ns**") && !strings.Contains(md, "**0.50×**") {
		t.Errorf("markdown does not mark the fastest library:\n%s", md)
	}
}
