// Command chart reads the benchmark output of bench/run.sh and writes, from
// the medians, an SVG bar chart of each library's ratio to the raw channel
// pattern per workload and a Markdown table of the same numbers. Nothing in
// either is typed by hand: rerun run.sh and both are redrawn.
//
//	go run ./cmd/chart -in results/bench.txt -svg results/chart.svg -md results/ratios.md
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
)

const (
	beginMark = "<!-- results:begin (written by cmd/chart) -->"
	endMark   = "<!-- results:end -->"
)

// splice replaces what stands between beginMark and endMark in file with
// table, so that the README's table is regenerated with each run.
func splice(file, table string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	before, rest, ok1 := strings.Cut(string(b), beginMark)
	_, after, ok2 := strings.Cut(rest, endMark)
	if !ok1 || !ok2 {
		return errors.New(file + ": no " + beginMark + " ... " + endMark + " section")
	}
	return os.WriteFile(file, []byte(before+beginMark+"\n"+table+endMark+after), 0o644)
}

func main() {
	in := flag.String("in", "results/bench.txt", "benchmark output (Go benchmark format)")
	svg := flag.String("svg", "results/chart.svg", "SVG chart to write")
	md := flag.String("md", "results/ratios.md", "Markdown table to write")
	readme := flag.String("readme", "", "also put the table into this file, between the lines "+beginMark+" and "+endMark)
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
	table := markdown(data)
	if err := os.WriteFile(*md, []byte("# Benchmark results\n\n"+table), 0o644); err != nil {
		log.Fatal(err)
	}
	if *readme != "" {
		if err := splice(*readme, table); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Fprintf(os.Stderr, "chart: wrote %s and %s (%d rows, %d libraries)\n", *svg, *md, len(data.rows), len(data.libs))
}
