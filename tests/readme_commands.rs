//! Every `kafkatune` command the README, the guides (`docs/guide/*.md`) and `--help` show is
//! run here, so none of them goes stale: `sweep`, `tune` and `capacity` with `--dry-run`
//! (the options are checked as for a real run, nothing is started), every other subcommand
//! with `--help` (it must exist). And every relative link of README.md and docs/ points to a
//! file that exists (and, with `#anchor`, to one of its headings).
//!
//! The rules, stated: a command that resumes (`--resume DIR`) names a folder only a real run
//! makes, and a bare `kafkatune capacity` in a sentence is a name, so both are checked with
//! `--help`; help examples are the lines after `Examples:`, and must fit clap's 100 columns
//! unwrapped; `FILE.properties` arguments are created empty in
//! the command's own folder, as a user's would exist.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page of docs/guide/.
fn guide_pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut guide: Vec<PathBuf> = std::fs::read_dir(root().join("docs/guide"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    guide.sort();
    pages.extend(guide);
    pages
}

/// A shell line without its trailing `# comment` (a `#` after whitespace, outside quotes).
fn without_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if prev_space => return line[..i].trim_end(),
            _ => {}
        }
        prev_space = c.is_whitespace();
    }
    line.trim_end()
}

/// The `kafkatune ...` commands of a Markdown page: the lines of its code blocks (joined over
/// `\` continuations) and its inline code spans that start with `kafkatune ` (or
/// `scripts/kafkatune `).
fn commands_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            let line = without_comment(line);
            let (body, more) = match line.strip_suffix('\\') {
                Some(b) => (b, true),
                None => (line, false),
            };
            pending.push_str(body.trim());
            pending.push(' ');
            if !more {
                out.push(std::mem::take(&mut pending));
            }
            continue;
        }
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 {
                out.push(span.to_string());
            }
        }
    }
    out.into_iter()
        .map(|c| c.trim().to_string())
        .filter_map(|c| {
            let c = c.strip_prefix("scripts/").unwrap_or(&c).to_string();
            c.starts_with("kafkatune ").then_some(c)
        })
        .collect()
}

/// The examples of `kafkatune [SUB] --help`: its lines that start with `kafkatune `, each
/// without the description that follows two or more spaces.
fn help_examples() -> Vec<String> {
    let mut out = Vec::new();
    for sub in [None, Some("sweep"), Some("tune"), Some("capacity")] {
        let mut cmd = Command::cargo_bin("kafkatune").unwrap();
        if let Some(sub) = sub {
            cmd.arg(sub);
        }
        let help = cmd.arg("--help").output().unwrap();
        assert!(help.status.success(), "{sub:?} --help");
        let text = String::from_utf8(help.stdout).unwrap();
        let before = out.len();
        let examples = text.split_once("Examples:").map_or("", |(_, e)| e);
        for line in examples.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("kafkatune ") {
                let command = rest.split("  ").next().unwrap().trim();
                out.push(format!("kafkatune {command}"));
            }
        }
        assert!(out.len() > before, "`{sub:?} --help` shows examples");
    }
    out
}

/// Runs one command as the test's rules say; returns what went wrong, if anything.
fn check(command: &str) -> Option<String> {
    let words = match shell_words::split(command) {
        Ok(w) => w,
        Err(e) => return Some(format!("does not parse as a shell line: {e}")),
    };
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let dry = matches!(args.first(), Some(&("sweep" | "tune" | "capacity")))
        && args.len() > 1
        && !args.contains(&"--resume");
    let mut cmd = Command::cargo_bin("kafkatune").unwrap();
    cmd.current_dir(dir.path()).env("KAFKATUNE_CACHE", &cache);
    if dry {
        for file in args.iter().filter(|a| a.ends_with(".properties")) {
            std::fs::write(dir.path().join(file), "").unwrap();
        }
        cmd.args(&args);
        if !args.contains(&"--dry-run") {
            cmd.arg("--dry-run");
        }
    } else {
        // The subcommand (and `broker`'s own subcommand) must exist.
        let sub: Vec<&str> = args
            .iter()
            .take_while(|a| !a.starts_with('-'))
            .take(if args.first() == Some(&"broker") {
                2
            } else {
                1
            })
            .copied()
            .collect();
        cmd.args(&sub).arg("--help");
    }
    let out = cmd
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Some(format!(
            "exit {:?}: {}{}",
            out.status.code(),
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if dry {
        if !stdout.contains("dry run: nothing is started") {
            return Some(format!("no plan printed: {stdout}"));
        }
        if cache.exists() {
            return Some("the dry run set something up in the cache".into());
        }
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".properties"))
            .collect();
        if !left.is_empty() {
            return Some(format!("the dry run wrote {left:?}"));
        }
    }
    None
}

