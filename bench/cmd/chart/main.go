// Command chart reads the benchmark output of bench/run.sh and writes, from
// the medians, an SVG bar chart of each library's ratio to the raw channel
// pattern per workload and a Markdown table of the same numbers. Nothing in
// either is typed by hand: rerun run.sh and both are redrawn.
//
//	go run ./cmd/chart -in results/bench.txt -svg results/chart.svg -md results/ratios.md
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
)

func main() {
	in := flag.String("in", "results/bench.txt", "benchmark output (Go benchmark format)")
	svg := flag.String("svg", "results/chart.svg", "SVG chart to write")
	md := flag.String("md", "results/ratios.md", "Markdown table to write")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("chart: ")

	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	data, err := parse(f, *in)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	if len(data.rows) == 0 {
		log.Fatalf("%s: no benchmark results", *in)
	}
	if err := os.WriteFile(*svg, []byte(drawSVG(data)), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*md, []byte(markdown(data)), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "chart: wrote %s and %s (%d rows, %d libraries)\n", *svg, *md, len(data.rows), len(data.libs))
}
