#!/usr/bin/env bash
# Issue 5 target: a kiosk with 100,000 queued responses is fully synced to a local centre in
# ≤ 15 s. A kiosk store is filled by `hailong demo-data` with `byt-ngoai-tru` responses (the
# long outpatient questionnaire, the heavier case), a centre (`hailong centre serve`, on
# SQLite, or on PostgreSQL when HAILONG_BENCH_POSTGRES_URL names a server) enrols it, and
# `hailong sync --once` is timed: sending every batch, then the audit of what the centre holds.
# Usage: bash benches/sync.sh [RESPONSES]   (default 100000). Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
cargo build --release --quiet
BIN=$PWD/target/release/hailong
WORK=$PWD/target/bench-sync-$N
mkdir -p "$WORK"
. benches/centre-serve.sh
# The filled kiosk store is kept between runs; each run syncs a copy of it.
if [ ! -f "$WORK/filled/hailong.sqlite3" ]; then
    mkdir -p "$WORK/filled"
    echo 'questionnaire = "byt-ngoai-tru"' >"$WORK/filled/hailong.toml"
    echo "== demo-data: $N responses"
    "$BIN" demo-data --data-dir "$WORK/filled" --responses "$N" --seed 1 --end 2026-11-20
fi

bench() { # NAME DATABASE
    local name=$1 db=$2 centre=$WORK/centre-$1 kiosk=$WORK/kiosk-$1
    echo "== $name"
    rm -rf "$centre" "$kiosk"
    mkdir -p "$centre"
    cp -r "$WORK/filled" "$kiosk"
    start_centre "$centre" "$db"
    "$BIN" centre kiosk add --data-dir "$centre" --database "$db" --facility "TTYT bench" --name "Kiosk $name" \
        --url "http://127.0.0.1:$CENTRE_PORT" >>"$kiosk/hailong.toml"
    /usr/bin/time -f "   sync --once: %e s wall, %M KB peak RSS (kiosk)" \
        "$BIN" sync --once --data-dir "$kiosk" --lang en
    stop_centre
}

bench sqlite "sqlite:$WORK/centre-sqlite/centre.sqlite3"
if [ -n "${HAILONG_BENCH_POSTGRES_URL:-}" ]; then
    # A fresh schema named in the URL's search_path, e.g.
    # HAILONG_BENCH_POSTGRES_URL='postgres://postgres@127.0.0.1/test?options=-csearch_path%3Dhl_bench'
    bench postgres "$HAILONG_BENCH_POSTGRES_URL"
fi