#[test]
fn every_command_of_the_readme_the_guides_and_help_runs_as_a_dry_run() {
    let mut commands: Vec<(String, String)> = Vec::new();
    for page in guide_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        for c in commands_of(&text) {
            commands.push((name.clone(), c));
        }
    }
    for c in help_examples() {
        commands.push(("--help".into(), c));
    }
    let readme = commands.iter().filter(|(p, _)| p == "README.md").count();
    assert!(
        readme >= 10,
        "the README shows its commands: {readme} found"
    );
    let dry = commands
        .iter()
        .filter(|(_, c)| c.starts_with("kafkatune sweep") || c.starts_with("kafkatune capacity"))
        .count();
    assert!(dry >= 10, "sweep and capacity commands found: {dry}");
    let mut seen = BTreeSet::new();
    let failures: Vec<String> = commands
        .iter()
        .filter(|(_, c)| seen.insert(c.clone()))
        .filter_map(|(page, c)| check(c).map(|why| format!("{page}: `{c}`: {why}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_dry_run_still_refuses_bad_input_with_exit_2() {
    let out = Command::cargo_bin("kafkatune")
        .unwrap()
        .args(["sweep", "--param", "fetch.min.bytes=abc", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fetch.min.bytes"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("dry run"));
}

#[test]
fn the_seed_plan_counts_its_runs_and_names_what_it_would_start() {
    let out = Command::cargo_bin("kafkatune")
        .unwrap()
        .args(["sweep", "--preset", "seed", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "27 trials x 3 runs (3 measured + 0 warm-up) = 81 runs",
        "an embedded Apache Kafka broker",
        "100000 messages of 100 B",
        "estimate:  about",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

/// The GitHub anchor of a heading: lower case, punctuation dropped, spaces as dashes.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_block = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        } else if !in_block && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn every_relative_link_of_the_readme_and_docs_points_to_a_file_and_heading_that_exist() {
    let mut pages = vec![root().join("README.md")];
    markdown_files(&root().join("docs"), &mut pages);
    let mut broken = Vec::new();
    let mut links = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.contains("://") || target.starts_with("mailto:") || target.contains(' ') {
                continue;
            }
            links += 1;
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let path = match file.is_empty() {
                true => page.clone(),
                false => page.parent().unwrap().join(file),
            };
            if !path.exists() {
                broken.push(format!("{}: {target}: no such file", page.display()));
            } else if !fragment.is_empty() {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !anchors(&text).contains(fragment) {
                    broken.push(format!("{}: {target}: no such heading", page.display()));
                }
            }
        }
    }
    assert!(links >= 10, "links found: {links}");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_readme_is_a_guide_of_at_most_250_lines() {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = text.lines().count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines: move measurements to docs/benchmarks.md, detail to docs/guide/"
    );
}

#[test]
fn the_command_reader_follows_continuations_and_drops_comments() {
    let page = "text `kafkatune report DIR` and `cargo test`\n```sh\nkafkatune sweep \\\n  --param a=1   # why\n# a comment\n```\n";
    assert_eq!(
        commands_of(page),
        vec!["kafkatune report DIR", "kafkatune sweep --param a=1"]
    );
    assert_eq!(
        without_comment("kafkatune x --slo 'p99<20ms#' # c"),
        "kafkatune x --slo 'p99<20ms#'"
    );
}
