//! The Python drivers (`drivers/python`: kafka-python's and confluent-kafka-python's, two entry
//! scripts over one requirements.txt): they run in one virtual environment kafkatune makes
//! once in its cache, so a user needs nothing but python3.

use std::process::Command;

use anyhow::Result;

use super::{sources, DriverCommand};
use crate::{cache, process};

const INSTALL_PYTHON: &str =
    "install Python 3.8+ with venv (Debian: apt-get install -y python3 python3-venv)";

/// kafka-python's entry script in `drivers/python`.
pub const KAFKA_PYTHON_DRIVER: &str = "kafkatune_driver.py";
/// confluent-kafka-python's entry script in `drivers/python`.
pub const CONFLUENT_DRIVER: &str = "kafkatune_confluent.py";

/// Makes the venv on first use (the folder is named by the sources' fingerprint, so a
/// changed requirements.txt gets a fresh venv beside the old one) and returns how to start
/// `script`, one of the entry scripts above.
pub fn prepare(script: &str) -> Result<DriverCommand> {
    let root = cache::dir().join(format!("python-driver-{}", sources::fingerprint("python")));
    let venv = root.join("venv");
    let python = venv.join("bin/python");
    if !root.join(".complete").exists() {
        let python3 = process::require("python3", INSTALL_PYTHON)?;
        eprintln!(
            "kafkatune: creating the Python clients' environment in {} (first use only)",
            root.display()
        );
        let src = sources::write_out("python", &root.join("src"))?;
        let _ = std::fs::remove_dir_all(&venv);
        process::run_setup(
            Command::new(python3).args(["-m", "venv"]).arg(&venv),
            "creating the Python virtual environment",
        )?;
        process::run_setup(
            Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check", "-r"])
                .arg(src.join("requirements.txt")),
            "installing kafka-python and confluent-kafka into the virtual environment",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    Ok(DriverCommand {
        program: python,
        args: vec![root.join("src").join(script).to_string_lossy().into_owned()],
    })
}
