//! Writing output files: whole or not at all, and never over what an output must not replace.
//!
//! Every file unspin writes (reports, statistics, model files) goes through [`write()`]: a
//! temporary file next to the target, flushed to disk, then renamed over it, so a reader sees
//! the old file or the complete new one. Before that, [`Guard::check`] refuses a target that is
//! a directory, a symbolic link, a device, FIFO or socket, a write-protected file, or a file
//! the run reads: renaming would silently turn a link or a device node into a regular file,
//! replace a file its owner protected, and `analyze -o in.txt in.txt` would replace the
//! article with its report. `force` lets the user override those (a link is then written
//! through, a device written into, a write-protected file replaced and left write-protected);
//! a [`Guard::protect`]ed path is refused even then.

use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The name of every temporary file starts with this; only names of the exact shape
/// `.unspin-XXXXXX.tmp` (or `.unspin-XXXXXX`, from older versions) are ever cleaned up.
pub const TEMP_PREFIX: &str = ".unspin-";
const TEMP_SUFFIX: &str = ".tmp";
/// Random characters tempfile puts between prefix and suffix.
const TEMP_RANDOM_LEN: usize = 6;

/// A temporary file with no lock on it is only taken for abandoned once it is this old: the
/// writer creates the file and locks it a moment later, and this margin keeps the cleanup from
/// slipping into that moment (or being fooled by a little clock skew on a network disk).
const UNLOCKED_STALE_AFTER: Duration = Duration::from_secs(10);

/// Where locks cannot tell (no `flock`, or a file system without it), a temporary file is
/// abandoned only when nothing has written to it for this long: outputs are rendered in memory
/// and written in one go, so a live write never pauses anywhere near this long.
const UNLOCKABLE_STALE_AFTER: Duration = Duration::from_secs(3600);

/// Why an output was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: is a directory, not a file to write", .0.display())]
    Directory(PathBuf),

    #[error("{}: is a symbolic link; refusing to replace it", .0.display())]
    Symlink(PathBuf),

    #[error(
        "{}: is not a regular file (a device, FIFO or socket); refusing to replace it",
        .0.display()
    )]
    NotRegular(PathBuf),

    /// No write permission bit is set: someone protected the file on purpose. The rename would
    /// replace it all the same (it needs only the directory's permission), so refuse, as `rm`
    /// and `mv` ask first.
    #[error("{}: is write-protected; refusing to replace it", .0.display())]
    ReadOnly(PathBuf),

    #[error("{}: is an input of this run ({}); refusing to write over it", .path.display(), .input.display())]
    Input { path: PathBuf, input: PathBuf },

    #[error("{}: {why}; unspin never writes there", .path.display())]
    Protected { path: PathBuf, why: String },

    // `error` rather than `source`: the message already includes it, and error chains would
    // print it twice.
    #[error("{}: cannot write: {error}", .path.display())]
    Io { path: PathBuf, error: io::Error },
}

impl WriteError {
    /// Whether `force` would have allowed the write.
    pub fn is_overridable(&self) -> bool {
        matches!(
            self,
            WriteError::Symlink(_)
                | WriteError::NotRegular(_)
                | WriteError::ReadOnly(_)
                | WriteError::Input { .. }
        )
    }
}

/// A check that names the paths no output may touch, with the reason to give.
type Protection = Box<dyn Fn(&Path) -> Option<String> + Send + Sync>;

/// What an output of one run may not replace.
#[derive(Default)]
pub struct Guard {
    force: bool,
    inputs: Vec<(PathBuf, FileId)>,
    protected: Vec<Protection>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("force", &self.force)
            .field("inputs", &self.inputs)
            .field("protected", &self.protected.len())
            .finish()
    }
}

/// What makes two paths the same file: device and inode where the platform has them (so hard
/// links and different spellings of a path agree), else the canonical path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Canonical(PathBuf),
}

impl FileId {
    fn of(path: &Path, meta: &Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            Some(FileId::Inode(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            fs::canonicalize(path).ok().map(FileId::Canonical)
        }
    }
}

/// Where [`Guard::check`] sends the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A regular file (existing or new) replaced through a temporary file and a rename. For a
    /// symbolic link written with `force`, the file it points to.
    Replace(PathBuf),
    /// A device or FIFO written with `force`: opened and written in place, as a shell
    /// redirection would.
    Into(PathBuf),
}

