#!/usr/bin/env bash
# Runs the soak test (TestSoak in soak_test.go): one pool under millions of
# jobs of mixed outcomes for a while, its Stats checked at quiet points and
# its live heap sampled after GC. Off in CI; run it by hand:
#
#	reliability/soak.sh [DURATION] [go test flags...]   # DURATION: 5m by default
#	reliability/soak.sh 30m -race
set -euo pipefail
cd "$(dirname "$0")"
duration=${1:-5m}
shift || true
exec go test -run '^TestSoak$' -count=1 -v -timeout 0 "$@" . -soak="$duration"
