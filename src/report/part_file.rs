//! The file a shard writes (`part-K-of-M.fgpart`) and `merge` reads: one shard's
//! [`crate::engine::Part`] with a header that says which run it belongs to.
//!
//! Layout: the line `funding-gap part`, then the header as one line of JSON (readable with
//! `head -2`), then the body: the part in postcard's binary encoding (floats as their 8
//! bytes, so nothing is rounded). The header records the format version, the program that
//! wrote it, the scenario with the hash of every file and every override, trials, seed, the
//! shard's index and count and trials, and the body's length and SHA-256, so that a merge can
//! refuse parts of different runs, a truncated copy or a changed scenario, naming the
//! difference.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::engine::Part;
use crate::summary::Provenance;

use super::{ReportError, reason, write_atomic};

/// The extension of part files.
pub const PART_EXTENSION: &str = "fgpart";

/// The first line of a part file.
const MAGIC: &[u8] = b"funding-gap part\n";

/// The version of the layout; a part file of another version is refused.
pub const PART_FORMAT: u32 = 1;

/// Which run a part belongs to and where it fits.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartHeader {
    /// [`PART_FORMAT`] when written.
    pub format: u32,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario as named on the command line (a path, or a name in `scenarios/`), or
    /// empty for the built-in base scenario; `merge` loads it from there.
    pub source: String,
    /// The scenario's files with their hashes, the overrides, the program's version and
    /// commit.
    pub provenance: Provenance,
    /// Trials of the whole run.
    pub trials: u64,
    /// The run's seed.
    pub seed: u64,
    /// How the run sampled its inputs (`mc` in parts written before `--sampling`).
    #[serde(default)]
    pub sampling: crate::qmc::Method,
    /// Its independent randomizations (`lhs` and `rqmc`; 1 for `mc`).
    #[serde(default = "one")]
    pub replicates: u64,
    /// This shard's index, 0 ≤ shard < shards.
    pub shard: u64,
    /// The number of shards.
    pub shards: u64,
    /// The shard's first trial.
    pub first_trial: u64,
    /// One past its last trial.
    pub end_trial: u64,
    /// Bytes of the body.
    pub body_bytes: u64,
    /// SHA-256 of the body, lowercase hex.
    pub body_sha256: String,
}

/// The replicates of a part header that does not name them (plain Monte Carlo).
fn one() -> u64 {
    1
}

/// Why a part file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// It cannot be opened or read.
    #[error("cannot read part file '{path}': {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why not.
        reason: String,
    },
    /// It is not a part file, or it is damaged.
    #[error("'{path}' is not a usable part file: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// The file name of shard `k` of `m`: `part-K-of-M.fgpart`, K zero-padded so that the files
/// sort in shard order.
pub fn part_file_name(k: u64, m: u64) -> String {
    let width = m.saturating_sub(1).max(1).to_string().len();
    format!("part-{k:0width$}-of-{m}.{PART_EXTENSION}")
}

