#!/usr/bin/env bash
# Issue 14 §4 web benchmark: the centre's pages over 2,000,000 stored responses (200 facilities ×
# 40 kiosks × 250 byt-ngoai-tru responses, filled by `hailong centre demo-data` through the
# ingest code), on the SQLite backend and, when HAILONG_BENCH_POSTGRES_URL names a server, on
# PostgreSQL (in its own schema, `hailong_bench_web`). Targets: the overview, a facility page and
# the public page each ≤ 50 ms median server time (time to first byte, gzip accepted as a browser
# does); the public page ≤ 30 kB transferred gzip-compressed with no third-party request; the
# quarterly report's .docx ≤ 1 s.
# Usage: bash benches/centre-web.sh [RESPONSES_PER_KIOSK]   (default 250; RUNS=20 timed requests;
# HAILONG_BIN=path times that binary instead of building this tree's; ONLY=sqlite or ONLY=postgres;
# LIVE=seconds also times the overview and a facility page while batches arrive that often)
# The filled databases stay in $CARGO_TARGET_DIR (or target/) and a rerun skips the filling.
set -euo pipefail
cd "$(dirname "$0")/.."
PER_KIOSK=${1:-250}
RUNS=${RUNS:-20}
FACILITIES=200
KIOSKS=40
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
if [ -n "${HAILONG_BIN:-}" ]; then
    BIN=$HAILONG_BIN # a given build (to compare two), not rebuilt
else
    cargo build --release --quiet --bin hailong
    BIN=$TARGET/release/hailong
fi
DIR=$TARGET/bench-centre-web-$PER_KIOSK
SCHEMA=hailong_bench_web_$PER_KIOSK
USER_NAME=so-y-te
PASSWORD=bench-password-14
mkdir -p "$DIR"
. benches/centre-serve.sh

# stats LABEL [FIRST]: the median, min and max of the seconds read on stdin, in ms, and FIRST (the
# seconds of the first request, before the centre kept anything of that period).
stats() {
    sort -n | awk -v label="$1" -v first="${2:-}" '{a[NR]=$1*1000} END {printf "   %-44s median %6.1f ms, min %6.1f ms, max %6.1f ms (%d runs)", label, a[int((NR+1)/2)], a[1], a[NR], NR; if (first != "") printf "; first %6.1f ms", first*1000; print ""}'
}

# timed LABEL WHAT URL [CURL ARGS…]: one first request that must answer 200 (its time shown apart), then RUNS timed
# requests; WHAT is a curl -w variable (time_starttransfer: server time; time_total: download).
timed() {
    local label=$1 what=$2 url=$3 status first
    shift 3
    read -r status first < <(curl -s -o /dev/null -w "%{http_code} %{$what}\n" --compressed "$@" "$url")
    if [ "$status" != 200 ]; then
        echo "   $label: HTTP $status from $url" >&2
        return 1
    fi
    for _ in $(seq "$RUNS"); do
        curl -s -o /dev/null --compressed -w "%{$what}\n" "$@" "$url"
    done | stats "$label" "$first"
}

# events NAME DATABASE: 25 events for every kiosk (200,000 in all), as years of gaps, clock and
# tamper findings leave them; the facility page counts its kiosks' events on every load. Written
# straight into the table (demo-data's kiosks have clean chains and clocks).
events() {
    local sql="INSERT INTO events (kind, kiosk_id, seq, detail, at) SELECT CASE n.i % 3 WHEN 0 THEN 'gap' WHEN 1 THEN 'clock' ELSE 'tamper' END, k.kiosk_id, n.i, 'bench event', AT FROM kiosks k, n WHERE k.kiosk_id IS NOT NULL"
    if [ "$1" = sqlite ]; then
        python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' \
            "${2#sqlite:}" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25) ${sql/AT/\'2026-11-20T00:00:00Z\'}"
    else
        psql -q "$2" -c "WITH n(i) AS (SELECT generate_series(1, 25)) ${sql/AT/now()}"
    fi
    echo "   events: 25 per kiosk added"
}

