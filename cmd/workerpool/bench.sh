#!/usr/bin/env bash
# bench.sh: per-job overhead of `workerpool run` next to xargs -P and GNU
# parallel: N `true` jobs (default 5000) at -j 2, each tool run R times
# (default 3), best wall time kept. Targets (issue 5): within 1.5x of
# xargs, at least 5x faster than GNU parallel.
#
#   cmd/workerpool/bench.sh [N] [R]      (from anywhere in the repository)
#
# Installs GNU parallel with apt-get when it is missing (needs root).
set -euo pipefail

n=${1:-5000}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v parallel >/dev/null; then
	echo "installing GNU parallel..." >&2
	apt-get update -qq && apt-get install -y -qq parallel >/dev/null
fi

(cd "$here" && go build -o "$tmp/workerpool" .)
seq "$n" >"$tmp/jobs"

# best_of CMD...: the best wall time of $runs runs of CMD, in seconds, with
# the job list on stdin and output discarded.
best_of() {
	local best="" t0 t1 t
	for _ in $(seq "$runs"); do
		t0=$(date +%s.%N)
		"$@" <"$tmp/jobs" >/dev/null 2>&1
		t1=$(date +%s.%N)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
		if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
	done
	printf '%.3f' "$best"
}

wp=$(best_of "$tmp/workerpool" run -j 2 --no-progress -- true)
xa=$(best_of xargs -P 2 -n 1 true)
gp=$(best_of parallel --will-cite -j 2 true)

calc() { awk "BEGIN { printf \"$1\", $2 }"; }
per_job() { calc %.0f "$1 * 1000000 / $n"; }
vs_xargs=$(calc %.2f "$wp / $xa")
vs_parallel=$(calc %.1f "$gp / $wp")

printf '%s true jobs, -j 2, best of %s runs (%s CPUs, %s)\n' "$n" "$runs" "$(nproc)" "$(uname -sr)"
printf '%-22s %9s %12s\n' tool "wall (s)" "per job (µs)"
printf '%-22s %9s %12s\n' "workerpool run" "$wp" "$(per_job "$wp")"
printf '%-22s %9s %12s\n' "xargs -P 2" "$xa" "$(per_job "$xa")"
printf '%-22s %9s %12s\n' "GNU parallel $(parallel --will-cite --version | head -1 | awk '{print $3}')" "$gp" "$(per_job "$gp")"
printf 'workerpool / xargs    = %sx (target <= 1.5x)\n' "$vs_xargs"
printf 'parallel / workerpool = %sx (target >= 5x)\n' "$vs_parallel"