impl Guard {
    /// A guard that refuses everything overridable unless `force`.
    pub fn new(force: bool) -> Guard {
        Guard {
            force,
            ..Guard::default()
        }
    }

    /// Records a file the run reads. Paths that do not exist or are not regular files are
    /// ignored: only a regular file can be replaced by mistake (anything else is refused anyway).
    pub fn input(&mut self, path: &Path) {
        if let Ok(meta) = fs::metadata(path) {
            if meta.is_file() {
                if let Some(id) = FileId::of(path, &meta) {
                    self.inputs.push((path.to_path_buf(), id));
                }
            }
        }
    }

    /// Records standard input, when it is a regular file (`unspin analyze - < in.txt`).
    pub fn stdin(&mut self) {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            let meta = io::stdin()
                .as_fd()
                .try_clone_to_owned()
                .and_then(|fd| File::from(fd).metadata());
            if let Ok(meta) = meta {
                if meta.is_file() {
                    if let Some(id) = FileId::of(Path::new("-"), &meta) {
                        self.inputs
                            .push((PathBuf::from(crate::input::STDIN_NAME), id));
                    }
                }
            }
        }
    }

    /// Forbids, even with `force`, every path for which `why` gives a reason. `why` sees the
    /// target resolved to an absolute path with symbolic links resolved as far as it exists
    /// (see [`resolve`]).
    pub fn protect(&mut self, why: impl Fn(&Path) -> Option<String> + Send + Sync + 'static) {
        self.protected.push(Box::new(why));
    }

    /// Decides whether `path` may be written and how, without writing anything.
    pub fn check(&self, path: &Path) -> Result<Destination, WriteError> {
        let io_err = |error| WriteError::Io {
            path: path.to_path_buf(),
            error,
        };
        self.check_protected(path, path)?;
        let mut target = path.to_path_buf();
        let mut meta = match fs::symlink_metadata(path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
        };
        if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
            if !self.force {
                return Err(WriteError::Symlink(path.to_path_buf()));
            }
            target = fs::canonicalize(path).map_err(|e| {
                io_err(io::Error::new(
                    e.kind(),
                    format!("cannot follow the symbolic link: {e}"),
                ))
            })?;
            meta = Some(fs::metadata(&target).map_err(io_err)?);
            self.check_protected(path, &target)?;
        }
        let Some(meta) = meta else {
            return Ok(Destination::Replace(target));
        };
        if meta.is_dir() {
            return Err(WriteError::Directory(path.to_path_buf()));
        }
        if !self.force {
            if let Some(input) = self.input_at(&target, &meta) {
                return Err(WriteError::Input {
                    path: path.to_path_buf(),
                    input: input.to_path_buf(),
                });
            }
            if !meta.is_file() {
                return Err(WriteError::NotRegular(path.to_path_buf()));
            }
            if meta.permissions().readonly() {
                return Err(WriteError::ReadOnly(path.to_path_buf()));
            }
        }
        Ok(if meta.is_file() {
            Destination::Replace(target)
        } else {
            Destination::Into(target)
        })
    }

    fn check_protected(&self, path: &Path, target: &Path) -> Result<(), WriteError> {
        if self.protected.is_empty() {
            return Ok(());
        }
        let resolved = resolve(target);
        match self.protected.iter().find_map(|why| why(&resolved)) {
            Some(why) => Err(WriteError::Protected {
                path: path.to_path_buf(),
                why,
            }),
            None => Ok(()),
        }
    }

    fn input_at(&self, target: &Path, meta: &Metadata) -> Option<&Path> {
        let id = FileId::of(target, meta)?;
        self.inputs
            .iter()
            .find(|(_, input)| *input == id)
            .map(|(p, _)| p.as_path())
    }
}

/// `path` as an absolute path with symbolic links resolved in the part that exists; the rest
/// (a file or directories still to be created) is appended with `.` and `..` applied, as the
/// system will apply them once those directories exist. Two spellings of one place give the
/// same result, which is what protecting a place needs.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for existing in absolute.ancestors() {
        if let Ok(mut resolved) = fs::canonicalize(existing) {
            let rest = absolute.strip_prefix(existing).unwrap_or(Path::new(""));
            for part in rest.components() {
                match part {
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::Normal(name) => resolved.push(name),
                    _ => {}
                }
            }
            return resolved;
        }
    }
    absolute
}

