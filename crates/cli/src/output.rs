//! Delivering a finished output: to stdout, or atomically to a file.
//!
//! Commands render their whole output into memory first and call [`Output::emit`] only once
//! everything succeeded. Together with the atomic file write this guarantees that a failed run
//! leaves neither half a JSON array on stdout nor a truncated file where a good one used to be.
//! Files go through `unspin_io::files`, which also refuses to replace what an output must not
//! (an input of the run, a directory, a link, a device); commands with `--force` let the user
//! override that, except for protected paths such as a batch run's own files.

use anyhow::{Context, Result};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use unspin::files::{self, Destination, Guard, WriteError};
use unspin_corpus::batch;

/// Where a command's main output goes, checked before the work starts so a refused `--output`
/// costs nothing, and checked again when written.
pub struct Output {
    path: Option<PathBuf>,
    guard: Guard,
}

impl Output {
    /// Stdout when `path` is `None`; otherwise the file, if `guard` allows it and its
    /// directory exists and takes files (a typo in the folder fails before the analysis, not
    /// after it).
    pub fn new(path: Option<PathBuf>, guard: Guard) -> Result<Output> {
        if let Some(path) = &path {
            let destination = guard.check(path).map_err(|e| explain(e, true))?;
            if let Destination::Replace(target) = destination {
                directory_takes_files(path, &target)?;
            }
        }
        Ok(Output { path, guard })
    }

    /// Writes the finished output.
    pub fn emit(&self, bytes: &[u8]) -> Result<()> {
        match &self.path {
            Some(path) => write(path, bytes, &self.guard),
            None => to_stdout(bytes),
        }
    }
}

/// The refusals every output has: besides [`Guard`]'s own (directories; links, devices and
/// write-protected files unless forced), a batch run's own files (manifest, summary, errors, shards, results
/// database and its journals), not even with `--force`: replacing one breaks the run's next
/// resume and its statistics, whichever command writes it.
pub fn guard(force: bool) -> Guard {
    let mut guard = Guard::new(force);
    guard.protect(|target| {
        // A run's files lie in its directory or one level down (shards/, errors/).
        target.ancestors().skip(1).take(2).find_map(|dir| {
            (batch::is_output_dir(dir) && batch::is_own_file(dir, target))
                .then(|| format!("belongs to the batch run in {}", dir.display()))
        })
    });
    guard
}

/// A guard that knows every file the article `paths` of `analyze` name (`-` is stdin, a
/// directory is the article and JSONL files below it), so no output replaces one of them.
pub fn input_guard(force: bool, paths: &[PathBuf]) -> Guard {
    let mut guard = guard(force);
    for path in paths {
        if path.as_os_str() == "-" {
            guard.stdin();
        } else if path.is_dir() {
            // Listing failures surface when the articles are read; nothing to protect then.
            for file in unspin::input::article_files(path).unwrap_or_default() {
                guard.input(&file);
            }
        } else {
            guard.input(path);
        }
    }
    guard
}

/// Fails if `guard` would refuse to write `path`, with the message [`write`] would give.
pub fn check(path: &Path, guard: &Guard) -> Result<()> {
    guard.check(path).map(drop).map_err(|e| explain(e, true))
}

/// [`check`] for commands without `--force`, whose message must not offer it.
pub fn check_unforced(path: &Path, guard: &Guard) -> Result<()> {
    guard.check(path).map(drop).map_err(|e| explain(e, false))
}

/// Writes `bytes` to `path` as `guard` allows: atomically, never over what it refuses.
pub fn write(path: &Path, bytes: &[u8], guard: &Guard) -> Result<()> {
    files::write(path, bytes, guard).map_err(|e| explain(e, true))
}

/// Writes a file atomically with the default refusals, for commands without `--force`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    files::write(path, bytes, &guard(false)).map_err(|e| explain(e, false))
}

/// For commands without `--force` whose work takes minutes (training, validation): fails at
/// once if `path` could not be written when the work is done, rather than after it. Refuses
/// what `guard` refuses (an input of the run above all) and a directory that is missing or
/// takes no files.
pub fn check_before_work(path: &Path, guard: &Guard) -> Result<()> {
    guard.check(path).map(drop).map_err(|e| explain(e, false))?;
    directory_takes_files(path, path)
}

