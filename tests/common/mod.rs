//! Helpers shared by the end-to-end tests: a small, fillable disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small tmpfs mounted on a temporary directory, unmounted on drop. Mounting needs
/// root; [`SmallDisk::mount`] returns `None` (and says so) where it is not possible, so
/// tests using it skip there. The same failures are also tested for every user with an
/// injected writer error (tests/labels.rs, tests/model_lib.rs).
pub struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `kib` KiB, or explains why not and returns `None`.
    pub fn mount(kib: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let result = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .output();
        match result {
            Ok(out) if out.status.success() => Some(SmallDisk { dir }),
            Ok(out) => {
                let why = String::from_utf8_lossy(&out.stderr);
                eprintln!(
                    "note: full-disk test skipped, cannot mount a tmpfs: {}",
                    why.trim()
                );
                None
            }
            Err(e) => {
                eprintln!("note: full-disk test skipped, cannot run mount: {e}");
                None
            }
        }
    }

    /// The mounted directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk with a filler file until a write fails for lack of space.
    pub fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = [b'x'; 512];
        while file
            .write_all(&block)
            .and_then(|()| file.sync_data())
            .is_ok()
        {}
        while file.write_all(b"x").is_ok() {}
        filler
    }

    /// Every file name in the disk's top directory, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
