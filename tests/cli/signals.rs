//! Runs that are stopped, raced or cut off: Ctrl-C (and SIGTERM, SIGHUP) stops every command
//! that runs trials with status 130 and nothing written; a killed run's temporaries are removed
//! by the next run into its folder; two runs never write one folder at once; a closed stdout
//! ends a command quietly.
//!
//! The tests wait for progress (the process catching SIGINT, a lock or temporary file
//! appearing) before they signal, and never for a length of time: the runs they stop are long
//! enough that only an interrupt ends them within the patience allowed.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::{BIN, Output, assert_nothing_written, fixture, funding_gap, root};

/// How long a test waits for a process to reach a point or to end.
const PATIENCE: Duration = Duration::from_secs(120);

/// Trials of a run that only an interrupt ends within [`PATIENCE`] (minutes of work).
const LONG: &str = "20000000";

/// Starts the binary with `args` from the package root, stdout and stderr captured.
fn spawn(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"))
}

/// Sends `signal` (a name for kill(1), e.g. "INT") to `child`.
fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits until `ready` holds, failing if `child` ends first or [`PATIENCE`] runs out.
fn wait_for(what: &str, child: &mut Child, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("the process ended ({status}) before {what}\n--- stderr ---\n{err}");
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("gave up waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether process `pid` has a handler for signal number `sig` (Linux: the SigCgt mask of
/// /proc/PID/status; elsewhere, assumed once asked).
fn catches(pid: u32, sig: u32) -> bool {
    let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) else {
        return true;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (sig - 1)) != 0)
}

/// Waits for `child` to end and collects what it printed; kills it and fails after
/// [`PATIENCE`].
fn finish(mut child: Child) -> Output {
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {PATIENCE:?}: the signal did not stop it; killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        code: status.code(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// Every file under `dir` (one level of subfolders), as paths.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files.extend(
                fs::read_dir(&p)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else {
            files.push(p);
        }
    }
    files
}

/// The first non-empty temporary of trials.csv under `dir`.
fn trials_temporary(dir: &Path) -> Option<PathBuf> {
    files_under(dir).into_iter().find(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().contains("trials.csv.tmp"))
            && fs::metadata(p).is_ok_and(|m| m.len() > 0)
    })
}

/// Starts `args`, sends one SIGINT once the process catches it, and checks that it stopped
/// with status 130, said it was interrupted, printed nothing on stdout and wrote nothing to
/// `out` (when it has an output folder).
fn stops_on_one_sigint(args: &[&str], out: Option<&Path>) {
    let mut child = spawn(args);
    let pid = child.id();
    wait_for("it catches SIGINT", &mut child, || catches(pid, 2));
    signal(&child, "INT");
    let done = finish(child);
    assert_eq!(done.code, Some(130), "{args:?}\n{}", done.dump());
    assert!(
        done.stderr.contains("interrupted"),
        "{args:?}\n{}",
        done.dump()
    );
    assert!(
        !done.stderr.contains("panicked"),
        "{args:?}\n{}",
        done.dump()
    );
    assert!(done.stdout.is_empty(), "{args:?}\n{}", done.dump());
    if let Some(out) = out {
        assert_nothing_written(out);
    }
}

#[test]
fn one_sigint_stops_run() {
    let tmp = TempDir::new().expect("temp dir");
    let out = tmp.path().join("out");
    let o = out.display().to_string();
    stops_on_one_sigint(&["run", "base", "--trials", LONG, "--out", &o], Some(&out));
}

#[test]
fn one_sigint_stops_compare() {
    let tmp = TempDir::new().expect("temp dir");
    let out = tmp.path().join("out");
    let o = out.display().to_string();
    stops_on_one_sigint(
        &["compare", "base", "no-round", "--trials", LONG, "--out", &o],
        Some(&out),
    );
}

#[test]
fn one_sigint_stops_sweep() {
    let tmp = TempDir::new().expect("temp dir");
    let out = tmp.path().join("out");
    let o = out.display().to_string();
    stops_on_one_sigint(
        &[
            "sweep",
            "base",
            "--set",
            "ipo.probability=0,0.5,1",
            "--target",
            "shortfall_probability<=0.01",
            "--trials",
            LONG,
            "--out",
            &o,
        ],
        Some(&out),
    );
}

#[test]
fn one_sigint_stops_headlines() {
    stops_on_one_sigint(&["headlines", "base", "no-round", "--trials", LONG], None);
}

#[test]
fn one_sigint_stops_trace_worst() {
    stops_on_one_sigint(&["trace", "base", "--worst", "5", "--trials", LONG], None);
}

/// SIGTERM and SIGHUP stop a run as Ctrl-C does: status 130, and its temporaries removed.
#[test]
fn sigterm_and_sighup_stop_a_run_cleanly() {
    for sig in ["TERM", "HUP"] {
        let tmp = TempDir::new().expect("temp dir");
        let out = tmp.path().join("out");
        let o = out.display().to_string();
        let mut child = spawn(&[
            "run",
            "base",
            "--trials",
            LONG,
            "--save-trials",
            "--charts",
            "none",
            "--out",
            &o,
        ]);
        wait_for("trials.csv to be started", &mut child, || {
            trials_temporary(&out).is_some()
        });
        signal(&child, sig);
        let done = finish(child);
        assert_eq!(done.code, Some(130), "SIG{sig}\n{}", done.dump());
        assert!(
            done.stderr.contains("interrupted"),
            "SIG{sig}\n{}",
            done.dump()
        );
        assert_nothing_written(&out);
    }
}

