//! An output folder as one run writes it: locked against other runs, cleared of what killed
//! runs left, and changed only once everything is ready.
//!
//! [`OutputFolder::open`] takes an advisory lock on `DIR/.lock` (held until the run ends: a
//! second run into the folder is refused, naming the run that holds it), removes the
//! temporaries of runs that were killed (their process is gone), and makes a private staging
//! folder `DIR/.staging-PID/` where the run writes its files. [`OutputFolder::commit`] renames
//! them into `DIR` at once; dropped uncommitted (an interrupted or failed run), it removes the
//! staging folder, so the folder keeps the previous run's files untouched. Either way it
//! removes `.lock`, which is never an output.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{ReportError, reason};

/// The lock file's name in the output folder.
pub const LOCK_FILE: &str = ".lock";

/// The prefix of the staging folder's name, before the process id.
const STAGING: &str = ".staging-";

/// The prefix of [`super::ensure_dir`]'s probe file, before the process id.
pub(crate) const PROBE: &str = ".funding-gap-probe-";

/// Attempts at taking the lock when the lock file is replaced under us (a run that just
/// finished removes it).
const LOCK_ATTEMPTS: usize = 8;

/// A file a killed run left, removed by [`OutputFolder::open`].
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    /// Its path relative to the output folder, e.g. `.staging-4242/.trials.csv.tmp-4242`.
    pub path: PathBuf,
    /// Its size, bytes.
    pub bytes: u64,
}

/// An output folder locked by this run, with the staging folder its files are written to.
#[derive(Debug)]
pub struct OutputFolder {
    /// The output folder.
    dir: PathBuf,
    /// `dir/.staging-PID`.
    staging: PathBuf,
    /// The open lock file, locked; closing it releases the lock.
    lock: Option<Held>,
}

/// An open lock file, locked (unlocked when dropped).
#[cfg(unix)]
type Held = nix::fcntl::Flock<File>;

/// An open lock file (no advisory locks here: runs are not kept apart).
#[cfg(not(unix))]
type Held = File;

/// Why a lock file could not be locked.
enum LockFailure {
    /// Another process holds it.
    Busy,
    /// Locking failed otherwise.
    Io(std::io::Error),
}

/// Takes the advisory lock (flock(2)) of `file` without waiting; a file system without locks
/// gives it unlocked, as before there were locks.
#[cfg(unix)]
fn try_lock(file: File) -> Result<Held, LockFailure> {
    use nix::errno::Errno;
    use nix::fcntl::{Flock, FlockArg};
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(held) => Ok(held),
        Err((_, Errno::EWOULDBLOCK)) => Err(LockFailure::Busy),
        Err((file, Errno::ENOLCK | Errno::EOPNOTSUPP)) => {
            Ok(Flock::lock(file, FlockArg::Unlock).map_err(|(_, e)| LockFailure::Io(e.into()))?)
        }
        Err((_, e)) => Err(LockFailure::Io(e.into())),
    }
}

#[cfg(not(unix))]
fn try_lock(file: File) -> Result<Held, LockFailure> {
    Ok(file)
}

impl OutputFolder {
    /// Locks `dir` (which exists) for this run, removes the temporaries of killed runs, and
    /// makes the staging folder. `holder` says who holds the lock (e.g. `pid 42: funding-gap
    /// run base`); a run refused the folder quotes it. Returns the folder and what was removed.
    ///
    /// # Errors
    /// [`ReportError::Busy`] if another run holds the folder; [`ReportError::Write`] if the
    /// lock or staging folder cannot be made.
    pub fn open(dir: &Path, holder: &str) -> Result<(OutputFolder, Vec<Removed>), ReportError> {
        let lock = lock(dir, holder)?;
        let removed = remove_stale(dir);
        let staging = dir.join(format!("{STAGING}{}", std::process::id()));
        let made = match fs::create_dir(&staging) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                fs::remove_dir_all(&staging).and_then(|()| fs::create_dir(&staging))
            }
            other => other,
        };
        let folder = OutputFolder {
            dir: dir.to_path_buf(),
            staging,
            lock: Some(lock),
        };
        made.map_err(|e| write_error(&folder.staging, &e))?;
        Ok((folder, removed))
    }

    /// The folder to write this run's files into (the staging folder).
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Moves every staged file into the output folder, replacing files of the same name;
    /// `manifest.json`, which lists the others, last.
    ///
    /// # Errors
    /// [`ReportError::Write`] naming the file that could not be moved.
    pub fn commit(self) -> Result<(), ReportError> {
        let mut names: Vec<_> = fs::read_dir(&self.staging)
            .map_err(|e| write_error(&self.staging, &e))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        names.sort_by_key(|n| (n == "manifest.json", n.clone()));
        for name in names {
            let to = self.dir.join(&name);
            fs::rename(self.staging.join(&name), &to).map_err(|e| write_error(&to, &e))?;
        }
        Ok(())
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.staging);
        // Removed while still locked: a run that opened the old file checks, once it holds
        // the lock, that it is still the one at `.lock` (see [`lock`]).
        let _ = fs::remove_file(self.dir.join(LOCK_FILE));
        drop(self.lock.take());
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> ReportError {
    ReportError::Write {
        path: path.display().to_string(),
        reason: reason(e),
    }
}

