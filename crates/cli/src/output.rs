//! Delivering a finished output: to stdout, or atomically to a file.
//!
//! Commands render their whole output into memory first and call [`emit`] only once everything
//! succeeded. Together with the atomic file write this guarantees that a failed run leaves
//! neither half a JSON array on stdout nor a truncated file where a good one used to be.

use anyhow::{Context, Result};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically, or to stdout when `path` is `None`.
pub fn emit(bytes: &[u8], path: Option<&Path>) -> Result<()> {
    match path {
        Some(path) => write_atomic(path, bytes),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .context("cannot write to standard output")
        }
    }
}

/// Writes a file through a temporary file in the same directory and a rename, so readers see
/// either the old file or the complete new one, never a partial write.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = temp_builder(path)
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create output file", path.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write output file", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot write output file", path.display()))?;
    Ok(())
}

/// Temporary files are created private (0600) by default, and the rename would carry that over
/// to the output. Use the replaced file's permissions, or for a new file the usual 0666 minus
/// the umask, so the result looks like any other file the user writes.
fn temp_builder(path: &Path) -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".unspin-");
    match std::fs::metadata(path) {
        Ok(meta) => {
            b.permissions(meta.permissions());
        }
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                b.permissions(std::fs::Permissions::from_mode(0o666));
            }
        }
    }
    b
}

/// Whether an error comes from writing to a closed pipe (`unspin ... | head`), which is the
/// reader's choice rather than a failure worth reporting.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        // Only the output file is left behind: the temporary was renamed, not copied.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn output_files_are_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // The same mode as a file created the ordinary way under the current umask.
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, b"x").unwrap();
        assert_eq!(mode(&p), mode(&plain));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"y").unwrap();
        assert_eq!(mode(&p), 0o640, "a replaced file keeps its permissions");
    }

    #[test]
    fn missing_directory_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.txt");
        let e = write_atomic(&p, b"x").unwrap_err();
        assert!(format!("{e:#}").contains("out.txt"));
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let e = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert!(is_broken_pipe(&e));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
