#!/usr/bin/env bash
# Issue 12 figures, with the release binaries against a local `hailong centre serve` (SQLite, or
# PostgreSQL when HAILONG_BENCH_POSTGRES_URL names a server and schema):
#   1. an audit claiming every response was removed (`POST /api/v1/audit` with no entries) from a
#      kiosk the centre holds N responses of (default 65,000): its time, twice (the second finds
#      every event recorded already), and the slowest `GET /api/v1/health` answered meanwhile;
#   2. memory: the centre's resident size before, at the peak of 40 batches of 4 MiB posted at
#      once, and 5, 15 and 30 s after (SQLite only: the bound is in the HTTP layer);
#   3. `hailong centre verify` over 1,000,000 responses (set VERIFY=1; fills a centre first).
# Usage: bash benches/hostile.sh [N]. Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-65000}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
BIN=$TARGET/release/hailong
WORK=$TARGET/bench-hostile-$N
mkdir -p "$WORK"
. benches/centre-serve.sh

rss() { awk '/VmRSS/ {print $2}' "/proc/$CENTRE_PID/status"; }

if [ ! -f "$WORK/filled/hailong.sqlite3" ]; then
    mkdir -p "$WORK/filled"
    "$BIN" demo-data --data-dir "$WORK/filled" --responses "$N" --seed 1 --end 2026-11-20
fi

audit() { # NAME DATABASE
    local name=$1 db=$2 centre=$WORK/centre-$1 kiosk=$WORK/kiosk-$1
    echo "== $name: audit of $N responses all claimed removed"
    rm -rf "$centre" "$kiosk"
    mkdir -p "$centre"
    cp -r "$WORK/filled" "$kiosk"
    start_centre "$centre" "$db"
    "$BIN" centre kiosk add --data-dir "$centre" --database "$db" --facility "TTYT bench" --name "Kiosk" \
        --url "http://127.0.0.1:$CENTRE_PORT" >>"$kiosk/hailong.toml"
    "$BIN" sync --once --data-dir "$kiosk" --lang en 2>&1 | tail -1
    local token kiosk_id
    token=$(sed -n 's/^token = "\(.*\)"/\1/p' "$kiosk/hailong.toml")
    kiosk_id=$("$BIN" centre kiosk list --data-dir "$centre" --database "$db" | cut -f4)
    for round in first second; do
        python3 - "$CENTRE_PORT" "$token" "$kiosk_id" "$round" <<'PY'
import http.client, json, sys, threading, time
port, token, kiosk, round_ = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
done, slowest = threading.Event(), [0.0]
def probe():
    while not done.is_set():
        t = time.perf_counter()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        c.request("GET", "/api/v1/health"); c.getresponse().read(); c.close()
        slowest[0] = max(slowest[0], time.perf_counter() - t)
        time.sleep(0.05)
threading.Thread(target=probe, daemon=True).start()
body = json.dumps({"kiosk_id": kiosk, "from": 1, "to": None, "entries": []})
t = time.perf_counter()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
c.request("POST", "/api/v1/audit", body, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
r = c.getresponse(); answer = json.loads(r.read())
took = time.perf_counter() - t
done.set()
print(f"   {round_} audit: {took:.2f} s, {len(answer.get('removed', []))} removed found; slowest health check meanwhile {slowest[0]*1000:.0f} ms")
PY
    done
    stop_centre
}

memory() {
    local centre=$WORK/centre-sqlite db="sqlite:$WORK/centre-sqlite/centre.sqlite3"
    echo "== memory: 40 batches of 4 MiB at once"
    start_centre "$centre" "$db"
    local token
    token=$(sed -n 's/^token = "\(.*\)"/\1/p' "$WORK/kiosk-sqlite/hailong.toml")
    python3 - "$centre/centre.sqlite3" "$WORK/batch.json" <<'PY'
import sqlite3, sys
db, out = sys.argv[1], sys.argv[2]
rows = sqlite3.connect(db).execute("SELECT kiosk_id, body FROM responses ORDER BY seq LIMIT 1000").fetchall()
head = '{"kiosk_id":"%s","responses":[' % rows[0][0]
body = (head + ",".join(b for _, b in rows)).encode()
# Whitespace between tokens keeps every response's hash valid and fills the body to 4 MiB.
body += b" " * (4 * 1024 * 1024 - len(body) - 64) + b"]}"
open(out, "wb").write(body)
PY
    python3 - "$CENTRE_PORT" "$token" "$WORK/batch.json" "$CENTRE_PID" <<'PY'
import http.client, sys, threading, time, collections
port, token, path, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
body = open(path, "rb").read()
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
print(f"   before: {rss()} kB, body {len(body) / 2**20:.1f} MiB")
codes, peak = collections.Counter(), [0]
def post():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("POST", "/api/v1/responses", body, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); r.read(); codes[r.status] += 1
threads = [threading.Thread(target=post) for _ in range(40)]
t = time.perf_counter()
for th in threads: th.start()
while any(th.is_alive() for th in threads):
    peak[0] = max(peak[0], rss()); time.sleep(0.02)
print(f"   peak: {peak[0]} kB; answers {dict(codes)} in {time.perf_counter() - t:.1f} s")
for after in (5, 15, 30):
    time.sleep(after - (5 if after == 15 else 15 if after == 30 else 0))
    print(f"   {after} s after: {rss()} kB")
PY
    stop_centre
}

verify() {
    local centre=$WORK/centre-verify
    if [ ! -f "$centre/centre.sqlite3" ]; then
        mkdir -p "$centre"
        "$BIN" centre demo-data --data-dir "$centre" --facilities 5 --kiosks-per-facility 4 --responses 50000
    fi
    echo "== centre verify over 1,000,000 responses"
    /usr/bin/time -f "   %e s wall, %M KB peak RSS" "$BIN" centre verify --data-dir "$centre" --lang en
}

audit sqlite "sqlite:$WORK/centre-sqlite/centre.sqlite3"
memory
if [ -n "${HAILONG_BENCH_POSTGRES_URL:-}" ]; then
    audit postgres "$HAILONG_BENCH_POSTGRES_URL"
fi
if [ "${VERIFY:-0}" = 1 ]; then
    verify
fi
