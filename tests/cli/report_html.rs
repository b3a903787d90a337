//! `report.html` in a real browser: the base report rendered by headless Chromium shows no
//! console error or warning, requests nothing beyond its own file, draws every chart at a
//! size, has one `h1` and an accessible name on every chart, and its text holds the headline
//! numbers of summary.json as the terminal prints them. Also: `--report none` leaves it out,
//! and `compare` and `sweep` write theirs.
//!
//! The browser is driven over the Chrome DevTools Protocol on `--remote-debugging-pipe`: it
//! reads commands on its fd 3 and writes replies and events on its fd 4, each a JSON message
//! ended by a NUL byte. A `sh` wrapper moves the child's stdin and stdout pipes to those fds,
//! so no `unsafe` `pre_exec` is needed (the crate forbids unsafe code).
//!
//! Without Chromium the browser tests print a note and pass, unless
//! `FUNDING_GAP_REQUIRE_BROWSER=1` (as `.ci/run` sets), where they fail.
//! `cargo test --release --test cli report_html -- --ignored` regenerates
//! `output/examples/base/` (the run, its report and the report's screenshot).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use funding_gap::report::format::{Decimals, pct};
use funding_gap::report::usd_b;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::{Output, funding_gap, root};

/// How long any one reply or event may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The page's width in CSS pixels, for layout and screenshots.
const WIDTH: u32 = 1200;

/// The Chromium binary on `PATH`, if any.
fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Chromium, or `None` after a note (the test then passes); with
/// `FUNDING_GAP_REQUIRE_BROWSER=1`, a missing browser fails the test.
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        assert!(
            std::env::var("FUNDING_GAP_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "{test}: FUNDING_GAP_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)"
        );
        eprintln!("note: {test} skipped: no chromium on PATH (apt-get install chromium)");
    }
    found
}

/// A headless Chromium with one page, driven over the DevTools pipe.
struct Browser {
    child: Child,
    /// Its fd 3: commands.
    commands: ChildStdin,
    /// Messages read from its fd 4 by a thread.
    messages: Receiver<Value>,
    /// Events received so far, in order.
    events: Vec<Value>,
    /// The page's session.
    session: String,
    next_id: u64,
    /// Its profile, removed at the end.
    _profile: TempDir,
}

