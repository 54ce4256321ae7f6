//! `hailong centre serve` as a child process on a port of its own, so a test can kill it.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts the centre on `data` (its data dir) and waits until it accepts connections.
pub fn spawn_centre_with(data: &Path, port: u16, extra: &[&str]) -> Child {
    spawn_centre_logged(data, port, extra, Stdio::null())
}

/// [`spawn_centre_with`], its log (stderr) going to `log`.
pub fn spawn_centre_logged(data: &Path, port: u16, extra: &[&str], log: impl Into<Stdio>) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args([
            "centre",
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the centre did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
