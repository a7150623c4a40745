#!/bin/sh
# bench-dist.sh [JOBS] — end-to-end no-op jobs per second through the
# distributed queue: `workerpool submit` of JOBS `true` jobs → 1, 2 and 4
# `workerpool worker` processes (-j 2 each) → ack, against `workerpool
# serve`; then, in the same run, jsqueue's BenchmarkThroughput (flow phase)
# for the engine's ceiling: the bare nats.go publish / pull / ack loop, the
# queue's own put / take / ack, and the core pool on the queue with a no-op
# handler (the worker's path without starting processes).
set -eu
jobs=${1:-2000}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'kill $serve 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/workerpool" ./cmd/workerpool
wp="$tmp/workerpool"
"$wp" serve --store "$tmp/store" --listen 127.0.0.1:0 >"$tmp/url" 2>/dev/null &
serve=$!
while [ ! -s "$tmp/url" ]; do sleep 0.05; done
url=$(cat "$tmp/url")
seq 1 "$jobs" >"$tmp/list"
echo "$jobs no-op jobs (true), submit → ack; $(nproc) CPUs, $(uname -sr)"
printf '%-28s %8s %10s\n' "workerpool worker procs" "wall s" "jobs/s"
for n in 1 2 4; do
	q=bench$n
	pids=
	for i in $(seq 1 "$n"); do
		"$wp" worker --nats "$url" --queue "$q" -j 2 --no-progress --joblog "$tmp/log$n.$i" -- true 2>/dev/null &
		pids="$pids $!"
	done
	# A worker is ready once it has created its joblog.
	for i in $(seq 1 "$n"); do while [ ! -e "$tmp/log$n.$i" ]; do sleep 0.01; done; done
	start=$(date +%s.%N)
	"$wp" submit --nats "$url" --queue "$q" --input "$tmp/list" 2>/dev/null
	want=$((jobs + n)) # one header line per joblog
	while [ "$(cat "$tmp"/log$n.* | wc -l)" -lt "$want" ]; do sleep 0.01; done
	end=$(date +%s.%N)
	kill -INT $pids
	wait $pids 2>/dev/null || true
	awk -v s="$start" -v e="$end" -v n="$n" -v j="$jobs" \
		'BEGIN { printf "%-28s %8.3f %10.0f\n", n, e - s, j / (e - s) }'
done
echo
echo "go test -run '^\$' -bench 'Throughput/flow/(bare|queue|pool)/' -benchtime ${jobs}x ./jsqueue"
go test -run '^$' -bench 'Throughput/flow/(bare|queue|pool)/' -benchtime "${jobs}x" ./jsqueue |
	awk '/jobs\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "jobs/s") printf "%-45s %10.0f jobs/s\n", $1, $i }'