/// Writes `bytes` to `path` if `guard` allows it: atomically for a regular file (see the module
/// documentation), in place for a device written with `force`. On any failure the temporary
/// file is removed and the target is left as it was.
pub fn write(path: &Path, bytes: &[u8], guard: &Guard) -> Result<(), WriteError> {
    let io_err = |error| WriteError::Io {
        path: path.to_path_buf(),
        error,
    };
    match guard.check(path)? {
        Destination::Replace(target) => replace(&target, bytes).map_err(io_err),
        Destination::Into(target) => fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
            .map_err(io_err),
    }
}

/// [`write()`] with nothing but the default refusals (directories, links, devices): for model
/// files and other outputs of commands without `--force`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write(path, bytes, &Guard::default()).map_err(|e| match e {
        WriteError::Io { error, .. } => error,
        refused => {
            let kind = match refused {
                WriteError::Directory(_) => io::ErrorKind::IsADirectory,
                _ => io::ErrorKind::AlreadyExists,
            };
            io::Error::new(kind, refused)
        }
    })
}

fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if first_write_in(dir) {
        remove_abandoned_temps(dir, SystemTime::now());
    }
    // NamedTempFile deletes itself when dropped, so every early return below (and a failed
    // rename, whose error carries the file) removes the temporary file.
    let mut tmp = temp_builder(path)
        .tempfile_in(dir)
        .map_err(|e| without_temp_path(e, dir))?;
    lock(tmp.as_file());
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// The error of creating the temporary file, as the user should see it: tempfile names its
/// temporary file, which the user never asked for; the error is about `dir`, or the system's.
fn without_temp_path(e: io::Error, dir: &Path) -> io::Error {
    if e.kind() == io::ErrorKind::NotFound && !dir.exists() {
        return io::Error::new(
            e.kind(),
            format!("the directory {} does not exist", dir.display()),
        );
    }
    let os_error = e
        .get_ref()
        .and_then(|inner| inner.source())
        .and_then(|source| source.downcast_ref::<io::Error>())
        .and_then(io::Error::raw_os_error);
    match os_error {
        Some(code) => io::Error::from_raw_os_error(code),
        None => e,
    }
}

/// Flushes the directory entry of a rename to disk, so the new file survives a power cut
/// too, not only a crash. Best effort: some filesystems cannot open or sync a directory, and
/// the file itself is already complete on disk.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Temporary files are created private (0600) by default, and the rename would carry that over
/// to the output. Use the replaced file's permissions, or for a new file the usual 0666 minus
/// the umask, so the result looks like any other file the user writes.
fn temp_builder(path: &Path) -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM_LEN);
    match fs::metadata(path) {
        Ok(meta) => {
            b.permissions(meta.permissions());
        }
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                b.permissions(fs::Permissions::from_mode(0o666));
            }
        }
    }
    b
}

/// Whether a file name is one of our temporary files: exactly `.unspin-` + 6 letters or digits,
/// then `.tmp` (or nothing, as older versions named them). Nothing else is ever removed.
pub fn is_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(TEMP_PREFIX) else {
        return false;
    };
    let random = rest.strip_suffix(TEMP_SUFFIX).unwrap_or(rest);
    random.len() == TEMP_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Takes an exclusive advisory lock on a temporary file for as long as it is open. The kernel
/// drops the lock when the writing process ends, however it ends (`kill -9` included), so a
/// temporary file nobody holds a lock on belongs to a writer that is gone. Best effort: where
/// locking fails, the age rule in [`is_abandoned`] still applies.
fn lock(file: &File) {
    #[cfg(unix)]
    {
        let _ = rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive);
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Whether this process writes into `dir` for the first time. A killed run's leftovers need
/// removing once; listing the directory on every write would make a batch run, which writes
/// thousands of shards into one directory, quadratic.
fn first_write_in(dir: &Path) -> bool {
    static SEEN: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<PathBuf>>> =
        std::sync::OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    seen.insert(dir.to_path_buf())
}

/// Removes temporary files in `dir` that a killed run left behind (see [`is_abandoned`]).
/// Best effort: failing to tidy up must not fail the write that triggered it.
fn remove_abandoned_temps(dir: &Path, now: SystemTime) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_temp_name) {
            continue;
        }
        let path = entry.path();
        if is_abandoned(&path, now) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The rule for removing a temporary file, chosen so that a write in progress is never touched,
