#!/usr/bin/env bash
# bench.sh: per-job overhead of `workerpool run` next to xargs -P and GNU
# parallel: N `true` jobs (default 5000) at -j 2, each tool run R times
# (default 3); the run with the best wall time is kept. Targets (issue 5):
# wall time within 1.5x of xargs, at least 5x faster than GNU parallel.
#
#   cmd/workerpool/bench.sh [N] [R]      (from anywhere in the repository)
#
# CPU is user+sys of the tool and its jobs; "overhead" is CPU beyond what
# xargs, the leanest launcher, needs for the same jobs, per job.
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

# measure CMD...: "wall cpu" in seconds for the best of $runs runs of CMD,
# with the job list on stdin and output discarded.
measure() {
	local best="" line wall
	for _ in $(seq "$runs"); do
		line=$({ TIMEFORMAT='%R %U %S'; time "$@" <"$tmp/jobs" >/dev/null 2>&1; } 2>&1)
		wall=${line%% *}
		if [ -z "$best" ] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
			best=$(awk -v l="$line" 'BEGIN { split(l, f, " "); printf "%.3f %.3f", f[1], f[2] + f[3] }')
		fi
	done
	echo "$best"
}

read -r wp_wall wp_cpu < <(measure "$tmp/workerpool" run -j 2 --no-progress -- true)
read -r xa_wall xa_cpu < <(measure xargs -P 2 -n 1 true)
read -r gp_wall gp_cpu < <(measure parallel --will-cite -j 2 true)

calc() { awk "BEGIN { printf \"$1\", $2 }"; }
row() { # name wall cpu
	printf '%-24s %8s %8s %14s %14s\n' "$1" "$2" "$3" "$(calc %.0f "$2 * 1e6 / $n")" "$(calc %.0f "($3 - $xa_cpu) * 1e6 / $n")"
}

printf '%s true jobs, -j 2, best of %s runs; %s CPUs, %s\n' "$n" "$runs" "$(nproc)" "$(uname -sr)"
printf '%-24s %8s %8s %14s %14s\n' tool "wall s" "CPU s" "wall/job µs" "overhead µs"
row "workerpool run" "$wp_wall" "$wp_cpu"
row "xargs -P 2" "$xa_wall" "$xa_cpu"
row "GNU parallel $(parallel --will-cite --version | awk 'NR == 1 { print $3 }')" "$gp_wall" "$gp_cpu"
printf 'wall: workerpool / xargs    = %sx (target <= 1.5x)\n' "$(calc %.2f "$wp_wall / $xa_wall")"
printf 'wall: parallel / workerpool = %sx (target >= 5x)\n' "$(calc %.1f "$gp_wall / $wp_wall")"
