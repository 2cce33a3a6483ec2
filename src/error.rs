//! The one place that maps failures to exit codes and user-facing messages.
//!
//! Exit codes (documented in the README):
//! - 0: done;
//! - 1: the sweep ran but some runs failed, or an unexpected error;
//! - 2: bad input (options, properties, files), rejected before any work starts;
//! - 3: the environment: Java, Maven or Python missing, the broker unreachable or failing,
//!   a topic missing or holding too few messages;
//! - 130: interrupted (Ctrl-C); finished runs are kept and the resume command is printed.

use std::fmt;

/// An error the user can act on: what went wrong and what to do.
#[derive(Debug)]
pub struct UserError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad options or files given by the user.
    Usage,
    /// Something missing or failing outside kafkatune: Java, Maven, Python, the broker.
    Environment,
    /// Interrupted by the user.
    Interrupted,
    /// Runs failed.
    RunsFailed,
}

impl UserError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Usage,
            message: message.into(),
            hint: None,
        }
    }

    pub fn env(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Environment,
            message: message.into(),
            hint: None,
        }
    }

    pub fn interrupted(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Interrupted,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Usage => 2,
            ErrorKind::Environment => 3,
            ErrorKind::Interrupted => 130,
            ErrorKind::RunsFailed => 1,
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UserError {}

/// Shorthand for a usage error as an `anyhow::Error`.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UserError::usage(message).into()
}

/// Shorthand for an environment error as an `anyhow::Error`.
pub fn env(message: impl Into<String>) -> anyhow::Error {
    UserError::env(message).into()
}

/// Prints the error chain the way users should see it and returns the exit code.
pub fn report(err: &anyhow::Error) -> i32 {
    let code = err
        .downcast_ref::<UserError>()
        .map_or(1, UserError::exit_code);
    let mut text = format!("{err}");
    for cause in err.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    eprintln!("kafkatune: error: {text}");
    code
}