/// whatever process, container or host does it:
/// * it must be a regular file (not followed if a link), named exactly as ours are;
/// * if it can be locked, nobody holds its lock, so its writer is gone (see [`lock`]); it must
///   also be [`UNLOCKED_STALE_AFTER`] old, to stay clear of a writer between creating and
///   locking it;
/// * if locks cannot tell, it must be untouched for [`UNLOCKABLE_STALE_AFTER`].
///
/// Process ids are not used: a live writer in another PID namespace or on another host sharing
/// the directory would look dead.
fn is_abandoned(path: &Path, now: SystemTime) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let age = meta
        .modified()
        .ok()
        .and_then(|m| now.duration_since(m).ok())
        .unwrap_or(Duration::ZERO);
    if age < UNLOCKED_STALE_AFTER {
        return false;
    }
    match unlocked(path) {
        Some(free) => free,
        None => age >= UNLOCKABLE_STALE_AFTER,
    }
}

/// `Some(true)` when no one holds a lock on the file, `Some(false)` when someone does, `None`
/// when locks cannot tell.
fn unlocked(path: &Path) -> Option<bool> {
    #[cfg(unix)]
    {
        use rustix::fs::{flock, FlockOperation};
        let file = File::open(path).ok()?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Some(true),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => Some(false),
            Err(_) => None,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn refused(path: &Path, guard: &Guard) -> WriteError {
        let e = write(path, b"new", guard).unwrap_err();
        assert!(
            e.to_string().contains(&path.display().to_string()),
            "the message names the path: {e}"
        );
        e
    }

    #[test]
    fn replaces_the_file_whole_with_shareable_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.bin");
        fs::write(&path, b"old contents, longer than the new").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o044, 0o044, "not readable by others: {mode:o}");
        }
        // Only the file itself is left: no temporary sibling.
        assert_eq!(names(dir.path()), ["model.bin"]);
        let err = write_atomic(&dir.path().join("missing/model.bin"), b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_umask_mode_and_replaced_files_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let plain = dir.path().join("plain.txt");
        fs::write(&plain, b"x").unwrap();
        assert_eq!(mode(&p), mode(&plain));
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"y").unwrap();
        assert_eq!(mode(&p), 0o640);
    }

    #[test]
    fn a_directory_is_refused_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        for force in [false, true] {
            let e = refused(dir.path(), &Guard::new(force));
            assert!(matches!(e, WriteError::Directory(_)), "{e}");
            assert!(!e.is_overridable());
        }
        let e = write_atomic(dir.path(), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
    }

    #[cfg(unix)]
    #[test]
    fn a_write_protected_file_is_refused_unless_forced_and_stays_protected() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keep.json");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        // Root may write anywhere, so the refusal cannot rest on the system saying no.
        let e = refused(&p, &Guard::new(false));
        assert!(matches!(e, WriteError::ReadOnly(_)), "{e}");
        assert!(e.is_overridable());
        assert!(e.to_string().contains("write-protected"), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert_eq!(
            write_atomic(&p, b"new").unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        write(&p, b"new", &Guard::new(true)).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o444);
        assert_eq!(names(dir.path()), ["keep.json"]);
    }

    #[test]
    fn an_input_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        fs::write(&input, b"article").unwrap();
        let mut guard = Guard::new(false);
        guard.input(&input);
        // Another spelling of the same file is the same file.
        let other = dir.path().join(".").join("in.txt");
        let e = refused(&other, &guard);
        assert!(matches!(e, WriteError::Input { .. }), "{e}");
        assert!(e.is_overridable());
        assert_eq!(fs::read(&input).unwrap(), b"article");
        #[cfg(unix)]
        {
            // A hard link too: replacing it would not touch the input, but the user surely
            // meant the same file.
            let link = dir.path().join("hard.txt");
            fs::hard_link(&input, &link).unwrap();
            assert!(matches!(refused(&link, &guard), WriteError::Input { .. }));
            fs::remove_file(&link).unwrap();
        }
        // Another file in the same directory is fine.
        write(&dir.path().join("out.txt"), b"x", &guard).unwrap();

        let mut forced = Guard::new(true);
        forced.input(&input);
        write(&input, b"new", &forced).unwrap();
        assert_eq!(fs::read(&input).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["in.txt", "out.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_refused_unless_forced_and_then_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        fs::write(&real, b"old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = refused(&link, &Guard::new(false));
        assert!(matches!(e, WriteError::Symlink(_)), "{e}");
        assert!(e.is_overridable());
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"old");

        write(&link, b"new", &Guard::new(true)).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");

        // Dangling: there is nothing to write through.
        let dangling = dir.path().join("dangling.txt");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(matches!(
            refused(&dangling, &Guard::new(true)),
            WriteError::Io { .. }
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_unless_forced_and_then_written_into() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        let e = refused(null, &Guard::new(false));
        assert!(matches!(e, WriteError::NotRegular(_)), "{e}");
        let e = write_atomic(null, b"x").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        assert_eq!(
            Guard::new(true).check(null).unwrap(),
            Destination::Into(null.to_path_buf())
        );
        write(null, b"x", &Guard::new(true)).unwrap();
        assert!(!fs::metadata(null).unwrap().is_file(), "still a device");
    }

    #[test]
    fn protected_paths_are_refused_even_with_force_whatever_the_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("results.db");
        fs::write(&db, b"data").unwrap();
        let protected = resolve(&db);
        let mut guard = Guard::new(true);
        guard.protect(move |p| (p == protected).then(|| "is the database".to_string()));
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        for path in [db.clone(), sub.join("..").join("results.db")] {
            let e = refused(&path, &guard);
            assert!(matches!(e, WriteError::Protected { .. }), "{e}");
            assert!(e.to_string().contains("is the database"), "{e}");
            assert!(!e.is_overridable());
        }
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&db, &link).unwrap();
            assert!(matches!(
                refused(&link, &guard),
                WriteError::Protected { .. }
            ));
        }
        assert_eq!(fs::read(&db).unwrap(), b"data");
    }

    #[test]
    fn resolve_handles_paths_that_do_not_exist_yet() {
        let dir = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(dir.path()).unwrap();
        assert_eq!(
            resolve(&dir.path().join("new/deeper/../file.csv")),
            base.join("new/file.csv")
        );
        assert_eq!(resolve(&dir.path().join("./x")), base.join("x"));
    }

    #[test]
    fn temp_names_are_recognised_exactly() {
        for ok in [".unspin-a1B2c3.tmp", ".unspin-abcdef"] {
            assert!(is_temp_name(ok), "{ok}");
        }
        for not in [
            ".unspin-abc.tmp",
            ".unspin-abcdefg.tmp",
            ".unspin-abc-de.tmp",
            "unspin-abcdef.tmp",
            ".unspin-abcdef.json",
            "report.json",
        ] {
            assert!(!is_temp_name(not), "{not}");
        }
    }

    /// Leaves a temporary file as a killed writer would: written, closed (so unlocked), never
    /// renamed.
    fn abandoned_temp(dir: &Path, age: Duration) -> PathBuf {
        let tmp = temp_builder(&dir.join("x")).tempfile_in(dir).unwrap();
        let (file, path) = tmp.keep().unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        drop(file);
        path
    }

    #[test]
    fn abandoned_temporary_files_are_removed_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let old = abandoned_temp(dir.path(), Duration::from_secs(120));
        // Too young to tell from a writer that has not locked it yet.
        let young = abandoned_temp(dir.path(), Duration::ZERO);
        // Someone else's file that merely looks similar.
        let other = dir.path().join(".unspin-notes.txt");
        fs::write(&other, b"keep").unwrap();
        write(&dir.path().join("out.json"), b"{}", &Guard::default()).unwrap();
        assert!(!old.exists());
        assert!(young.exists());
        assert!(other.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_temporary_file_a_live_writer_holds_is_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut live = temp_builder(&dir.path().join("x"))
            .tempfile_in(dir.path())
            .unwrap();
        lock(live.as_file());
        live.write_all(b"partial").unwrap();
        live.as_file()
            .set_modified(SystemTime::now() - 2 * UNLOCKABLE_STALE_AFTER)
            .unwrap();
        // Another process's view: a separate open file description finds the lock held.
        assert_eq!(unlocked(live.path()), Some(false));
        remove_abandoned_temps(dir.path(), SystemTime::now());
        assert!(live.path().exists());
        drop(live);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // The rename fails: a directory cannot be replaced by a file. The check is skipped by
        // replacing directly, as a target that became a directory after the check would be.
        let target = dir.path().join("was-a-file");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"x").unwrap();
        assert!(replace(&target, b"new").is_err());
        assert_eq!(names(dir.path()), ["was-a-file"]);
    }
}
