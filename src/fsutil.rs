//! Files that hold secrets: the settings (`hailong.toml`: the centre's bearer token, the PIN
//! hash) and the databases (patients' comments) are readable by their owner only, in a data
//! directory only its owner can enter, from the first start and after every rewrite.
//!
//! Unix permissions; elsewhere these functions create and write files with the platform's
//! defaults.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Mode of a directory hailong creates.
pub const DIR_MODE: u32 = 0o700;
/// Mode of a file holding settings or answers.
pub const FILE_MODE: u32 = 0o600;
/// The lock file a running kiosk holds in its data directory.
pub const LOCK_FILE: &str = "hailong.lock";

/// Creates `dir` and any missing parents, each directory it creates with mode 0700. Existing
/// directories are left as they are (a shared parent such as `~/.local/share` is not ours).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Makes sure `path` exists and only its owner may read or write it: a missing file is created
/// empty with mode 0600, an existing one readable by group or others is narrowed to 0600. Its
/// content is not touched.
pub fn ensure_private_file(path: &Path) -> io::Result<()> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut options = OpenOptions::new();
            options.write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
            options.open(path)?
        }
        Err(e) => return Err(e),
    };
    restrict(&file)
}

/// Narrows an open file's mode to its owner's bits (at most 0600), if it grants anything to
/// group or others. A file of another user (root reading the kiosk's database) is left as it
/// is: only its owner may change its mode, and does at its next start.
fn restrict(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            match file.set_permissions(std::fs::Permissions::from_mode(mode & FILE_MODE)) {
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {}
                other => other?,
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Prepares an SQLite database file before it is opened: created 0600 if missing, narrowed to
/// 0600 if world- or group-readable, and its `-wal` and `-shm` files too if they exist (SQLite
/// creates them with the main file's mode). The kiosk's store calls this for `hailong.sqlite3`;
/// the centre's SQLite backend calls it for `centre.sqlite3`.
///
/// Call it after checking that the file is a database one may open: it creates the file.
pub fn prepare_private_database(path: &Path) -> io::Result<()> {
    ensure_private_file(path)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        match File::open(PathBuf::from(side)) {
            Ok(file) => restrict(&file)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Replaces `path` with `bytes` atomically: a temporary file beside it (mode 0600) is written
/// and synced, renamed over `path`, and the directory synced, so a crash leaves the old file or
/// the new one, never half of one, and the file is 0600 after every rewrite.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".hailong-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(FILE_MODE));
    }
    // On any error the temporary file is removed when `tmp` drops.
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename is durable only once the directory is.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An exclusive lock on a data directory, held until dropped (or the process ends, however it
/// ends: the operating system releases it).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
    dir: PathBuf,
}

impl DirLock {
    /// The directory locked.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Why a data directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock.
    #[error("{}: in use by another process", dir.display())]
    InUse {
        /// The directory.
        dir: PathBuf,
    },
    /// The lock file cannot be created or locked.
    #[error("{}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// Takes the exclusive lock of `dir` (created 0700 if missing) on its [`LOCK_FILE`], without
/// waiting: [`LockError::InUse`] if another process (or another lock in this one) holds it.
pub fn lock_dir(dir: &Path) -> Result<DirLock, LockError> {
    let path = dir.join(LOCK_FILE);
    let io = |source: io::Error| LockError::Io {
        path: path.clone(),
        source,
    };
    create_private_dir_all(dir).map_err(io)?;
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let mut file = options.open(&path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(LockError::InUse { dir: dir.to_path_buf() });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    // Who holds it, for a person looking (never read by hailong).
    let _ = file.set_len(0);
    let _ = writeln!(file, "{}", std::process::id());
    Ok(DirLock {
        _file: file,
        dir: dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_directory_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_dir(dir.path()).unwrap();
        assert!(matches!(lock_dir(dir.path()), Err(LockError::InUse { dir: d }) if d == dir.path()));
        drop(first);
        lock_dir(dir.path()).expect("free again once the first holder is gone");
    }
}