/// Fails, naming `path`, unless the directory of `target` (the file `path` is replaced
/// through) exists and a file can be created in it.
fn directory_takes_files(path: &Path, target: &Path) -> Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // An unnamed file where the system has them: nothing shows up in the directory, even for
    // a moment, and nothing is left behind.
    tempfile::tempfile_in(dir).map(drop).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound && !dir.exists() {
            // As the write itself would say it.
            return anyhow::anyhow!(
                "{}: cannot write: the directory {} does not exist",
                path.display(),
                dir.display()
            );
        }
        anyhow::anyhow!(
            "{}: cannot write into the directory {}: {e}",
            path.display(),
            dir.display()
        )
    })
}

/// Writes a file atomically with `guard`'s refusals, for commands without `--force`.
pub fn write_guarded(path: &Path, bytes: &[u8], guard: &Guard) -> Result<()> {
    files::write(path, bytes, guard).map_err(|e| explain(e, false))
}

/// Writes `bytes` to `path` atomically, or to stdout when `path` is `None`.
pub fn emit(bytes: &[u8], path: Option<&Path>) -> Result<()> {
    match path {
        Some(path) => write_atomic(path, bytes),
        None => to_stdout(bytes),
    }
}

fn to_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

/// The error a user sees: the refusal names the path; where the command has `--force`, say
/// that it overrides.
fn explain(e: WriteError, has_force: bool) -> anyhow::Error {
    if has_force && e.is_overridable() {
        anyhow::anyhow!("{e} (--force overrides this)")
    } else {
        anyhow::Error::new(e)
    }
}

/// Whether an error comes from writing to a closed pipe (`unspin ... | head`), which is the
/// reader's choice rather than a failure worth reporting.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        // A WriteError carries its io::Error as a field, not as a source (a FIFO written
        // with --force whose reader left).
        let io = match c.downcast_ref::<WriteError>() {
            Some(WriteError::Io { error, .. }) => Some(error),
            _ => c.downcast_ref::<io::Error>(),
        };
        io.is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn count(dir: &Path) -> usize {
        fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second");
        // Only the output file is left behind: the temporary was renamed, not copied.
        assert_eq!(count(dir.path()), 1);
    }

    #[test]
    fn missing_directory_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.txt");
        let e = write_atomic(&p, b"x").unwrap_err();
        assert!(format!("{e:#}").contains("out.txt"));
    }

    #[test]
    fn a_missing_directory_is_refused_before_the_work() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no-such-dir/out.json");
        let e = Output::new(Some(p), guard(false)).err().expect("refused");
        let msg = format!("{e:#}");
        assert!(
            msg.contains("out.json") && msg.contains("no-such-dir"),
            "{msg}"
        );
        assert!(Output::new(Some(dir.path().join("out.json")), guard(false)).is_ok());
        assert_eq!(count(dir.path()), 0, "the check leaves nothing behind");
    }

    #[test]
    fn an_input_is_refused_with_a_hint_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let article = dir.path().join("article1.txt");
        fs::write(&article, "text").unwrap();
        // Given directly, and as part of a directory.
        for inputs in [vec![article.clone()], vec![dir.path().to_path_buf()]] {
            let e = Output::new(Some(article.clone()), input_guard(false, &inputs))
                .err()
                .expect("refused");
            let msg = format!("{e:#}");
            assert!(
                msg.contains("article1.txt") && msg.contains("--force"),
                "{msg}"
            );
        }
        // A file in an input directory that is not an article is not an input.
        let report = dir.path().join("report.json");
        let out = Output::new(
            Some(report.clone()),
            input_guard(false, &[dir.path().into()]),
        );
        out.unwrap().emit(b"{}").unwrap();
        assert_eq!(fs::read(&article).unwrap(), b"text");
        assert_eq!(count(dir.path()), 2);

        let forced = Output::new(
            Some(article.clone()),
            input_guard(true, std::slice::from_ref(&article)),
        );
        forced.unwrap().emit(b"report").unwrap();
        assert_eq!(fs::read(&article).unwrap(), b"report");
    }

    #[cfg(unix)]
    #[test]
    fn commands_without_force_do_not_mention_it() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("target"), &link).unwrap();
        let e = write_atomic(&link, b"x").unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("symbolic link") && !msg.contains("--force"),
            "{msg}"
        );
        assert!(!dir.path().join("target").exists());
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let e = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert!(is_broken_pipe(&e));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
