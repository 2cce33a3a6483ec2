//! One run: a fresh driver process, timed out and killed if it overruns, with its CPU and
//! peak memory from the kernel's accounting of that child (wait4 rusage).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::clients::protocol::{self, DriverResult, Event, Spec};
use crate::clients::DriverCommand;
use crate::process;

/// How long a consumer of a group run gets, after Ctrl-C, to leave its group before it is
/// killed: a killed member stays in the group until its session times out, and a group
/// with members cannot be deleted.
const LEAVE_GRACE: Duration = Duration::from_secs(10);

/// What the kernel says the child used.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub user_s: f64,
    pub sys_s: f64,
    pub peak_rss_bytes: u64,
}

/// Everything one driver process left behind.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    /// The driver's result document, when it wrote one.
    pub result: Option<DriverResult>,
    /// Why the run failed on the orchestrator's side (timeout, crash, no result).
    pub failure: Option<String>,
    pub interrupted: bool,
    pub spawn_unix_us: u64,
    pub wall_s: f64,
    pub usage: Usage,
    /// The last lines the driver wrote on stderr.
    pub stderr_tail: String,
}

/// Runs `driver` on `spec`, in `scratch` (spec and result files), killing it after `timeout`.
/// `on_ready` is called when the driver reports its consumer ready.
pub fn run(
    driver: &DriverCommand,
    spec: &Spec,
    scratch: &Path,
    timeout: Duration,
    mut on_ready: impl FnMut(),
) -> Result<RunOutcome> {
    run_with_events(driver, spec, scratch, timeout, |event| {
        if *event == Event::Ready {
            on_ready();
        }
    })
}

/// [`run`], handing every event line the driver prints to `on_event` as it comes.
pub fn run_with_events(
    driver: &DriverCommand,
    spec: &Spec,
    scratch: &Path,
    timeout: Duration,
    on_event: impl FnMut(&Event),
) -> Result<RunOutcome> {
    let never = std::sync::atomic::AtomicBool::new(false);
    run_cancellable(driver, spec, scratch, timeout, on_event, &never)
}

/// [`run_with_events`], ended as by Ctrl-C when `cancel` is set (a worker whose coordinator
/// gave the run up or fell silent).
pub fn run_cancellable(
    driver: &DriverCommand,
    spec: &Spec,
    scratch: &Path,
    timeout: Duration,
    mut on_event: impl FnMut(&Event),
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<RunOutcome> {
    std::fs::create_dir_all(scratch)?;
    let spec_path = scratch.join("spec.json");
    let result_path = scratch.join("result.json");
    let _ = std::fs::remove_file(&result_path);
    std::fs::write(&spec_path, serde_json::to_vec_pretty(spec)?)?;

    let mut cmd = driver.command(&spec_path, &result_path);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    process::isolate(&mut cmd, true);
    let mut outcome = RunOutcome {
        spawn_unix_us: protocol::now_unix_us(),
        ..Default::default()
    };
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting the {} driver {:?}", spec.client, driver.program))?;
    let pid = child.id();

    let (events_tx, events) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(event) = Event::parse(&line) {
                let _ = events_tx.send(event);
            }
        }
    });
    let mut stderr = child.stderr.take().expect("piped");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        process::tail(&text, 30)
    });
    let (exit_tx, exit) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = exit_tx.send(wait4(pid));
    });

    let deadline = started + timeout;
    let mut interrupted_at: Option<Instant> = None;
    let (status, usage) = loop {
        while let Ok(event) = events.try_recv() {
            on_event(&event);
        }
        match exit.recv_timeout(Duration::from_millis(20)) {
            Ok(done) => break done,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                anyhow::bail!("lost track of the driver process {pid}")
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        let interrupted =
            crate::interrupt::requested() || cancel.load(std::sync::atomic::Ordering::Relaxed);
        if interrupted && interrupted_at.is_none() {
            interrupted_at = Some(Instant::now());
            outcome.interrupted = true;
            // A group member is asked to finish, so that it leaves its group.
            if let Some(stop) = &spec.stop_file {
                let _ = std::fs::write(stop, b"");
            }
        }
        let leaving =
            spec.stop_file.is_some() && interrupted_at.is_some_and(|t| t.elapsed() < LEAVE_GRACE);
        if (interrupted && !leaving) || Instant::now() > deadline {
            process::kill_group(pid, libc::SIGKILL);
            if !interrupted {
                outcome.failure = Some(format!(
                    "killed after the run timeout of {:.0} s (--run-timeout)",
                    timeout.as_secs_f64()
                ));
            }
        }
    };
    // The driver is gone: kill anything it left in its process group.
    process::kill_group(pid, libc::SIGKILL);
    drop(child);
    // The lines it printed last (a final progress count) may still be on their way.
    let drain_until = Instant::now() + Duration::from_millis(200);
    while let Some(left) = drain_until.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(event) => on_event(&event),
            Err(_) => break,
        }
    }
    outcome.wall_s = started.elapsed().as_secs_f64();
    outcome.usage = usage;
    outcome.stderr_tail = stderr_reader.join().unwrap_or_default();
    match std::fs::read(&result_path) {
        Ok(bytes) => match serde_json::from_slice::<DriverResult>(&bytes) {
            Ok(r) => outcome.result = Some(r),
            Err(e) => {
                outcome
                    .failure
                    .get_or_insert(format!("the driver wrote an unreadable result: {e}"));
            }
        },
        Err(_) if outcome.failure.is_none() && !outcome.interrupted => {
            let last = outcome
                .stderr_tail
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_string();
            outcome.failure = Some(format!(
                "the driver ended ({status}) without a result{}",
                if last.is_empty() {
                    String::new()
                } else {
                    format!(": {last}")
                }
            ));
        }
        Err(_) => {}
    };
    Ok(outcome)
}

/// Waits for the child and returns its exit description and resource usage.
fn wait4(pid: u32) -> (String, Usage) {
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; std's Child never reaps it (we never call wait on it).
    let rc = unsafe { libc::wait4(pid as i32, &mut status, 0, &mut usage) };
    if rc < 0 {
        return (
            format!("wait4 failed: {}", std::io::Error::last_os_error()),
            Usage::default(),
        );
    }
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    let usage = Usage {
        user_s: secs(usage.ru_utime),
        sys_s: secs(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        peak_rss_bytes: usage.ru_maxrss as u64 * 1024,
    };
    let text = if libc::WIFEXITED(status) {
        format!("exit code {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("status {status}")
    };
    (text, usage)
}
