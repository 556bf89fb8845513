#!/bin/sh
# Assembles docs/events.md from its parts in docs/events.d/ (one per event
# type). `docs/assemble-events.sh --check` fails when events.md is stale.
set -e
d=$(cd "$(dirname "$0")" && pwd)
out=$(for f in 00-header common flow stats capture anomaly-core anomaly smtp tls dns http ssh; do
	cat "$d/events.d/$f.md"; [ "$f" = 00-header ] || echo; done)
if [ "${1:-}" = --check ]; then
	printf '%s\n' "$out" | cmp -s - "$d/events.md" || {
		echo "docs/events.md is out of date: run docs/assemble-events.sh"; exit 1; }
else
	printf '%s\n' "$out" > "$d/events.md"
fi
