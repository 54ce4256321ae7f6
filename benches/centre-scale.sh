#!/usr/bin/env bash
# Issue 5 scale benchmark: `GET /api/v1/report` for one quarter over 2,000,000 stored responses
# (target ≤ 300 ms), on the SQLite backend and, when HAILONG_BENCH_POSTGRES_URL names a server,
# on PostgreSQL. The centre is filled by `hailong centre demo-data` (10 facilities × 4 kiosks ×
# 50,000 byt-ngoai-tru responses, through the ingest code) and served by `hailong centre serve`.
# Usage: bash benches/centre-scale.sh [RESPONSES_PER_KIOSK]   (default 50000)
set -euo pipefail
cd "$(dirname "$0")/.."
PER_KIOSK=${1:-50000}
cargo build --release --quiet
BIN=$PWD/target/release/hailong
DIR=$PWD/target/bench-centre-$PER_KIOSK
mkdir -p "$DIR"
. benches/centre-serve.sh

bench() { # NAME DATABASE
    local name=$1 db=$2 token
    echo "== $name"
    if [ ! -f "$DIR/$name.filled" ]; then
        /usr/bin/time -f "   demo-data: %e s wall, %M KB peak RSS" "$BIN" centre demo-data --data-dir "$DIR" --database "$db" \
            --facilities 10 --kiosks-per-facility 4 --responses "$PER_KIOSK" --seed 1 --end 2026-11-20 --questionnaire byt-ngoai-tru
        touch "$DIR/$name.filled"
    fi
    token=$("$BIN" centre token add --data-dir "$DIR" --database "$db" --name bench)
    start_centre "$DIR" "$db"
    local url="http://127.0.0.1:$CENTRE_PORT/api/v1/report?period=2026-Q3"
    curl -s -H "Authorization: Bearer $token" "$url" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("   2026-Q3 holds", r["responses"], "responses, satisfied", r["satisfied_pct"], "%")'
    for _ in $(seq 10); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"
    done | sort -n | awk '{a[NR]=$1*1000} END {printf "   GET /api/v1/report?period=2026-Q3: median %.0f ms, min %.0f ms, max %.0f ms (10 runs)\n", a[int((NR+1)/2)], a[1], a[NR]}'
    stop_centre
}

bench sqlite "sqlite:$DIR/centre.sqlite3"
if [ -n "${HAILONG_BENCH_POSTGRES_URL:-}" ]; then
    bench postgres "$HAILONG_BENCH_POSTGRES_URL"
fi
