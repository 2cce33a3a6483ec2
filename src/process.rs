//! Child processes: finding tools, running set-up commands, tying children to our life.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Result;

use crate::error;

/// Finds `program` on PATH, or fails with a message naming what to install.
pub fn require(program: &str, install_hint: &str) -> Result<PathBuf> {
    find(program).ok_or_else(|| {
        error::UserError::env(format!("`{program}` was not found on PATH"))
            .with_hint(install_hint.to_string())
            .into()
    })
}

/// Finds `program` on PATH.
pub fn find(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Runs a set-up command to completion; on failure the error carries the tail of its output.
pub fn run_setup(cmd: &mut Command, what: &str) -> Result<()> {
    let output = cmd.stdin(Stdio::null()).output().map_err(|e| {
        error::env(format!(
            "{what}: could not start {:?}: {e}",
            cmd.get_program()
        ))
    })?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Err(error::env(format!(
        "{what} failed ({}):\n{}",
        output.status,
        tail(&text, 25)
    )))
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Makes `cmd`'s child a process-group leader (so Ctrl-C on the terminal reaches only us,
/// and we can kill the child with everything it started), and, when `die_with_parent`,
/// has the kernel kill it if kafkatune dies, so no broker or driver is ever left behind.
pub fn isolate(cmd: &mut Command, die_with_parent: bool) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if die_with_parent && libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Sends `signal` to the process group led by `pid`.
pub fn kill_group(pid: u32, signal: i32) {
    // SAFETY: plain syscall; a stale pid is harmless (ESRCH).
    unsafe {
        libc::kill(-(pid as i32), signal);
    }
}

/// Whether a process with this pid exists.
pub fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

/// Processes kafkatune stopped (SIGSTOP, a `pause-leader` fault) and has not continued yet.
static PAUSED: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// SIGSTOPs the process group led by `pid`, and remembers it, so that every way out
/// (the fault's end, the run's, a second Ctrl-C: `resume_all`) continues it.
pub fn pause(pid: u32) -> Result<()> {
    use nix::sys::signal::{killpg, Signal};
    PAUSED.lock().unwrap().push(pid);
    killpg(nix::unistd::Pid::from_raw(pid as i32), Signal::SIGSTOP)
        .map_err(|e| anyhow::anyhow!("SIGSTOP to process {pid}: {e}"))
}

/// SIGCONTs a process `pause` stopped.
pub fn resume(pid: u32) {
    use nix::sys::signal::{killpg, Signal};
    PAUSED.lock().unwrap().retain(|p| *p != pid);
    let _ = killpg(nix::unistd::Pid::from_raw(pid as i32), Signal::SIGCONT);
}

/// SIGCONTs every process `pause` stopped (before kafkatune exits).
pub fn resume_all() {
    let paused: Vec<u32> = PAUSED.lock().map(|p| p.clone()).unwrap_or_default();
    for pid in paused {
        resume(pid);
    }
}
