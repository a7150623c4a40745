package main

import (
	"fmt"
	"strings"
)

// markdown renders the ratio table (raw's median, every other library as a
// ratio to it, the fastest in bold) and the allocation table.
func markdown(d *dataset) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", caption(d))
	b.WriteString("Time, peak memory and latency as ratios to the raw channel pattern. Each cell is the library's median over raw's (lower is better); the raw column is raw's median. **Bold**: the lowest median of the row.\n\n")
	header(&b, "workload", d.libs)
	for _, r := range d.rows {
		cells := make([]string, len(d.libs))
		for i, lib := range d.libs {
			switch x, ok := r.ratio(lib); {
			case lib == base && ok:
				cells[i] = format(r.median[base], r.unit)
			case ok:
				cells[i] = fmt.Sprintf("%.2f×", x)
			default:
				cells[i] = "–"
			}
			if lib == r.fastest() {
				cells[i] = "**" + cells[i] + "**"
			}
		}
		fmt.Fprintf(&b, "| %s | %s |\n", r.title(), strings.Join(cells, " | "))
	}
	b.WriteString("\nAllocations per job (medians; b.N is the number of jobs, so per op is per job):\n\n")
	header(&b, "workload", d.libs)
	for _, r := range d.allocs {
		cells := make([]string, len(d.libs))
		for i, lib := range d.libs {
			cells[i] = "–"
			if v, ok := r.median[lib]; ok {
				cells[i] = format(v, r.unit)
			}
		}
		fmt.Fprintf(&b, "| %s, W=%s | %s |\n", r.label, r.workers, strings.Join(cells, " | "))
	}
	return b.String()
}

func header(b *strings.Builder, first string, libs []string) {
	fmt.Fprintf(b, "| %s | %s |\n|---|%s\n", first, strings.Join(libs, " | "), strings.Repeat("---:|", len(libs)))
}

// caption says where and when the numbers were measured.
func caption(d *dataset) string {
	h := d.headers
	return fmt.Sprintf("%s; cpu: %s; %s; %s; medians of %s rounds (bench/run.sh)",
		h["machine"], h["cpu"], h["go"], h["date"], h["count"])
}

func format(v float64, unit string) string {
	switch unit {
	case "ns/op", "p50-ns", "p99-ns":
		switch {
		case v >= 1e6:
			return fmt.Sprintf("%.2f ms", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%.2f µs", v/1e3)
		}
		return fmt.Sprintf("%.1f ns", v)
	case "peak-B", "B/op":
		switch {
		case v >= 1<<20:
			return fmt.Sprintf("%.1f MiB", v/(1<<20))
		case v >= 1<<10:
			return fmt.Sprintf("%.1f KiB", v/(1<<10))
		}
		return fmt.Sprintf("%.0f B", v)
	}
	return fmt.Sprintf("%.3g", v)
}
