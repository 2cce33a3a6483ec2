//! Ctrl-C. The first one asks the work to stop: the current run ends (a group's consumers
//! first leave their group), finished runs are kept and the resume command is printed; a
//! topic being filled or a broker starting stops too. The second leaves at once (children
//! die with kafkatune: see `process::isolate`).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::UserError;

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once per process).
pub fn install_handler() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            // A broker paused by a fault is continued, not left stopped.
            crate::process::resume_all();
            std::process::exit(130);
        }
        eprintln!("\nkafkatune: interrupted: stopping (Ctrl-C again to quit at once)");
    });
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// An error (exit 130) if Ctrl-C was pressed: `what` says where the work stopped.
pub fn check(what: impl FnOnce() -> String) -> Result<(), UserError> {
    if requested() {
        Err(UserError::interrupted(what()))
    } else {
        Ok(())
    }
}
