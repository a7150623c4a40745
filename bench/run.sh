#!/usr/bin/env bash
# run.sh runs the benchmark suite and prints medians and ratios against the
# raw channel pattern with benchstat, then draws the chart.
#
#   bench/run.sh          full run (about 4 minutes on 2 cores); writes
#                         bench/results/{bench.txt,benchstat.txt,ratios.md,chart.svg}
#                         and the results table in bench/README.md
#   bench/run.sh quick    a fast look (about 25 seconds); writes bench/out/
#   COUNT=n bench/run.sh  override the number of rounds
#
# Noise is spread evenly: each round runs every library once, as its own
# process, in an order rotated by one each round, and all rounds append to
# one file. b.N is fixed (-benchtime=Nx), the same for every library. The
# ~1us spin job is calibrated once per run and passed to every process.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-full}
case $mode in
full)
	out=results count=${COUNT:-10} readme=README.md
	jobs=500000 cpujobs=200000 sleepjobs=100000 latjobs=4000
	;;
quick)
	out=out count=${COUNT:-2} readme=
	jobs=100000 cpujobs=50000 sleepjobs=100000 latjobs=1000
	;;
*)
	echo "usage: $0 [full|quick]" >&2
	exit 2
	;;
esac
mkdir -p "$out" out
bin=out/bench.test
go test -c -o "$bin" .

logged() { "$bin" -test.run "^$1\$" -test.v -test.count=1 | sed -n "s/.*$2=\([^ ]*\).*/\1/p"; }
spin=$(logged TestSpin spin)
IFS=, read -r -a libs <<<"$(logged TestLibNames libs)"

file=$out/bench.txt
{
	echo "go: $(go env GOVERSION)"
	echo "machine: $(uname -sm), $(nproc) cores, GOMAXPROCS=${GOMAXPROCS:-$(nproc)}"
	echo "date: $(date -u +%Y-%m-%d)"
	echo "spin: $spin"
	echo "count: $count"
} >"$file"

run() { "$bin" -test.run '^$' -test.benchmem "$@" | grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$file"; }

start=$SECONDS
for ((round = 0; round < count; round++)); do
	n=${#libs[@]}
	for ((k = 0; k < n; k++)); do
		lib=${libs[$(((k + round) % n))]}
		# Peak memory first, in a fresh process: see bench.MarkProcessBaseline.
		run -test.bench "^BenchmarkSleep1ms\$/^lib=$lib\$" -test.benchtime=${sleepjobs}x
		run -test.bench "^Benchmark(Noop|Noop8|JobTimeout)\$/^lib=$lib\$" -test.benchtime=${jobs}x
		run -test.bench "^BenchmarkCPU1us\$/^lib=$lib\$" -test.benchtime=${cpujobs}x -spin="$spin"
		run -test.bench "^BenchmarkLatency\$/^lib=$lib\$" -test.benchtime=${latjobs}x
	done
	run -test.bench '^BenchmarkWithTimeoutCause$' -test.benchtime=${jobs}x
	echo "round $((round + 1))/$count done after $((SECONDS - start))s" >&2
done

# One benchstat table per library against raw: medians, and the change
# against raw for every unit (sec/op is ns/job: b.N is the number of jobs).
for lib in "${libs[@]:1}"; do
	echo "## $lib vs raw"
	go tool benchstat -col "/lib@(raw $lib)" "$file"
	echo
done >"$out/benchstat.txt"
echo "## context.WithTimeoutCause alone" >>"$out/benchstat.txt"
go tool benchstat -filter '.name:WithTimeoutCause' "$file" >>"$out/benchstat.txt"
cat "$out/benchstat.txt"

go run ./cmd/chart -in "$file" -svg "$out/chart.svg" -md "$out/ratios.md" -readme "$readme"
cat "$out/ratios.md"