# live DATABASE BASE JAR: the overview and the ingesting facility's page while another process
# stores a batch at that facility (the best one, 20 responses over the year to today, so each
# batch moves the stamps of a dozen of its months) every LIVE seconds: what the cache costs when
# its stamps keep moving. The batches go through the ingest code as a kiosk's would; each one is
# a new demo kiosk (seeds from the clock, so no rerun meets an earlier run's kiosk ids). 100
# requests of each page, 0.1 s apart.
live() {
    local db=$1 base=$2 jar=$3 feeder seed slug url label
    slug=trung-tam-y-te-huyen-ba-vi # the demo's first facility, where `--facilities 1` stores
    seed=$(date +%s)000
    : >"$DIR/live-batches"
    : >"$DIR/live-errors"
    (
        while :; do
            seed=$((seed + 1))
            if "$BIN" centre demo-data --data-dir "$DIR" --database "$db" --facilities 1 --kiosks-per-facility 1 \
                --responses 20 --seed "$seed" --end "$(date +%F)" --questionnaire byt-ngoai-tru >/dev/null 2>"$DIR/live-said"; then
                echo "$seed" >>"$DIR/live-batches"
            else
                cat "$DIR/live-said" >>"$DIR/live-errors"
            fi
            sleep "$LIVE"
        done
    ) &
    feeder=$!
    sleep 2
    for url in "/overview" "/facility/$slug"; do
        label="GET ${url/$slug/<ingesting>}, batches every ${LIVE} s"
        for _ in $(seq 100); do
            curl -s -o /dev/null --compressed -b "$jar" -w '%{time_starttransfer}\n' "$base$url"
            sleep 0.1
        done | stats "$label"
    done
    kill "$feeder"
    wait "$feeder" 2>/dev/null || true
    echo "   $(wc -l <"$DIR/live-batches") batches stored meanwhile at $slug; $(grep -c . "$DIR/live-errors" || true) lines of errors"
    head -n 3 "$DIR/live-errors" >&2
}

