//! The kafka-python driver (`drivers/python`): runs in a virtual environment kafkatune makes
//! once in its cache, so a user needs nothing but python3.

use std::process::Command;

use anyhow::Result;

use super::{sources, DriverCommand};
use crate::{cache, process};

const INSTALL_PYTHON: &str =
    "install Python 3.8+ with venv (Debian: apt-get install -y python3 python3-venv)";

pub fn prepare() -> Result<DriverCommand> {
    let root = cache::dir().join(format!("python-driver-{}", sources::fingerprint("python")));
    let venv = root.join("venv");
    let python = venv.join("bin/python");
    if !root.join(".complete").exists() {
        let python3 = process::require("python3", INSTALL_PYTHON)?;
        eprintln!(
            "kafkatune: creating the kafka-python environment in {} (first use only)",
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
            "installing kafka-python into the virtual environment",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    Ok(DriverCommand {
        program: python,
        args: vec![root
            .join("src/kafkatune_driver.py")
            .to_string_lossy()
            .into_owned()],
    })
}
