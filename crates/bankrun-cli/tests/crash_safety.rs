//! Crash safety (issue "Trust at scale", item 5), through the real binary and SIGKILL
//! (`Child::kill`): a sweep killed at 20 random points and resumed each time writes the same
//! bytes as the sweep run without interruption, a simulate killed at random points never
//! leaves an output directory that looks complete, and a full disk is a clear error.
//!
//! The kill plan comes from a named ChaCha stream. The sweep's kills are placed by its progress
//! (chunk files written), not by the clock, so a fast machine cannot finish the sweep before the
//! 20th kill; exactly where in a chunk each kill lands still depends on the machine, which is
//! the point: the result must not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::RngExt;

fn bankrun(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bankrun"));
    c.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Waits for `child` until `due()` holds; then kills it (SIGKILL) after `grace` more. Returns
/// whether it was killed (false: it finished first, successfully).
fn kill_when(mut child: Child, due: &dyn Fn() -> bool, grace: Duration) -> bool {
    let mut since: Option<Instant> = None;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                std::io::Read::read_to_string(&mut e, &mut err).unwrap();
            }
            assert!(status.success(), "exited with {status}: {err}");
            return false;
        }
        match since {
            Some(t) if t.elapsed() >= grace => break,
            None if due() => since = Some(Instant::now()),
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    true
}

/// Waits up to `after` for `child`; kills it (SIGKILL) if still running. Returns whether it
/// was killed (false: it finished first, successfully).
fn kill_after(child: Child, after: Duration) -> bool {
    let t = Instant::now();
    kill_when(child, &|| t.elapsed() >= after, Duration::ZERO)
}

/// Chunk files written so far under `dir/paths`.
fn chunks(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("paths")).map_or(0, |d| {
        d.filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".parquet"))
        })
        .count()
    })
}

const SWEEP: &[&str] = &[
    "sweep",
    "cross-protocol-xyz",
    "--paths",
    "600",
    "--vary",
    "agents.forced-seller.amount=300,420",
    "--threads",
    "2",
    "--chunk-size",
    "5",
];

#[test]
fn a_sweep_killed_at_20_random_points_and_resumed_writes_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let out = bankrun(SWEEP)
        .args(["--out", whole.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let killed = tmp.path().join("killed");
    let mut rng = bankrun_chain::rng::stream(20_261_202, "test.kill-resume.sweep");
    let (mut kills, mut finished, mut progress) = (0, false, Vec::new());
    // Where each kill lands is set by the sweep's progress, not by the clock, so that a fast
    // machine cannot finish the sweep before the 20th kill: the first two land in start-up
    // (a few milliseconds in), the others once a random 1 to 10 more chunk files exist than
    // at the previous kill (about 100 of the 240 in all), plus up to 3 ms, while both threads
    // are in the middle of their next chunks.
    for attempt in 0..200 {
        let mut args = SWEEP.to_vec();
        args.extend(["--out", killed.to_str().unwrap()]);
        if attempt > 0 {
            args.push("--resume");
        }
        let child = bankrun(&args).spawn().unwrap();
        let grace = Duration::from_micros(rng.random_range(0..=3_000));
        let was_killed = if kills < 2 {
            kill_after(child, Duration::from_millis(rng.random_range(2..=30)))
        } else {
            let target = chunks(&killed) + rng.random_range(1..=10);
            kill_when(child, &|| chunks(&killed) >= target, grace)
        };
        if was_killed {
            kills += 1;
            progress.push(chunks(&killed));
        } else {
            finished = true;
            break;
        }
        if kills == 20 {
            break;
        }
    }
    if !finished {
        let mut args = SWEEP.to_vec();
        args.extend(["--out", killed.to_str().unwrap(), "--resume"]);
        let out = bankrun(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        kills, 20,
        "the sweep finished before 20 kills: make it longer"
    );
    // Chunk files present after each kill: the kills landed all through the sweep (the
    // tally shows progress between kills, not the order of the run).
    let total = chunks(&whole);
    eprintln!("chunk files after each kill (of {total}): {progress:?}");
    let inside = progress.iter().filter(|&&n| n > 0 && n < total).count();
    assert!(inside >= 10, "most kills landed mid-sweep: {progress:?}");
    let (a, b) = (tree(&whole), tree(&killed));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &a {
        assert!(
            &b[name] == bytes,
            "{} differs after 20 kills",
            name.display()
        );
    }
}

#[test]
fn a_simulate_killed_at_random_points_leaves_no_directory_that_looks_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let args = |out: &Path| {
        vec![
            "simulate".to_string(),
            "black-thursday-2020-03".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ]
    };
    let run = |out: &Path| {
        let a = args(out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        bankrun(&a)
    };
    let started = Instant::now();
    let o = run(&whole).output().unwrap();
    let took = started.elapsed();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let complete = tree(&whole);

    let out = tmp.path().join("killed");
    let mut rng = bankrun_chain::rng::stream(20_261_202, "test.kill-resume.simulate");
    let mut kills = 0;
    for _ in 0..8 {
        let child = run(&out).spawn().unwrap();
        // Anywhere from start-up to the final rename: a random fraction of a whole run's time.
        let after = took.mul_f64(rng.random_range(0.02..=1.1));
        if kill_after(child, after) {
            kills += 1;
            // Killed: either nothing at `out`, or (killed after the rename) the whole run.
            if out.exists() {
                assert_eq!(
                    tree(&out),
                    complete,
                    "a killed run left a partial directory"
                );
                std::fs::remove_dir_all(&out).unwrap();
            }
        } else {
            assert_eq!(tree(&out), complete);
            std::fs::remove_dir_all(&out).unwrap();
        }
    }
    assert!(kills > 0, "no kill landed inside a run");
    // The next run removes the killed runs' marked partial directories and writes the whole.
    let o = run(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(tree(&out), complete);
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-"))
        .collect();
    assert!(left.is_empty(), "partial directories left behind: {left:?}");
}

/// A tmpfs mounted for one test, unmounted on drop (also when the test fails).
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk is an error naming the directory and the cause, with exit code 1, and leaves
/// nothing behind. Needs root to mount a 200 kB tmpfs; without it the test says so and stops
/// (under CI, where the machine runs as root, that is a failure).
#[test]
fn a_full_disk_is_reported_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let fs = tmp.path().join("small");
    std::fs::create_dir(&fs).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=200k", "tmpfs"])
        .arg(&fs)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        assert!(
            std::env::var("CI").is_err(),
            "CI runs as root and must be able to mount a tmpfs"
        );
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    let _guard = Mounted(fs.clone());
    let out = fs.join("run");
    let o = bankrun(&[
        "simulate",
        "black-thursday-2020-03",
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains(fs.to_str().unwrap()),
        "the error names where: {err}"
    );
    let left: Vec<_> = std::fs::read_dir(&fs).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
