package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// base is the library every ratio is taken against.
const base = "raw"

// metric is one measured quantity of one benchmark that gets a chart row.
type metric struct {
	bench, unit, label string
}

// charted lists, in order, what the chart and the ratio table show.
var charted = []metric{
	{"Noop", "ns/op", "no-op, 1 producer: ns/job"},
	{"Noop8", "ns/op", "no-op, 8 producers: ns/job"},
	{"CPU1us", "ns/op", "1µs spin: ns/job"},
	{"JobTimeout", "ns/op", "no-op + job timeout: ns/job"},
	{"Sleep1ms", "ns/op", "1ms sleep: ns/job"},
	{"Sleep1ms", "peak-B", "1ms sleep: peak memory"},
	{"Latency", "p50-ns", "submit→start p50"},
	{"Latency", "p99-ns", "submit→start p99"},
}

// row is one metric at one pool size: the median for each library.
type row struct {
	metric
	workers string
	median  map[string]float64
	n       int // samples per library (the smallest)
}

// ratio is lib's median over raw's, or false if either is missing or raw's
// is zero.
func (r row) ratio(lib string) (float64, bool) {
	b, ok1 := r.median[base]
	v, ok2 := r.median[lib]
	if !ok1 || !ok2 || b == 0 {
		return 0, false
	}
	return v / b, true
}

// fastest is the library with the lowest median in the row.
func (r row) fastest() string {
	best := ""
	for lib, v := range r.median {
		if best == "" || v < r.median[best] || v == r.median[best] && lib < best {
			best = lib
		}
	}
	return best
}

type dataset struct {
	rows    []row
	libs    []string          // in order of first appearance, base first
	allocs  []row             // allocs/op and B/op of the ns/op rows
	headers map[string]string // machine, cpu, go, date, count, ...
}

type seriesKey struct{ bench, workers, unit, lib string }

// parse reads Go benchmark output and takes medians per benchmark, pool
// size, unit and library.
func parse(r io.Reader, name string) (*dataset, error) {
	samples := map[seriesKey][]float64{}
	d := &dataset{headers: map[string]string{}}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			bench, keys := splitName(rec.Name)
			lib := keys["lib"]
			if lib == "" {
				continue
			}
			if !slices.Contains(d.libs, lib) {
				d.libs = append(d.libs, lib)
			}
			for _, c := range rec.Config {
				if c.File {
					d.headers[c.Key] = string(c.Value)
				}
			}
			for _, v := range rec.Values {
				unit, value := v.Unit, v.Value
				if v.OrigUnit != "" { // keep the units the benchmarks report
					unit, value = v.OrigUnit, v.OrigValue
				}
				k := seriesKey{bench, keys["W"], unit, lib}
				samples[k] = append(samples[k], value)
			}
		}
	}
	if err := br.Err(); err != nil {
		return nil, err
	}
	if i := slices.Index(d.libs, base); i > 0 {
		d.libs = slices.Insert(slices.Delete(d.libs, i, i+1), 0, base)
	}
	for _, m := range charted {
		for _, w := range workersOf(samples, m) {
			d.rows = append(d.rows, collect(samples, m, w))
			if m.unit == "ns/op" && m.bench != "Sleep1ms" {
				for _, u := range []string{"allocs/op", "B/op"} {
					d.allocs = append(d.allocs, collect(samples, metric{m.bench, u, m.bench + ": " + u}, w))
				}
			}
		}
	}
	return d, nil
}

// splitName returns the benchmark's base name and its key=value parts.
func splitName(n benchfmt.Name) (string, map[string]string) {
	baseName, parts := n.Parts()
	keys := map[string]string{}
	for _, p := range parts {
		if k, v, ok := strings.Cut(strings.TrimPrefix(string(p), "/"), "="); ok && p[0] == '/' {
			keys[k] = v
		}
	}
	return string(baseName), keys
}

func workersOf(samples map[seriesKey][]float64, m metric) []string {
	var ws []string
	for k := range samples {
		if k.bench == m.bench && k.unit == m.unit && !slices.Contains(ws, k.workers) {
			ws = append(ws, k.workers)
		}
	}
	slices.SortFunc(ws, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return ws
}

func collect(samples map[seriesKey][]float64, m metric, w string) row {
	r := row{metric: m, workers: w, median: map[string]float64{}}
	for k, vs := range samples {
		if k.bench == m.bench && k.unit == m.unit && k.workers == w {
			r.median[k.lib] = median(vs)
			if r.n == 0 || len(vs) < r.n {
				r.n = len(vs)
			}
		}
	}
	return r
}

func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r row) title() string { return fmt.Sprintf("%s, W=%s", r.label, r.workers) }
