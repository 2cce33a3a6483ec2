//! The shape of the tree, checked: no module imports another that imports it back (at any
//! level: `options` and `sweep`, or `report::analysis` and `report::scaling`), and no source
//! file over 600 lines. A newcomer reads the layers from the folders; this keeps them so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const MAX_LINES: usize = 600;

/// Module path (`sweep::group::watch`) -> source text, for every file under src/.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    parts.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    parts.pop();
                }
                out.insert(parts.join("::"), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// The paths a text names after `prefix` (`crate::`), groups (`crate::{a::b, c}`) expanded.
fn paths_after(text: &str, prefix: &str) -> Vec<Vec<String>> {
    fn ident(s: &str) -> usize {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    }
    /// `{a, b::c}`: each item parsed on top of `base`.
    fn group(s: &str, base: &[String], out: &mut Vec<Vec<String>>) {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in s.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => return parse(s[start..i].trim(), base, out),
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parse(s[start..i].trim(), base, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    fn parse(s: &str, base: &[String], out: &mut Vec<Vec<String>>) {
        let mut path = base.to_vec();
        let mut rest = s;
        loop {
            if let Some(g) = rest.strip_prefix('{') {
                return group(g, &path, out);
            }
            let n = ident(rest);
            if n == 0 {
                break;
            }
            path.push(rest[..n].to_string());
            rest = &rest[n..];
            match rest.strip_prefix("::") {
                Some(r) => rest = r,
                None => break,
            }
        }
        out.push(path);
    }
    let mut out = Vec::new();
    for (i, _) in text.match_indices(prefix) {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        parse(&text[i + prefix.len()..], &[], &mut out);
    }
    out
}

/// The longest prefix of `path` that is a module.
fn resolve(mods: &BTreeMap<String, String>, path: &[String]) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| mods.contains_key(m))
}

/// module -> the modules it names (tests left out: they may look anywhere).
fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = BTreeMap::new();
    for (m, text) in mods {
        let code = text.split("#[cfg(test)]").next().unwrap();
        let parent: Vec<String> = m.split("::").map(str::to_string).collect();
        let parent = &parent[..parent.len().saturating_sub(1)];
        let mut to = BTreeSet::new();
        for p in paths_after(code, "crate::") {
            to.extend(resolve(mods, &p));
        }
        for p in paths_after(code, "super::") {
            let full: Vec<String> = parent.iter().cloned().chain(p).collect();
            to.extend(resolve(mods, &full));
        }
        to.retain(|t: &String| {
            t != m
                && !t.is_empty()
                && !m.starts_with(&format!("{t}::"))
                && !t.starts_with(&format!("{m}::"))
        });
        edges.insert(m.clone(), to);
    }
    edges
}

/// Cycles among the children of each folder (`a -> b` when anything in a names anything in b).
fn cycles(mods: &BTreeMap<String, String>) -> Vec<String> {
    let edges = edges(mods);
    let mut parents: BTreeSet<String> = BTreeSet::new();
    for m in mods.keys() {
        let parts: Vec<&str> = if m.is_empty() {
            vec![]
        } else {
            m.split("::").collect()
        };
        for n in 0..parts.len() {
            parents.insert(parts[..n].join("::"));
        }
    }
    let mut found = Vec::new();
    for parent in parents {
        let child_of = |m: &str| -> Option<String> {
            let rest = if parent.is_empty() {
                Some(m)
            } else {
                m.strip_prefix(&format!("{parent}::"))
            }?;
            let first = rest.split("::").next()?;
            Some(if parent.is_empty() {
                first.to_string()
            } else {
                format!("{parent}::{first}")
            })
        };
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, bs) in &edges {
            for b in bs {
                if let (Some(ca), Some(cb)) = (child_of(a), child_of(b)) {
                    if ca != cb {
                        graph.entry(ca).or_default().insert(cb);
                    }
                }
            }
        }
        for (a, bs) in &graph {
            for b in bs {
                if a < b && reaches(&graph, b, a) {
                    found.push(format!("{a} <-> {b}"));
                }
            }
        }
    }
    found
}

fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(n) = todo.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n.clone()) {
            todo.extend(graph.get(&n).into_iter().flatten().cloned());
        }
    }
    false
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let found = cycles(&modules());
    assert!(found.is_empty(), "import cycles: {found:#?}");
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = modules()
        .iter()
        .map(|(m, text)| (m, text.lines().count()))
        .filter(|(_, n)| *n > MAX_LINES)
        .map(|(m, n)| format!("{m}: {n} lines"))
        .collect();
    assert!(long.is_empty(), "{long:?}");
}

#[test]
fn the_checker_sees_cycles_and_groups() {
    let mods: BTreeMap<String, String> = [
        ("a".to_string(), "use crate::{b::x, c};".to_string()),
        ("b".to_string(), "use crate::a::f;".to_string()),
        ("c".to_string(), "fn f() {}".to_string()),
        (
            "d".to_string(),
            "use crate::c;\n#[cfg(test)]\nuse crate::a;".to_string(),
        ),
    ]
    .into();
    assert_eq!(cycles(&mods), ["a <-> b"]);
    assert_eq!(
        paths_after("use crate::{b::{x, y}, c};", "crate::").len(),
        3
    );
}

/// scripts/test.sh names its test targets one by one (the broker-free ones first, so a
/// mistake fails fast): a new file under tests/ that it does not name would never run.
#[test]
fn the_test_script_runs_every_test_target() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(root.join("scripts/test.sh")).unwrap();
    let named: BTreeSet<&str> = script
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0] == "--test")
        .map(|w| w[1])
        .collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        let target = match (path.is_dir(), path.extension()) {
            (true, _) if path.join("main.rs").exists() => path.file_name(),
            (false, Some(e)) if e == "rs" => path.file_stem(),
            _ => None,
        };
        if let Some(t) = target.and_then(|t| t.to_str()) {
            if !named.contains(t) {
                missing.push(t.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "scripts/test.sh runs no `--test {missing:?}`: add each to its broker-free or its real-broker line"
    );
}
