//! deploy/kubernetes/ without Kubernetes (none on these machines): every manifest parses as
//! YAML, the worker containers run the image the Dockerfile builds, and their arguments are
//! a `kafkatune worker` command line the binary's own parser accepts.

use std::path::{Path, PathBuf};

use clap::Parser;
use kafkatune::cli::{Cli, Command};
use serde::Deserialize;
use serde_yaml::Value;

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes")
}

/// Every document of every `*.yaml` file, with its file's name.
fn manifests() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(deploy_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no manifest in deploy/kubernetes");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let value =
                Value::deserialize(doc).unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"));
            if !value.is_null() {
                out.push((name.clone(), value));
            }
        }
    }
    out
}

/// The text of `file` in the container's mounts: a volume of a Secret, the key the file's
/// name.
fn mounted_secret(
    container: &Value,
    pod: &Value,
    secrets: &[&Value],
    file: &Path,
) -> Option<String> {
    let mount = container["volumeMounts"]
        .as_sequence()?
        .iter()
        .find(|m| m["mountPath"].as_str().is_some_and(|p| file.starts_with(p)))?;
    let key = file
        .strip_prefix(mount["mountPath"].as_str()?)
        .ok()?
        .to_str()?
        .to_string();
    let volume = pod["volumes"]
        .as_sequence()?
        .iter()
        .find(|v| v["name"] == mount["name"])?;
    let secret = secrets
        .iter()
        .find(|s| s["metadata"]["name"] == volume["secret"]["secretName"])?;
    secret["stringData"][key.as_str()]
        .as_str()
        .map(str::to_string)
}

/// The tag `docker build -t` gives in the Dockerfile's build comment.
fn built_image() -> String {
    let dockerfile = std::fs::read_to_string(deploy_dir().join("Dockerfile")).unwrap();
    let line = dockerfile
        .lines()
        .find(|l| l.contains("docker build"))
        .expect("the Dockerfile says how to build it");
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "-t").expect("a -t TAG");
    words[at + 1].to_string()
}

/// `$(NAME)` replaced as Kubernetes does, from the container's env (a ConfigMap key stands
/// for its value in the manifests).
fn expand(arg: &str, env: &[(String, String)]) -> String {
    let mut out = arg.to_string();
    for (name, value) in env {
        out = out.replace(&format!("$({name})"), value);
    }
    out
}

#[test]
fn the_manifests_parse_and_run_the_built_image_with_arguments_kafkatune_worker_accepts() {
    let docs = manifests();
    let kinds: Vec<&str> = docs
        .iter()
        .filter_map(|(_, d)| d["kind"].as_str())
        .collect();
    for kind in ["ConfigMap", "Secret", "Deployment"] {
        assert!(kinds.contains(&kind), "no {kind} among {kinds:?}");
    }
    let config_maps: Vec<&Value> = docs
        .iter()
        .map(|(_, d)| d)
        .filter(|d| d["kind"] == "ConfigMap")
        .collect();
    let image = built_image();
    let mut containers = 0;
    for (file, doc) in &docs {
        if doc["kind"] != "Deployment" && doc["kind"] != "StatefulSet" {
            continue;
        }
        let list = doc["spec"]["template"]["spec"]["containers"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{file}: a workload without containers"));
        for c in list {
            containers += 1;
            assert_eq!(
                c["image"].as_str(),
                Some(image.as_str()),
                "{file}: the image the Dockerfile builds"
            );
            // Each $(VAR) from a ConfigMap key becomes that key's value.
            let env: Vec<(String, String)> = c["env"]
                .as_sequence()
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    let key = &e["valueFrom"]["configMapKeyRef"];
                    let map = config_maps
                        .iter()
                        .find(|m| m["metadata"]["name"] == key["name"])?;
                    let value = map["data"][key["key"].as_str()?].as_str()?;
                    Some((e["name"].as_str()?.to_string(), value.to_string()))
                })
                .collect();
            let args: Vec<String> = c["args"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{file}: the container's args"))
                .iter()
                .map(|a| expand(a.as_str().expect("a string argument"), &env))
                .collect();
            assert!(
                !args.iter().any(|a| a.contains("$(")),
                "{file}: an argument names an env variable the container does not set: {args:?}"
            );
            let cli =
                Cli::try_parse_from(std::iter::once("kafkatune".to_string()).chain(args.clone()))
                    .unwrap_or_else(|e| panic!("{file}: kafkatune does not take {args:?}: {e}"));
            let Command::Worker(worker) = cli.command else {
                panic!(
                    "{file}: the container runs `kafkatune {}`, not a worker",
                    args[0]
                );
            };
            // --command-config names a file of the mounted Secret: its text, written here,
            // must be a properties file the worker takes.
            let mut worker = worker;
            let _dir = tempfile::tempdir().unwrap();
            if let Some(file) = worker.command_config.clone() {
                let secrets: Vec<&Value> = docs
                    .iter()
                    .map(|(_, d)| d)
                    .filter(|d| d["kind"] == "Secret")
                    .collect();
                let text = mounted_secret(c, &doc["spec"]["template"]["spec"], &secrets, &file)
                    .unwrap_or_else(|| {
                        panic!("{file:?} is not a file of a Secret mounted in the container")
                    });
                let local = _dir.path().join("command.properties");
                std::fs::write(&local, text).unwrap();
                worker.command_config = Some(local);
            }
            kafkatune::options::worker_options(&worker)
                .unwrap_or_else(|e| panic!("{file}: the worker refuses its arguments: {e:#}"));
        }
    }
    assert!(containers > 0, "no worker container in deploy/kubernetes");
}

#[test]
fn the_dockerfile_starts_kafkatune_and_the_worker_help_runs() {
    let dockerfile = std::fs::read_to_string(deploy_dir().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("ENTRYPOINT [\"kafkatune\"]"),
        "the image's entry point is kafkatune (the manifests give only its arguments)"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kafkatune"))
        .args(["worker", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--bootstrap-servers",
        "--fleet",
        "--command-config",
        "--name",
    ] {
        assert!(help.contains(flag), "worker --help lacks {flag}: {help}");
    }
}