impl Browser {
    /// Starts Chromium and opens a blank page of [`WIDTH`] CSS pixels with the Runtime, Log,
    /// Network and Page domains enabled.
    fn launch(binary: &Path) -> Browser {
        let profile = TempDir::new().expect("profile dir");
        let mut child = Command::new("sh")
            .arg("-c")
            // fd 3 = our commands (stdin), fd 4 = its messages (stdout); then stdin from
            // /dev/null and stdout to stderr, so only the protocol uses the pipes.
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null 1>&2"#)
            .arg(binary)
            .args([
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={WIDTH},900"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let commands = child.stdin.take().expect("stdin pipe");
        let out = child.stdout.take().expect("stdout pipe");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(out);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if buf.last() == Some(&0) {
                            buf.pop();
                        }
                        let Ok(v) = serde_json::from_slice::<Value>(&buf) else {
                            continue;
                        };
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            commands,
            messages,
            events: Vec::new(),
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = b.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().expect("targetId").to_string();
        let attached = b.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        b.session = attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string();
        for domain in ["Runtime", "Log", "Network", "Page"] {
            b.page(&format!("{domain}.enable"), json!({}));
        }
        b.page(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        b
    }

    /// The next message, or a failure naming what was awaited.
    fn receive(&mut self, awaited: &str) -> Value {
        match self.messages.recv_timeout(TIMEOUT) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => panic!("chromium: no {awaited} within {TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "chromium closed its pipe while waiting for {awaited} (exit: {:?})",
                self.child.try_wait()
            ),
        }
    }

    /// Sends a command (to the page's session, or to the browser with `None`) and returns its
    /// result; events that arrive meanwhile are kept.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).expect("serialise a command");
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .and_then(|()| self.commands.flush())
            .unwrap_or_else(|e| panic!("cannot send {method} to chromium: {e}"));
        loop {
            let v = self.receive(method);
            if v["id"].as_u64() == Some(id) {
                assert!(v.get("error").is_none(), "{method} failed: {v}");
                return v["result"].clone();
            }
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }

    /// A command to the page.
    fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.call(Some(&session), method, params)
    }

    /// Waits for the event `method` after the first `seen` events.
    fn wait_for_event(&mut self, method: &str, seen: usize) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.events[seen..].iter().any(|e| e["method"] == method) {
            assert!(Instant::now() < deadline, "chromium: no {method} event");
            let v = self.receive(method);
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }

    /// Opens `file` and waits for its load event; returns the index of the first event of
    /// this page.
    fn open(&mut self, file: &Path) -> usize {
        let seen = self.events.len();
        let url = file_url(file);
        let r = self.page("Page.navigate", json!({ "url": url }));
        assert!(r.get("errorText").is_none(), "cannot open {url}: {r}");
        self.wait_for_event("Page.loadEventFired", seen);
        seen
    }

    /// Evaluates `expression` in the page and returns its value.
    fn evaluate(&mut self, expression: &str) -> Value {
        let r = self.page(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "the page's check threw: {r}"
        );
        r["result"]["value"].clone()
    }

    /// A PNG of the page's top `height` CSS pixels, full width.
    fn screenshot(&mut self, height: u32) -> Vec<u8> {
        let r = self.page(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1 },
            }),
        );
        base64_decode(r["data"].as_str().expect("screenshot data"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `file://` and the absolute path, each byte outside `A–Z a–z 0–9 / . - _ ~` percent-encoded.
fn file_url(path: &Path) -> String {
    let abs = std::fs::canonicalize(path)
        .unwrap_or_else(|e| panic!("cannot resolve {}: {e}", path.display()));
    let mut url = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/.-_~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Standard base64 (with padding), as the protocol sends binary data.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {:?}", char::from(c)),
        }
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for chunk in text.trim_end_matches('=').as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | value(c) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// What the page says about itself: its text, headings, charts, images and tables.
const INSPECT: &str = r#"(() => {
  const size = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  return {
    text: document.body.innerText,
    lang: document.documentElement.lang,
    scripts: document.scripts.length,
    headings: Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => Number(h.tagName[1])),
    svgs: Array.from(document.querySelectorAll('svg')).map(s => ({
      role: s.getAttribute('role') || '',
      label: s.getAttribute('aria-label') || '',
      title: (s.querySelector(':scope > title') || {}).textContent || '',
      size: size(s),
    })),
    images: Array.from(document.images).map(i => ({
      src: i.currentSrc, complete: i.complete, natural: [i.naturalWidth, i.naturalHeight], size: size(i),
    })),
    tables: Array.from(document.querySelectorAll('table')).map(t => ({
      caption: t.caption ? t.caption.textContent.trim() : '',
      unscoped: t.querySelectorAll('th:not([scope])').length,
    })),
    height: document.documentElement.scrollHeight,
  };
})()"#;