/// Writes `part` with `header` (whose body fields it fills in) to `dir`, atomically, as
/// [`part_file_name`]; returns the path.
///
/// # Errors
/// [`ReportError::Write`].
pub fn write_part(dir: &Path, mut header: PartHeader, part: &Part) -> Result<PathBuf, ReportError> {
    use sha2::Digest;
    let path = dir.join(part_file_name(header.shard, header.shards));
    let fail = |reason: String| ReportError::Write {
        path: path.display().to_string(),
        reason,
    };
    let body = postcard::to_stdvec(part).map_err(|e| fail(e.to_string()))?;
    header.format = PART_FORMAT;
    header.body_bytes = body.len() as u64;
    header.body_sha256 = hex(&sha2::Sha256::digest(&body));
    let line = serde_json::to_string(&header).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + line.len() + 1 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(&body);
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Reads only the header of the part file at `path` (cheap: the body is not read).
///
/// # Errors
/// [`PartError`] naming the file and what is wrong.
pub fn read_part_header(path: &Path) -> Result<PartHeader, PartError> {
    let file = std::fs::File::open(path).map_err(|e| read_error(path, &e))?;
    let mut r = std::io::BufReader::new(file);
    header_of(path, &mut r)
}

/// Reads the part file at `path`: its header and its part, checking the body's length and
/// hash.
///
/// # Errors
/// [`PartError`] naming the file and what is wrong.
pub fn read_part(path: &Path) -> Result<(PartHeader, Part), PartError> {
    use sha2::Digest;
    let file = std::fs::File::open(path).map_err(|e| read_error(path, &e))?;
    let mut r = std::io::BufReader::new(file);
    let header = header_of(path, &mut r)?;
    let mut body = Vec::new();
    r.read_to_end(&mut body).map_err(|e| read_error(path, &e))?;
    let invalid = |reason: String| PartError::Invalid {
        path: path.display().to_string(),
        reason,
    };
    if body.len() as u64 != header.body_bytes {
        return Err(invalid(format!(
            "its body has {} bytes where the header says {} (a truncated or partial copy?)",
            body.len(),
            header.body_bytes
        )));
    }
    if hex(&sha2::Sha256::digest(&body)) != header.body_sha256 {
        return Err(invalid(
            "its body does not match the SHA-256 in its header (the file is damaged)".into(),
        ));
    }
    let part: Part = postcard::from_bytes(&body)
        .map_err(|e| invalid(format!("its body cannot be decoded: {e}")))?;
    if (part.trials, part.seed) != (header.trials, header.seed) {
        return Err(invalid(
            "its body and its header name different runs (the file was edited)".into(),
        ));
    }
    Ok((header, part))
}

/// Reads the magic line and the header line.
fn header_of(path: &Path, r: &mut impl std::io::BufRead) -> Result<PartHeader, PartError> {
    let invalid = |reason: String| PartError::Invalid {
        path: path.display().to_string(),
        reason,
    };
    let mut magic = vec![0; MAGIC.len()];
    let got = r
        .read_exact(&mut magic)
        .map(|()| magic == MAGIC)
        .unwrap_or(false);
    if !got {
        return Err(invalid(format!(
            "it does not start with the line '{}': give the .{PART_EXTENSION} files that `funding-gap run --shard K/M` writes",
            String::from_utf8_lossy(&MAGIC[..MAGIC.len() - 1])
        )));
    }
    let mut line = Vec::new();
    // A header is a few kB; a missing newline in the first MB is damage, not a long header.
    std::io::BufRead::read_until(&mut Read::take(&mut *r, 1 << 20), b'\n', &mut line)
        .map_err(|e| read_error(path, &e))?;
    if line.last() != Some(&b'\n') {
        return Err(invalid("its header line is cut off".into()));
    }
    let value: serde_json::Value = serde_json::from_slice(&line)
        .map_err(|e| invalid(format!("its header is not JSON: {e}")))?;
    let format = value.get("format").and_then(serde_json::Value::as_u64);
    if format != Some(u64::from(PART_FORMAT)) {
        return Err(invalid(format!(
            "it is in part format {}, this funding-gap ({}) reads format {PART_FORMAT}: merge with the version that wrote it",
            format.map_or_else(|| "unknown".to_string(), |f| f.to_string()),
            env!("CARGO_PKG_VERSION")
        )));
    }
    serde_json::from_value(value).map_err(|e| invalid(format!("its header is incomplete: {e}")))
}

fn read_error(path: &Path, e: &std::io::Error) -> PartError {
    PartError::Read {
        path: path.display().to_string(),
        reason: reason(e),
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_sort_in_shard_order() {
        assert_eq!(part_file_name(0, 1), "part-0-of-1.fgpart");
        assert_eq!(part_file_name(3, 7), "part-3-of-7.fgpart");
        assert_eq!(part_file_name(7, 10), "part-7-of-10.fgpart");
        assert_eq!(part_file_name(42, 1000), "part-042-of-1000.fgpart");
    }
}
