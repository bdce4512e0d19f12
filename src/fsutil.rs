//! File writing that never leaves a half-written file behind.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `path` atomically: the bytes go to a temporary file in the same directory,
/// which is flushed, synced and renamed over `path`. A crash leaves either the old
/// file or the new one, never a mix.
///
/// A symlink is followed: the file it points to is replaced, and the link kept. A path
/// that is not a regular file (a directory, a device, a pipe) is refused rather than
/// replaced by one.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let target = writable_target(path).map_err(|e| Error::io(path, e))?;
    let path = target.as_path();
    let dir = directory_of(path);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, e))?;
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buffered).map_err(|e| Error::io(path, e))?;
        buffered.flush().map_err(|e| Error::io(path, e))?;
    }
    set_permissions(tmp.as_file(), path).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Where writing `path` should put the file: `path` itself when nothing or a regular file
/// is there, the file a symlink points to, or an error for anything else.
pub(crate) fn writable_target(path: &Path) -> std::io::Result<PathBuf> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(path.to_path_buf()),
        Err(e) => return Err(e),
    };
    let target = if metadata.file_type().is_symlink() {
        symlink_target(path)?
    } else {
        path.to_path_buf()
    };
    let metadata = match std::fs::metadata(&target) {
        Ok(m) => m,
        // A link to a file not made yet: it will be made where the link points.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(target),
        Err(e) => return Err(e),
    };
    if !metadata.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a directory, a device or a pipe); refusing to replace it",
        ));
    }
    Ok(target)
}

/// The file the symlink `path` points to, through every link on the way, whether or not
/// that file exists yet (its directory must).
fn symlink_target(path: &Path) -> std::io::Result<PathBuf> {
    if let Ok(resolved) = std::fs::canonicalize(path) {
        return Ok(resolved);
    }
    let unreachable = |e: std::io::Error| {
        std::io::Error::new(
            e.kind(),
            format!("a symlink to a file that cannot be reached ({e})"),
        )
    };
    let link = std::fs::read_link(path).map_err(unreachable)?;
    let pointed = match path.parent() {
        Some(dir) if link.is_relative() => dir.join(&link),
        _ => link,
    };
    let dir = directory_of(&pointed);
    let name = pointed
        .file_name()
        .ok_or_else(|| std::io::Error::other("a symlink to a path without a file name"))?;
    Ok(std::fs::canonicalize(dir).map_err(unreachable)?.join(name))
}

/// Checks, before long work, that [`write_atomic`] could write `path`: nothing or a
/// regular file is there (or a symlink to one), in an existing directory.
pub fn check_writable(path: &Path) -> Result<()> {
    let target = writable_target(path).map_err(|e| Error::io(path, e))?;
    let dir = directory_of(&target);
    if !dir.is_dir() {
        let missing = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the directory {} does not exist", dir.display()),
        );
        return Err(Error::io(path, missing));
    }
    Ok(())
}

/// What tells one file apart from every other on this system while it exists: device
/// and inode on Unix. `None` where the platform gives no such identity.
pub fn file_identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Whether `a` and `b` name the same existing file (through links, `..` or symlinks).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
        false
    }
    #[cfg(not(unix))]
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// An advisory lock held on a lock file until dropped (`flock` on Unix), which then
/// removes the file. The lock, not the file, is what excludes: the system releases it when
/// its process ends, so a crashed holder leaves at most an unlocked file that the next
/// [`LockFile::try_acquire`] takes.
#[derive(Debug)]
pub struct LockFile {
    path: PathBuf,
    /// Holds the lock while open: the system releases it when the file is closed.
    _locked: std::fs::File,
}

impl LockFile {
    /// Takes the lock of `path` (creating the file when missing), or `None` when another
    /// holder (another process, or another `LockFile` of this one) has it.
    pub fn try_acquire(path: &Path) -> std::io::Result<Option<LockFile>> {
        // A holder removes the file before it lets go, so the file locked here may be gone
        // from `path` by the time the lock is taken: then try the file there now.
        for _ in 0..10 {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
            let locked = file.metadata()?;
            let named = std::fs::metadata(path).ok();
            if named.as_ref().and_then(file_identity) == file_identity(&locked) {
                let path = path.to_path_buf();
                return Ok(Some(LockFile {
                    path,
                    _locked: file,
                }));
            }
        }
        Err(std::io::Error::other(
            "the lock file keeps being replaced by another program",
        ))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // Removed while still locked (closing the file afterwards unlocks it), so that
        // whoever opened it meanwhile finds it gone rather than taking a lock nobody sees.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The directory a file path is in: its parent, or `.` for a bare file name.
pub(crate) fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Gives the new file the permissions of the file it replaces, or the usual 0644 for a new
/// one (temporary files are created 0600).
fn set_permissions(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => existing.permissions(),
        Err(_) => default_permissions(file)?,
    };
    file.set_permissions(permissions)
}

#[cfg(unix)]
fn default_permissions(_: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_whole_files_and_are_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, |w| w.write_all(b"first")).unwrap();
        write_atomic(&path, |w| w.write_all(b"second")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        std::fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_a_file_not_made_yet_makes_it() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("models").join("m.tgm");
        std::fs::create_dir(dir.path().join("models")).unwrap();
        let link = dir.path().join("link.tgm");
        std::os::unix::fs::symlink("models/m.tgm", &link).unwrap();
        check_writable(&link).unwrap();
        write_atomic(&link, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn check_writable_refuses_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_writable(&dir.path().join("no").join("m.tgm")).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        check_writable(&dir.path().join("m.tgm")).unwrap();
    }

    #[test]
    fn a_directory_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let err = write_atomic(&sub, |w| w.write_all(b"x")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(sub.is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo on this machine: the directory test covers the rule
        }
        let err = write_atomic(&fifo, |w| w.write_all(b"x")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(!std::fs::metadata(&fifo).unwrap().is_file());
    }

    #[test]
    fn same_file_sees_through_other_spellings() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        std::fs::write(&a, b"x").unwrap();
        let other = dir.path().join(".").join("a.csv");
        assert!(same_file(&a, &other));
        assert!(!same_file(&a, &dir.path().join("b.csv")));
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, |w| w.write_all(b"kept")).unwrap();
        let failed = write_atomic(&path, |_| Err(std::io::Error::other("disk full")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"kept");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left behind"
        );
    }
}