/// Checks the open page (whose events start at `seen`) as a reader and a screen reader
/// would meet it, and returns what [`INSPECT`] found.
fn check_page(b: &mut Browser, file: &Path, seen: usize) -> Value {
    let page = b.evaluate(INSPECT);
    let own = file_url(file);
    let mut problems = Vec::new();

    // Nothing leaves the file: every request is the page itself or inline data.
    for e in &b.events[seen..] {
        let params = &e["params"];
        match e["method"].as_str().unwrap_or("") {
            "Network.requestWillBeSent" => {
                let url = params["request"]["url"].as_str().unwrap_or("");
                if url != own && !url.starts_with("data:") {
                    problems.push(format!("a request leaves the file: {url}"));
                }
            }
            "Network.loadingFailed" => problems.push(format!("a load failed: {params}")),
            "Runtime.consoleAPICalled" => {
                problems.push(format!("console.{}: {}", params["type"], params["args"]))
            }
            "Runtime.exceptionThrown" => problems.push(format!("exception: {params}")),
            "Log.entryAdded" => {
                let level = params["entry"]["level"].as_str().unwrap_or("");
                if level == "error" || level == "warning" {
                    problems.push(format!("console {level}: {}", params["entry"]["text"]));
                }
            }
            _ => {}
        }
    }

    // Readable without JavaScript: there is none.
    if page["scripts"] != 0 {
        problems.push(format!("the page has {} scripts", page["scripts"]));
    }
    if page["lang"] != "en" {
        problems.push(format!("html lang is {}", page["lang"]));
    }

    // One h1, first; no level skipped on the way down.
    let levels: Vec<u64> = page["headings"]
        .as_array()
        .expect("headings")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    if levels.first() != Some(&1) || levels.iter().filter(|&&l| l == 1).count() != 1 {
        problems.push(format!("want one h1, first: {levels:?}"));
    }
    for w in levels.windows(2) {
        if w[1] > w[0] + 1 {
            problems.push(format!("heading h{} follows h{}", w[1], w[0]));
        }
    }

    // Every chart drawn, at a size, with a name.
    let svgs = page["svgs"].as_array().expect("svgs");
    if svgs.is_empty() {
        problems.push("no chart on the page".to_string());
    }
    for (i, s) in svgs.iter().enumerate() {
        let [w, h] = [&s["size"][0], &s["size"][1]].map(|v| v.as_f64().unwrap_or(0.0));
        if w < 100.0 || h < 50.0 {
            problems.push(format!("svg {i} renders at {w}×{h}"));
        }
        let label = s["label"].as_str().unwrap_or("");
        if s["role"] != "img" || label.is_empty() || s["title"] != label {
            problems.push(format!(
                "svg {i} lacks role=img, aria-label or its title: {s}"
            ));
        }
    }
    for (i, img) in page["images"]
        .as_array()
        .expect("images")
        .iter()
        .enumerate()
    {
        let ok = img["complete"] == true
            && img["natural"][0].as_f64().unwrap_or(0.0) > 0.0
            && img["size"][0].as_f64().unwrap_or(0.0) > 0.0;
        if !ok {
            problems.push(format!("image {i} does not render: {img}"));
        }
    }
    // The accessibility tree, as a screen reader gets it: one named image per chart.
    let tree = b.page("Accessibility.getFullAXTree", json!({}));
    let named_images = tree["nodes"]
        .as_array()
        .expect("AX nodes")
        .iter()
        .filter(|n| n["ignored"] != true && n["role"]["value"] == "image")
        .filter(|n| n["name"]["value"].as_str().is_some_and(|s| !s.is_empty()))
        .count();
    if named_images < svgs.len() {
        problems.push(format!(
            "the accessibility tree has {named_images} named images for {} charts",
            svgs.len()
        ));
    }

    // Tables: a caption each, every header cell scoped.
    for (i, t) in page["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .enumerate()
    {
        if t["caption"].as_str().is_none_or(str::is_empty) || t["unscoped"] != 0 {
            problems.push(format!("table {i} lacks a caption or has unscoped th: {t}"));
        }
    }

    assert!(
        problems.is_empty(),
        "{}:\n  {}",
        file.display(),
        problems.join("\n  ")
    );
    page
}

/// The headline numbers of `summary.json` as the terminal table prints them.
fn headline_numbers(summary: &Value) -> Vec<String> {
    let num = |v: &Value| v.as_f64().expect("a number");
    let prob = |v: &Value| pct(num(v), Decimals::OneOrThreeIfTiny);
    let sp = &summary["shortfall_probability"];
    let g = &summary["gap"];
    let d = &summary["deficit"];
    vec![
        prob(&sp["estimate"]),
        prob(&sp["ci95"][0]),
        prob(&sp["ci95"][1]),
        usd_b(num(&g["quantiles"]["p50"])),
        usd_b(num(&g["quantiles"]["p90"])),
        usd_b(num(&g["quantiles"]["p95"])),
        usd_b(num(&g["mean"])),
        usd_b(num(&g["std_error"])),
        usd_b(num(&g["mean_given_shortfall"])),
        usd_b(num(&g["cvar95"])),
        usd_b(num(&d["quantiles"]["p50"])),
        usd_b(num(&d["quantiles"]["p90"])),
        usd_b(num(&d["mean"])),
    ]
}

/// `funding-gap ARGS...`, expected to succeed.
fn ok(args: &[&str]) -> Output {
    let out = funding_gap(args);
    assert_eq!(out.code, Some(0), "{args:?} failed\n{}", out.dump());
    out
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_base_report_renders_cleanly_in_a_real_browser() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("base");
    let d = dir.display().to_string();
    // No chart files: the report draws its own.
    let out = ok(&[
        "run", "base", "--trials", "3000", "--seed", "7", "--charts", "none", "--out", &d,
    ]);
    assert!(
        out.stdout
            .contains("Wrote summary.json, bands.csv, report.xlsx, report.html to"),
        "{}",
        out.dump()
    );
    let manifest = read_json(&dir.join("manifest.json"));
    assert!(
        manifest["files"]
            .as_array()
            .expect("files")
            .contains(&json!("report.html")),
        "{manifest}"
    );
    let summary = read_json(&dir.join("summary.json"));
    let numbers = headline_numbers(&summary);
    // The numbers are the terminal's: the table printed each of them.
    for n in &numbers {
        assert!(
            out.stdout.contains(n.as_str()),
            "the table lacks {n}\n{}",
            out.dump()
        );
    }

    let Some(chromium) = chromium_or_skip("the_base_report_renders_cleanly_in_a_real_browser")
    else {
        return;
    };
    let report = dir.join("report.html");
    let mut b = Browser::launch(&chromium);
    let seen = b.open(&report);
    let page = check_page(&mut b, &report, seen);
    let text = page["text"].as_str().expect("text");
    let missing: Vec<&String> = numbers
        .iter()
        .filter(|n| !text.contains(n.as_str()))
        .collect();
    assert!(missing.is_empty(), "the page lacks {missing:?}:\n{text}");
    for needle in [
        "Funding gap: base",
        "2026–2033",
        "3,000 trials",
        "The question",
        "Assumption register",
        "Obligations by counterparty and year",
        "Published checks",
        "What drives the gap",
    ] {
        assert!(text.contains(needle), "the page lacks {needle:?}");
    }
    let charts = page["svgs"].as_array().map_or(0, Vec::len);
    assert_eq!(charts, 8, "base draws 8 charts (with capacity)");
    let png = b.screenshot(1600);
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "the screenshot is not a PNG of the page ({} bytes)",
        png.len()
    );
}

