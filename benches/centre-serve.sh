# Sourced by the centre bench scripts: runs `hailong centre serve` ($BIN) on a free loopback port.

# start_centre DATA_DIR DATABASE: starts the centre, waits until it answers; sets CENTRE_PORT
# and CENTRE_PID.
start_centre() {
    CENTRE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    RUST_LOG=warn "$BIN" centre serve --data-dir "$1" --database "$2" --listen "127.0.0.1:$CENTRE_PORT" &
    CENTRE_PID=$!
    for _ in $(seq 100); do curl -s "http://127.0.0.1:$CENTRE_PORT/api/v1/health" >/dev/null && break; sleep 0.1; done
}

# stop_centre: stops the centre start_centre started.
stop_centre() {
    kill "$CENTRE_PID"
    wait "$CENTRE_PID" || true
}
