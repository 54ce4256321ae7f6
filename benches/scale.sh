#!/usr/bin/env bash
# Scale benchmarks of issue 2 on a store of 1,000,000 responses (release build):
#   - `hailong report --period <quarter> --json`: target ≤ 200 ms wall time
#   - `hailong export` CSV: target ≤ 5 s; XLSX: target ≤ 30 s; peak memory ≤ 200 MB
# Usage: bash benches/scale.sh [RESPONSES]   (default 1000000). Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
cargo build --release --quiet
BIN=target/release/hailong
DIR=target/bench-scale-$N
if [ ! -f "$DIR/hailong.sqlite3" ]; then
    mkdir -p "$DIR"
    echo "== demo-data: $N responses"
    /usr/bin/time -f "   %e s wall, %M KB peak RSS" "$BIN" demo-data --data-dir "$DIR" --responses "$N" --seed 1 --end 2026-11-20
fi
du -h "$DIR/hailong.sqlite3"

echo "== report --period 2026-Q3 --json (10 runs, wall time each)"
for _ in 1 2 3 4 5 6 7 8 9 10; do
    /usr/bin/time -f "%e" "$BIN" report --data-dir "$DIR" --period 2026-Q3 --json >/dev/null 2>>"$DIR/report.times"
done
sort -n "$DIR/report.times" | awk '{a[NR]=$1} END {print "   median " a[int((NR+1)/2)] " s, min " a[1] " s, max " a[NR] " s"}'
rm -f "$DIR/report.times"

echo "== export csv"
/usr/bin/time -f "   %e s wall, %M KB peak RSS" "$BIN" export --data-dir "$DIR" --format csv --out "$DIR/export.csv"
ls -l "$DIR/export.csv" | awk '{print "   " $5 " bytes"}'
echo "== export xlsx"
/usr/bin/time -f "   %e s wall, %M KB peak RSS" "$BIN" export --data-dir "$DIR" --format xlsx --out "$DIR/export.xlsx"
ls -l "$DIR/export.xlsx" | awk '{print "   " $5 " bytes"}'
