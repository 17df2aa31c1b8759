//! Every command's `report.html` opened in headless Chromium: each figure draws a non-empty
//! SVG, and neither the page nor a table overflows the window horizontally.
//!
//! The reports are built by the `bankrun` binary; a copy of each gets a test-only script
//! that checks the laid-out page after load and writes its verdict into the DOM
//! (`<pre id="check">`), which `chromium --dump-dom` prints. Without `/usr/bin/chromium`
//! the test fails when `CI` is set and is skipped (with a message) otherwise.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Drawn SVG elements (path, line, polyline, rect, text, circle) a figure needs at least:
/// a frame, axes, tick labels and one mark.
const MIN_ELEMENTS: usize = 8;

/// The check run in the page after load. `MIN_ELEMENTS` is substituted.
const CHECK_SCRIPT: &str = r#"<script>
window.addEventListener('load', function () {
  var fails = [];
  var figures = document.querySelectorAll('figure');
  figures.forEach(function (f, i) {
    var name = f.id || ('figure ' + i);
    var svg = f.querySelector('svg');
    if (!svg) { fails.push(name + ': no svg'); return; }
    var box = svg.getBBox();
    if (!(box.width > 0 && box.height > 0)) { fails.push(name + ': empty drawing'); }
    var shown = svg.getBoundingClientRect();
    if (!(shown.width > 0 && shown.height > 0)) { fails.push(name + ': not displayed'); }
    var n = svg.querySelectorAll('path,line,polyline,rect,text,circle').length;
    if (n < MIN_ELEMENTS) { fails.push(name + ': ' + n + ' drawn elements'); }
  });
  var doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    fails.push('page overflows: scrollWidth ' + doc.scrollWidth + ' > ' + window.innerWidth);
  }
  var body = document.body.clientWidth;
  document.querySelectorAll('table').forEach(function (t, i) {
    var c = t.parentElement;
    if (!c || !c.classList.contains('scroll')) { fails.push('table ' + i + ': no scroll container'); return; }
    if (c.clientWidth > body) { fails.push('table ' + i + ': container ' + c.clientWidth + ' > body ' + body); }
  });
  var pre = document.createElement('pre');
  pre.id = 'check';
  pre.textContent = fails.length ? 'FAIL ' + figures.length + ' figures\n' + fails.join('\n') : 'ok ' + figures.length + ' figures';
  document.body.appendChild(pre);
});
</script>
"#;

fn bankrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bankrun"))
        .args(args)
        .output()
        .expect("runs bankrun")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `bankrun args… --out <dir>/name` and returns the directory written.
fn build(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", out.to_str().unwrap()]);
    let start = Instant::now();
    let o = bankrun(&all);
    assert!(
        o.status.success(),
        "bankrun {all:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!("{name}: built in {:.1} s", start.elapsed().as_secs_f64());
    out
}

/// Waits for `child` at most `limit`, killing it after that. Its output goes to files (a
/// pipe would fill up and block the browser while nobody reads it).
fn wait_with_limit(mut child: std::process::Child, limit: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("polls chromium") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            return child.wait().expect("reaps chromium");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Opens a copy of `report` with the check script in headless Chromium; returns the
/// verdict text of `<pre id="check">`.
fn verdict(report: &Path, work: &Path) -> String {
    let html = std::fs::read_to_string(report).expect("reads report.html");
    let script = CHECK_SCRIPT.replace("MIN_ELEMENTS", &MIN_ELEMENTS.to_string());
    let checked = match html.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
        None => format!("{html}{script}"),
    };
    let page = work.join("checked.html");
    std::fs::write(&page, checked).expect("writes the checked copy");
    let profile = tempfile::tempdir().expect("a fresh profile directory");
    let (dom_path, err_path) = (work.join("dom.html"), work.join("chromium.log"));
    let child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
            "--window-size=1280,900",
            "--virtual-time-budget=3000",
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .stdin(Stdio::null())
        .stdout(File::create(&dom_path).expect("creates dom.html"))
        .stderr(File::create(&err_path).expect("creates chromium.log"))
        .spawn()
        .expect("starts chromium");
    let status = wait_with_limit(child, Duration::from_secs(120));
    let dom = std::fs::read_to_string(&dom_path).unwrap_or_default();
    let Some(start) = dom.find("<pre id=\"check\">") else {
        let log = std::fs::read_to_string(&err_path).unwrap_or_default();
        let tail: String = log.lines().rev().take(20).collect::<Vec<_>>().join("\n");
        panic!(
            "{}: no verdict in the DOM (chromium status {status:?}); last log lines:\n{tail}",
            report.display()
        );
    };
    let rest = &dom[start + "<pre id=\"check\">".len()..];
    rest[..rest.find("</pre>").unwrap_or(rest.len())].to_owned()
}

fn chromium_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{CHROMIUM} is missing on CI: .ci/run installs the Debian package `chromium`"
    );
    eprintln!("skipped: chromium not installed ({CHROMIUM})");
    false
}

#[test]
fn every_report_renders_in_headless_chromium() {
    if !chromium_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let crash = repo().join("crates/bankrun-engine/tests/data/crash.toml");
    let crash = crash.to_str().unwrap();
    // (name, command, figures at least)
    let runs: [(&str, Vec<&str>, usize); 6] = [
        ("aave-default", vec!["simulate"], 6),
        (
            "black-thursday",
            vec!["simulate", "black-thursday-2020-03"],
            4,
        ),
        ("compound", vec!["simulate", "compound-v2-book-2023"], 4),
        ("world", vec!["simulate", "cross-protocol-xyz"], 3),
        (
            "sweep",
            vec![
                "sweep",
                crash,
                "--paths",
                "3",
                "--vary",
                "market.reserves.WETH.variable_rate_slope2_bps=600,3000",
                "--vary",
                "behaviour.w_news=0.5,3",
            ],
            6,
        ),
        (
            "collateral-at-risk",
            vec!["collateral-at-risk", "black-thursday-2020-03"],
            1,
        ),
    ];
    let mut failures = Vec::new();
    for (name, args, figures) in runs {
        let dir = build(tmp.path(), name, &args);
        let report = dir.join("report.html");
        let html = std::fs::read_to_string(&report).expect("report.html written");
        let found = html.matches("<figure").count();
        if found < figures {
            failures.push(format!("{name}: {found} figures, expected ≥ {figures}"));
        }
        let work = tmp.path().join(format!("{name}-check"));
        std::fs::create_dir_all(&work).unwrap();
        let v = verdict(&report, &work);
        eprintln!("{name}: {v}");
        if !v.starts_with("ok") {
            failures.push(format!("{name}: {v}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
