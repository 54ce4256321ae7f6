#!/usr/bin/env bash
# Issue 28 figures, with the release binary against a local `hailong centre serve` (SQLite, and
# PostgreSQL when HAILONG_BENCH_POSTGRES_URL names a server):
#   1. a kiosk's sync of N responses (default 2,000) on its own, then while 1,000 slow clients
#      from one other address (127.0.0.2) hold `POST /login`, dripping a byte every 5 s: the
#      sync's time, and how many of the 1,000 connections the centre kept;
#   2. the database's growth (file and WAL, or the throttle's table on PostgreSQL) after 3,000
#      anonymous failed logins: every other one with a 16 KiB name, the rest with new plausible
#      names. (Give PostgreSQL a database or schema of its own: the centre creates its tables.)
# Usage: bash benches/web-abuse.sh [N]. Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
BIN=${HAILONG_BIN:-$TARGET/release/hailong}
WORK=$TARGET/bench-web-abuse
rm -rf "$WORK"
mkdir -p "$WORK"
. benches/centre-serve.sh

# slow_clients PORT COUNT: holds COUNT connections from 127.0.0.2 posting the login form a byte
# every 5 s, until killed; prints how many the centre still holds after 3 s.
slow_clients() {
    python3 - "$1" "$2" <<'EOF' &
import socket, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(count):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"POST /login HTTP/1.1\r\nHost: c\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 16000\r\n\r\nn")
        held.append(s)
    except OSError:
        pass
time.sleep(3)
def alive(s):
    s.setblocking(False)
    try:
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
print(f"slow clients: {sum(alive(s) for s in held)} of {count} connections held by the centre", flush=True)
while True:
    time.sleep(5)
    for s in held:
        try:
            s.setblocking(True)
            s.send(b"a")
        except OSError:
            pass
EOF
    SLOW_PID=$!
}

sync_time() { # KIOSK_DIR: prints the seconds `hailong sync --once` took
    local start end
    start=$(date +%s.%N)
    "$BIN" sync --once --data-dir "$1" --lang en >/dev/null 2>&1
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}

run() { # NAME DATABASE SIZE_COMMAND
    local name=$1 db=$2 centre=$WORK/centre-$1
    mkdir -p "$centre"
    start_centre "$centre" "$db"
    local seed=3
    for k in alone attacked; do
        local kiosk=$WORK/kiosk-$name-$k
        seed=$((seed + 1))
        "$BIN" demo-data --data-dir "$kiosk" --responses "$N" --seed "$seed" >/dev/null
        "$BIN" centre kiosk add --data-dir "$centre" --database "$db" --facility "TTYT bench $k" --name "Kiosk" \
            --url "http://127.0.0.1:$CENTRE_PORT" >>"$kiosk/hailong.toml"
    done
    echo "== $name: a kiosk syncs $N responses"
    echo "alone: $(sync_time "$WORK/kiosk-$name-alone") s"
    slow_clients "$CENTRE_PORT" 1000
    sleep 4
    echo "while 1,000 slow clients hold /login: $(sync_time "$WORK/kiosk-$name-attacked") s"
    curl -s -o /dev/null -w "health meanwhile: %{http_code} in %{time_total} s\n" "http://127.0.0.1:$CENTRE_PORT/api/v1/health"
    kill "$SLOW_PID"
    wait "$SLOW_PID" 2>/dev/null || true

    echo "== $name: 3,000 anonymous failed logins"
    local before after
    before=$($3)
    python3 - "$CENTRE_PORT" <<'EOF'
import http.cookiejar, sys, urllib.parse, urllib.request, urllib.error, re, time
port = int(sys.argv[1])
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
huge = "x" * (16 * 1024 - 200)
start = time.time()
codes = {}
for i in range(3000):
    name = huge if i % 2 == 0 else f"user{i}"
    body = urllib.parse.urlencode({"csrf": csrf, "name": name, "password": "x"}).encode()
    try:
        opener.open(f"http://127.0.0.1:{port}/login", body)
        code = 200
    except urllib.error.HTTPError as e:
        code = e.code
    codes[code] = codes.get(code, 0) + 1
print(f"3,000 posts in {time.time() - start:.1f} s, answers {codes}")
EOF
    after=$($3)
    echo "database before: $before; after: $after"
    stop_centre
}

sqlite_size() {
    local f=$WORK/centre-sqlite/centre.sqlite3
    echo "$(( $(stat -c %s "$f") + $( [ -f "$f-wal" ] && stat -c %s "$f-wal" || echo 0) )) bytes (file and WAL)"
}
run sqlite "sqlite:$WORK/centre-sqlite/centre.sqlite3" sqlite_size

if [ -n "${HAILONG_BENCH_POSTGRES_URL:-}" ]; then
    pg_size() {
        psql "$HAILONG_BENCH_POSTGRES_URL" -Atc \
            "SELECT pg_total_relation_size('login_throttle') || ' bytes in login_throttle (' || count(*) || ' rows)' FROM login_throttle"
    }
    run postgres "$HAILONG_BENCH_POSTGRES_URL" pg_size
fi