#[test]
fn compare_and_sweep_reports_render_cleanly_too() {
    let tmp = TempDir::new().expect("temp dir");
    let minimal = crate::fixture("minimal.toml");
    let cmp = tmp.path().join("compare");
    let c = cmp.display().to_string();
    let out = ok(&[
        "compare",
        &minimal,
        "scenarios/bench.toml",
        "--trials",
        "1000",
        "--charts",
        "none",
        "--out",
        &c,
    ]);
    assert!(
        out.stdout.contains("comparison.json, report.html"),
        "{}",
        out.dump()
    );
    let swp = tmp.path().join("sweep");
    let s = swp.display().to_string();
    let out = ok(&[
        "sweep",
        &minimal,
        "--set",
        "cash.initial=10:50:3",
        "--trials",
        "500",
        "--charts",
        "none",
        "--out",
        &s,
    ]);
    assert!(
        out.stdout.contains("sweep.json, report.html"),
        "{}",
        out.dump()
    );

    let Some(chromium) = chromium_or_skip("compare_and_sweep_reports_render_cleanly_too") else {
        return;
    };
    let mut b = Browser::launch(&chromium);
    for (dir, title, charts) in [
        (&cmp, "Comparison: minimal vs bench", 2),
        (&swp, "Sweep: minimal", 1),
    ] {
        let report = dir.join("report.html");
        let seen = b.open(&report);
        let page = check_page(&mut b, &report, seen);
        let text = page["text"].as_str().expect("text");
        assert!(text.contains(title), "{} lacks {title:?}", report.display());
        assert!(text.contains("Provenance"), "{}", report.display());
        assert_eq!(page["svgs"].as_array().map_or(0, Vec::len), charts);
    }
}

#[test]
fn report_none_writes_no_report() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out");
    let d = dir.display().to_string();
    let out = ok(&[
        "run",
        &crate::fixture("minimal.toml"),
        "--trials",
        "200",
        "--charts",
        "none",
        "--report",
        "none",
        "--out",
        &d,
    ]);
    assert!(!dir.join("report.html").exists(), "{}", out.dump());
    assert!(!out.stdout.contains("report.html"), "{}", out.dump());
    let manifest = read_json(&dir.join("manifest.json"));
    assert_eq!(manifest["files"], json!(["summary.json", "bands.csv"]));
}

/// Regenerates `output/examples/base/`: a run of base as `cargo run --release` makes it,
/// with its report, and `report.png`, the top of the report as the README shows it.
#[test]
#[ignore = "regenerates output/examples/base/; run with --ignored"]
fn regenerate_the_base_example() {
    let chromium = find_chromium().expect("chromium on PATH");
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("base");
    ok(&["run", "base", "-q", "--out", &dir.display().to_string()]);
    let examples = root().join("output/examples/base");
    for entry in std::fs::read_dir(&dir).expect("list the run") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let keep = name == "summary.json"
            || name == "report.html"
            || (name.ends_with(".png") && !name.starts_with('.'));
        if keep {
            std::fs::copy(&path, examples.join(&name))
                .unwrap_or_else(|e| panic!("cannot copy {name}: {e}"));
        }
    }
    let mut b = Browser::launch(&chromium);
    let report = examples.join("report.html");
    let seen = b.open(&report);
    check_page(&mut b, &report, seen);
    let png = b.screenshot(1500);
    std::fs::write(examples.join("report.png"), png).expect("write report.png");
}