/// Takes the lock of `dir` and writes `holder` into the lock file.
fn lock(dir: &Path, holder: &str) -> Result<Held, ReportError> {
    let path = dir.join(LOCK_FILE);
    let busy = |path: &Path| ReportError::Busy {
        path: dir.display().to_string(),
        holder: read_holder(path),
    };
    for _ in 0..LOCK_ATTEMPTS {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| write_error(&path, &e))?;
        let mut file = match try_lock(file) {
            Ok(held) => held,
            Err(LockFailure::Busy) => return Err(busy(&path)),
            Err(LockFailure::Io(e)) => return Err(write_error(&path, &e)),
        };
        if !is_at(&file, &path) {
            // The run that held it removed it before we locked it: try the new one.
            continue;
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{holder}"))
            .map_err(|e| write_error(&path, &e))?;
        return Ok(file);
    }
    Err(busy(&path))
}

/// What the lock file at `path` says about the run holding it (empty if it cannot say).
fn read_holder(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    text.trim().to_string()
}

/// Whether `file` is the file at `path` (not one removed and replaced since it was opened).
#[cfg(unix)]
fn is_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_at(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// The process id in the name of a temporary this program makes: `.NAME.tmp-PID` (an
/// atomic write), `.staging-PID` (a run's staging folder), `.funding-gap-probe-PID`.
fn temporary_pid(name: &str) -> Option<u32> {
    let (stem, pid) = name.rsplit_once('-')?;
    let ours = stem.starts_with('.')
        && (stem.ends_with(".tmp") || format!("{stem}-") == STAGING || format!("{stem}-") == PROBE);
    if !ours || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` is running (or may be: when it cannot be told, it is assumed alive,
/// so its files are kept).
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    use nix::errno::Errno;
    use nix::sys::signal::kill;
    use nix::unistd::Pid;
    // 0 and negative ids name process groups, not a process.
    let Ok(raw) = i32::try_from(pid) else {
        return true;
    };
    if raw <= 0 {
        return true;
    }
    // Signal 0 checks that the process exists without signalling it.
    !matches!(kill(Pid::from_raw(raw), None), Err(Errno::ESRCH))
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    true
}

/// Removes the temporaries in `dir` of processes that are gone (a run killed by SIGKILL, or
/// cut off by a power failure), and returns them, in name order.
fn remove_stale(dir: &Path) -> Vec<Removed> {
    let me = std::process::id();
    let mut stale: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .and_then(temporary_pid)
                .is_some_and(|pid| pid != me && !alive(pid))
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    let mut removed = Vec::new();
    for path in stale {
        let mut files = Vec::new();
        if path.is_dir() {
            for e in fs::read_dir(&path)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
            {
                files.push((e.path(), e.metadata().map_or(0, |m| m.len())));
            }
            files.sort();
            if fs::remove_dir_all(&path).is_err() {
                continue;
            }
        } else {
            let bytes = fs::metadata(&path).map_or(0, |m| m.len());
            if fs::remove_file(&path).is_err() {
                continue;
            }
            files.push((path, bytes));
        }
        removed.extend(files.into_iter().map(|(p, bytes)| Removed {
            path: p.strip_prefix(dir).map_or(p.clone(), Path::to_path_buf),
            bytes,
        }));
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_temporaries() {
        assert_eq!(temporary_pid(".trials.csv.tmp-4242"), Some(4242));
        assert_eq!(temporary_pid(".staging-7"), Some(7));
        assert_eq!(temporary_pid(".funding-gap-probe-12"), Some(12));
        for not_ours in [
            "trials.csv",
            "trials.csv.tmp-12",
            ".lock",
            ".staging-",
            ".staging-12a",
            ".cash_fan.png.tmp-x",
            ".other-12",
        ] {
            assert_eq!(temporary_pid(not_ours), None, "{not_ours}");
        }
    }

    #[test]
    fn this_process_is_alive() {
        assert!(alive(std::process::id()));
        assert!(alive(0));
    }

    #[test]
    fn a_second_lock_is_refused_naming_the_holder() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (first, _) =
            OutputFolder::open(tmp.path(), "pid 1: first").unwrap_or_else(|e| panic!("{e}"));
        match OutputFolder::open(tmp.path(), "pid 2: second") {
            Err(ReportError::Busy { holder, .. }) => assert_eq!(holder, "pid 1: first"),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        // Released and removed: the next run takes it, and nothing is left behind.
        let (second, _) =
            OutputFolder::open(tmp.path(), "pid 2: second").unwrap_or_else(|e| panic!("{e}"));
        drop(second);
        assert_eq!(fs::read_dir(tmp.path()).map(|d| d.count()).unwrap_or(9), 0);
    }

    #[test]
    fn commit_moves_the_staged_files_in() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        fs::write(tmp.path().join("a.txt"), "old").unwrap_or_else(|e| panic!("{e}"));
        let (folder, _) = OutputFolder::open(tmp.path(), "t").unwrap_or_else(|e| panic!("{e}"));
        fs::write(folder.staging().join("a.txt"), "new").unwrap_or_else(|e| panic!("{e}"));
        fs::write(folder.staging().join("manifest.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
        // Uncommitted, the folder is untouched.
        assert_eq!(
            fs::read_to_string(tmp.path().join("a.txt")).ok().as_deref(),
            Some("old")
        );
        folder.commit().unwrap_or_else(|e| panic!("{e}"));
        let mut names: Vec<String> = fs::read_dir(tmp.path())
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "manifest.json"]);
        assert_eq!(
            fs::read_to_string(tmp.path().join("a.txt")).ok().as_deref(),
            Some("new")
        );
    }
}
