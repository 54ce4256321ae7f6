//! The `hailong` command: see `hailong --help`, and `cli` for each command.

mod cli;

/// mimalloc instead of the system allocator: a batch the centre receives is hundreds of
/// responses of a few dozen small strings and maps each, and with mimalloc the centre parses
/// one in about 30 % less time (`cargo bench --bench centre`, "centre ingest stages"). The
/// benches that run the centre in-process declare the same allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
