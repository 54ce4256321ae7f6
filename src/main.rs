//! The `hailong` command: see `hailong --help`, and `cli` for each command.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
