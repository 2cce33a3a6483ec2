//! Embeds the Java, Python and KafkaJS drivers' sources (`drivers/`) in the binary, so kafkatune can
//! build them into its cache wherever it is installed.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("drivers");
    println!("cargo:rerun-if-changed=drivers");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut code = String::from("/// (path under drivers/, contents) of every driver source file.\npub static FILES: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        code.push_str(&format!("    ({rel:?}, include_bytes!({abs:?})),\n"));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("drivers.rs");
    std::fs::write(out, code).unwrap();
    git_revision();
}

/// Records the git revision the binary was built from, with the results of every sweep.
fn git_revision() {
    let revision = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=KAFKATUNE_GIT_REVISION={revision}");
    println!("cargo:rerun-if-changed=.git/HEAD");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "target"
            || name == "__pycache__"
            || name == "node_modules"
            || name.starts_with('.')
        {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, files);
        } else if [".java", ".xml", ".py", ".txt", ".js"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || name == "package.json"
            || name == "package-lock.json"
        {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.push((rel, path.to_string_lossy().into_owned()));
        }
    }
}