/// A run killed outright (SIGKILL) cannot clean up: the next run into its folder removes
/// what it left, says so on one line, and leaves a live process's temporary alone.
#[test]
fn a_later_run_removes_the_temporaries_of_a_killed_run() {
    let tmp = TempDir::new().expect("temp dir");
    let out = tmp.path().join("out");
    let o = out.display().to_string();
    let mut child = spawn(&[
        "run",
        "base",
        "--trials",
        LONG,
        "--save-trials",
        "--charts",
        "none",
        "--out",
        &o,
    ]);
    wait_for("trials.csv to be started", &mut child, || {
        trials_temporary(&out).is_some()
    });
    signal(&child, "KILL");
    let killed = finish(child);
    assert_eq!(
        killed.code,
        None,
        "SIGKILL cannot be caught\n{}",
        killed.dump()
    );
    let left = trials_temporary(&out).expect("a killed run leaves its temporary");
    // A temporary of a process that is alive (this test) must be left alone.
    let live = out.join(format!(".bands.csv.tmp-{}", std::process::id()));
    fs::write(&live, "in progress").expect("write a live temporary");

    let later = funding_gap(&[
        "run",
        &fixture("minimal.toml"),
        "--trials",
        "200",
        "--charts",
        "none",
        "--out",
        &o,
    ]);
    assert_eq!(later.code, Some(0), "{}", later.dump());
    let notes: Vec<&str> = later
        .stderr
        .lines()
        .filter(|l| l.contains("removed"))
        .collect();
    assert_eq!(
        notes.len(),
        1,
        "one line about the removal\n{}",
        later.dump()
    );
    let left_name = left
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(notes[0].contains(&left_name), "{}", later.dump());
    assert!(
        notes[0].contains("B"),
        "the line gives the size\n{}",
        later.dump()
    );
    assert!(!notes[0].contains(".bands.csv.tmp"), "{}", later.dump());
    assert!(!left.exists(), "{} is still there", left.display());
    let mut names: Vec<String> = fs::read_dir(&out)
        .expect("list the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let live_name = live
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let mut want = vec![
        live_name,
        "bands.csv".to_string(),
        "manifest.json".to_string(),
        "report.html".to_string(),
        "report.xlsx".to_string(),
        "summary.json".to_string(),
    ];
    want.sort();
    assert_eq!(names, want);
}

/// While a run writes a folder, every other command that would write it refuses, naming the
/// folder and the run that holds it, and writes nothing there.
#[test]
fn a_folder_is_written_by_one_run_at_a_time() {
    let tmp = TempDir::new().expect("temp dir");
    let out = tmp.path().join("out");
    let o = out.display().to_string();
    let mut holder = spawn(&[
        "run", "base", "--trials", LONG, "--charts", "none", "--out", &o,
    ]);
    let pid = holder.id().to_string();
    wait_for("the first run to take the folder", &mut holder, || {
        fs::read_to_string(out.join(".lock")).is_ok_and(|s| s.contains(&pid))
    });
    let minimal = fixture("minimal.toml");
    let others: [&[&str]; 3] = [
        &[
            "run", &minimal, "--trials", "200", "--charts", "none", "--out", &o,
        ],
        &[
            "compare", "base", "no-round", "--trials", "200", "--charts", "none", "--out", &o,
        ],
        &[
            "sweep",
            "base",
            "--set",
            "ipo.probability=0,1",
            "--trials",
            "200",
            "--charts",
            "none",
            "--out",
            &o,
        ],
    ];
    for args in others {
        let refused = funding_gap(args);
        super::assert_error(&refused, 1, &[&o, &pid, "funding-gap run base"]);
        assert!(refused.stdout.is_empty(), "{}", refused.dump());
    }
    signal(&holder, "INT");
    let done = finish(holder);
    assert_eq!(done.code, Some(130), "{}", done.dump());
    assert_nothing_written(&out);
}

/// With stdout closed (`| head -1` after its line), a command stops quietly: status 0, no
/// panic, no message.
#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = |name: &str| tmp.path().join(name).display().to_string();
    let scenarios: Vec<String> = crate::shipped_scenarios()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let minimal = fixture("minimal.toml");
    let mut validate = vec!["validate".to_string()];
    validate.extend(scenarios);
    let fast = ["--trials", "200", "--charts", "none", "--out"];
    let commands: Vec<Vec<String>> = vec![
        validate,
        strings(&["explain", "base"]),
        strings(&["explain", "base", "--json"]),
        strings(&["trace", "base", "--trial", "3"]),
        strings(&["trace", "base", "--worst", "2", "--trials", "300"]),
        strings(&["headlines", &minimal, "--trials", "200"]),
        strings(&[&["run", &minimal][..], &fast, &[&dir("run")]].concat()),
        strings(
            &[
                &["compare", "base", "no-round"][..],
                &fast,
                &[&dir("compare")],
            ]
            .concat(),
        ),
        strings(
            &[
                &["sweep", "base", "--set", "ipo.probability=0,1"][..],
                &fast,
                &[&dir("sweep")],
            ]
            .concat(),
        ),
        strings(&["new", &dir("new.toml")]),
        strings(&[
            "bench",
            &minimal,
            "--trials",
            "200",
            "--max-threads",
            "1",
            "--repeat",
            "1",
        ]),
        strings(&["--help"]),
    ];
    for args in commands {
        // A pipe whose reading end is already closed: every write to it fails with EPIPE.
        let (reader, writer) = nix::unistd::pipe().expect("pipe");
        drop(reader);
        let out = Command::new(BIN)
            .args(&args)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(writer)
            .output()
            .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}\n{stderr}");
        for bad in ["panicked", "Broken pipe", "broken pipe", "error"] {
            assert!(!stderr.contains(bad), "{args:?}\n{stderr}");
        }
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}
