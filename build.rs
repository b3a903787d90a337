//! Records the git commit the binary is built from, when it is built from a checkout, so that
//! every run's summary.json and manifest.json can name it (README, "Outputs": provenance).
//! A build from a checkout with changes to tracked files records the commit with `-dirty`
//! after it, as `git describe --dirty` does. Outside a checkout (or without git) nothing is
//! recorded.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let Some(commit) = git(&["rev-parse", "HEAD"]) else {
        println!("cargo:rustc-env=FUNDING_GAP_VERSION={version}");
        return;
    };
    // Run again when HEAD moves: HEAD itself, the branch it points to, and packed refs.
    // (Only paths that exist: a missing one would make cargo run this script every time.)
    let mut refs = vec!["HEAD".to_string(), "packed-refs".to_string()];
    refs.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for r in &refs {
        if let Some(p) = git(&["rev-parse", "--git-path", r]) {
            if std::path::Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
    // The sources that can make a checkout dirty for the binary: when they change, look again.
    for dir in ["src", "scenarios", "assets", "Cargo.toml", "Cargo.lock"] {
        if std::path::Path::new(dir).exists() {
            println!("cargo:rerun-if-changed={dir}");
        }
    }
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
    let suffix = if dirty { "-dirty" } else { "" };
    println!("cargo:rustc-env=FUNDING_GAP_GIT_COMMIT={commit}{suffix}");
    let short = commit.get(..12).unwrap_or(&commit);
    println!("cargo:rustc-env=FUNDING_GAP_VERSION={version} (commit {short}{suffix})");
}