bench() { # NAME DATABASE
    local name=$1 db=$2 base jar login csrf status overview slug public size total
    echo "== $name ($FACILITIES facilities × $KIOSKS kiosks × $PER_KIOSK responses)"
    if [ ! -f "$DIR/$name.filled" ]; then
        /usr/bin/time -f "   demo-data: %e s wall, %M KB peak RSS" "$BIN" centre demo-data --data-dir "$DIR" --database "$db" \
            --facilities "$FACILITIES" --kiosks-per-facility "$KIOSKS" --responses "$PER_KIOSK" --seed 1 --end 2026-11-20 \
            --questionnaire byt-ngoai-tru
        echo "$PASSWORD" | "$BIN" centre user add --data-dir "$DIR" --database "$db" --name "$USER_NAME" --role province --password-stdin >/dev/null
        touch "$DIR/$name.filled"
    fi
    if [ ! -f "$DIR/$name.events" ]; then
        events "$name" "$db"
        touch "$DIR/$name.events"
    fi
    start_centre "$DIR" "$db"
    base="http://127.0.0.1:$CENTRE_PORT"
    jar="$DIR/$name.cookies"
    rm -f "$jar"
    # Log in as a browser does: the login page sets the CSRF cookie and holds the same token in
    # a hidden input; the session cookie comes back in the jar.
    login=$(curl -s -c "$jar" "$base/login")
    csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$login" | sed 's/.*value="//; s/"$//')
    status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
        --data-urlencode "name=$USER_NAME" --data-urlencode "password=$PASSWORD" "$base/login")
    if [ "$status" != 303 ] || ! grep -q hl_session "$jar"; then
        echo "   login failed (HTTP $status)" >&2
        stop_centre
        return 1
    fi
    # The first look at the overview, before the centre kept any tallies (the first figure of
    # the current quarter's overview below is then already a second look).
    overview=$(curl -s -b "$jar" -w '\n%{time_starttransfer}' "$base/overview")
    echo "   GET /overview, first request after start: $(tail -n 1 <<<"$overview" | awk '{printf "%.1f", $1*1000}') ms"
    overview=$(sed '$d' <<<"$overview")
    echo "   overview lists $(grep -o 'href="/facility/[^"?]*' <<<"$overview" | sort -u | wc -l) facilities, $(wc -c <<<"$overview") bytes of HTML"
    # The worst facility (the overview's first row); all hold the same number of responses.
    slug=$(grep -o 'href="/facility/[^"?]*' <<<"$overview" | sed -n '1s|.*/facility/||p')
    echo "   facility: $slug"
    timed "GET /overview (current quarter)" time_starttransfer "$base/overview" -b "$jar"
    timed "GET /overview?period=2026-Q3" time_starttransfer "$base/overview?period=2026-Q3" -b "$jar"
    timed "GET /facility/… (current quarter)" time_starttransfer "$base/facility/$slug" -b "$jar"
    timed "GET /facility/…?period=2026-Q3" time_starttransfer "$base/facility/$slug?period=2026-Q3" -b "$jar"
    timed "GET /public/…" time_starttransfer "$base/public/$slug"
    timed "GET /facility/…/report.docx?period=2026-Q3" time_total "$base/facility/$slug/report.docx?period=2026-Q3" -b "$jar"
    if [ -n "${LIVE:-}" ]; then
        live "$db" "$base" "$jar"
    fi
    # What a browser transfers for the public page: the HTML and what it loads from here (the
    # stylesheet, the QR code), gzip-compressed; and no address of another site in src/href.
    public=$(curl -s "$base/public/$slug")
    size=$(curl -s -o /dev/null --compressed -H 'Accept-Encoding: gzip' -w '%{size_download}' "$base/public/$slug")
    if ! curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$base/public/$slug" | grep -qi '^content-encoding: gzip'; then
        echo "   public page: not gzip-compressed" >&2
    fi
    total=$size
    for asset in $(grep -oE '<link rel="stylesheet" href="/[^"]*"|<img[^>]* src="/[^"]*"' <<<"$public" | grep -oE '(href|src)="/[^"]*"' | sed 's/^[a-z]*="//; s/"$//; s/&amp;/\&/g' | sort -u); do
        total=$((total + $(curl -s -o /dev/null --compressed -H 'Accept-Encoding: gzip' -w '%{size_download}' "$base$asset")))
    done
    echo "   public page: $(wc -c <<<"$public") bytes of HTML, $size bytes gzipped; with its stylesheet and QR code $total bytes"
    local foreign
    foreign=$(grep -oE '(src|href|action|srcset)="(https?:)?//[^"]*"' <<<"$public" | grep -v "//127.0.0.1:$CENTRE_PORT" || true)
    if [ -n "$foreign" ]; then
        echo "   public page: third-party URLs: $foreign"
    else
        echo "   public page: no third-party URL in src/href/action"
    fi
    stop_centre
}

if [ "${ONLY:-}" != postgres ]; then
    bench sqlite "sqlite:$DIR/centre.sqlite3"
fi
if [ -n "${HAILONG_BENCH_POSTGRES_URL:-}" ] && [ "${ONLY:-}" != sqlite ]; then
    sep='?'
    case "$HAILONG_BENCH_POSTGRES_URL" in *\?*) sep='&' ;; esac
    if [ ! -f "$DIR/postgres.filled" ] || [ -z "$(psql "$HAILONG_BENCH_POSTGRES_URL" -Atc "SELECT 1 FROM information_schema.schemata WHERE schema_name = '$SCHEMA'")" ]; then
        rm -f "$DIR/postgres.filled"
        psql -q "$HAILONG_BENCH_POSTGRES_URL" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA"
    fi
    bench postgres "$HAILONG_BENCH_POSTGRES_URL${sep}options=-csearch_path%3D$SCHEMA"
fi
