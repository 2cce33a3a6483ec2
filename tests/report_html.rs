//! `report.html` in a real browser: headless Chromium renders it with every host unresolvable,
//! and the DOM it built holds the charts and the table. The page must make no network
//! request: nothing in it may refer to a host, and it must render with none reachable.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{drain_sweep, live_sweep, produce_sweep, DrainVariant};
use kafkatune::report::write_report;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium(profile: &Path, args: &[&str]) -> std::process::Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} not found: run the test set-up (`apt-get install -y chromium`) before these tests"
    );
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--host-resolver-rules=MAP * ~NOTFOUND")
        .args(args)
        .output()
        .expect("chromium runs")
}

/// The URLs a `file://` page asked the network for, from a Chromium NetLog. Chromium's own
/// background requests (update checks, accounts) are told apart by their isolation key:
/// only requests made for the page carry the page's `file://` site.
fn page_network_requests(netlog: &Path) -> Vec<String> {
    let log: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(netlog).unwrap()).expect("a complete NetLog");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("NetLog constants");
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.starts_with("file://"))
        })
        .filter_map(|e| e["params"]["url"].as_str())
        .filter(|url| !url.starts_with("file://"))
        .map(String::from)
        .collect()
}

/// Renders `page` with a NetLog and returns the network requests the page made.
fn requests_made_by(page: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let netlog = tmp.path().join("netlog.json");
    let profile = tmp.path().join("profile");
    let log_arg = format!("--log-net-log={}", netlog.display());
    let out = chromium(
        &profile,
        &[
            &log_arg,
            "--net-log-capture-mode=Everything",
            "--dump-dom",
            page,
        ],
    );
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    page_network_requests(&netlog)
}

/// Every place HTML or CSS can name a resource to fetch, with what it names.
fn resource_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut refs = Vec::new();
    for pattern in [
        "src=", "href=", "url(", "@import", "srcset=", "action=", "poster=", "data=",
    ] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(pattern) {
            let start = from + i + pattern.len();
            let target: String = lower[start..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>')
                .collect();
            refs.push(format!("{pattern}{target}"));
            from = start;
        }
    }
    refs
}

fn report(dir: &Path, live: bool) -> String {
    if live {
        live_sweep(dir)
    } else {
        drain_sweep(dir, &DrainVariant::default())
    }
    write_report(dir).unwrap();
    fs::read_to_string(dir.join("report.html")).unwrap()
}

#[test]
fn the_html_names_no_host_and_no_other_file() {
    for live in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let html = report(dir.path(), live);
        for scheme in ["http://", "https://"] {
            assert!(!html.contains(scheme), "report.html mentions {scheme}");
        }
        let refs = resource_references(&html);
        assert!(refs.is_empty(), "report.html refers to resources: {refs:?}");
        assert!(!html.contains("<script"), "report.html needs no script");
    }
}

#[test]
fn the_resource_scan_finds_references() {
    let refs = resource_references(
        "<img src=\"//cdn.example/x.png\"><style>@import 'a.css'; b { background: url(x) }</style>",
    );
    assert_eq!(refs.len(), 3, "{refs:?}");
}

#[test]
fn chromium_renders_the_report_offline_with_its_charts() {
    let dir = tempfile::tempdir().unwrap();
    report(dir.path(), false);
    let page = format!("file://{}", dir.path().join("report.html").display());
    let profile = tempfile::tempdir().unwrap();
    let out = chromium(
        profile.path(),
        &["--virtual-time-budget=2000", "--dump-dom", &page],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && dom.contains("</html>"),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The DOM chromium built, not only the file, holds the charts and the table.
    assert_eq!(
        dom.matches("<figure class=\"chart heatmap\"").count(),
        4,
        "4 heatmaps (2 clients × 2 max.poll.records)"
    );
    assert!(
        dom.matches("<svg").count() >= 10,
        "every chart inline as SVG"
    );
    assert!(dom.contains("<table class=\"ranked\">") && dom.contains("<code>t13</code>"));
    assert!(dom.contains("made no measurable difference"));

    let shot = dir.path().join("report.png");
    let out = chromium(
        profile.path(),
        &[
            "--window-size=1280,4000",
            "--hide-scrollbars",
            &format!("--screenshot={}", shot.display()),
            &page,
        ],
    );
    assert!(
        out.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        fs::metadata(&shot).unwrap().len() > 50_000,
        "the screenshot shows a rendered page"
    );
    if let Ok(keep) = std::env::var("KAFKATUNE_KEEP_SCREENSHOT") {
        fs::copy(&shot, keep).unwrap();
    }
}

#[test]
fn the_report_makes_no_network_request() {
    let dir = tempfile::tempdir().unwrap();
    report(dir.path(), false);
    let page = format!("file://{}", dir.path().join("report.html").display());
    assert_eq!(requests_made_by(&page), Vec::<String>::new());
}

#[test]
fn the_netlog_check_sees_a_page_that_fetches() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("fetches.html");
    fs::write(
        &page,
        "<html><body><img src=\"https://example.com/x.png\">hi</body></html>",
    )
    .unwrap();
    let requests = requests_made_by(&format!("file://{}", page.display()));
    assert_eq!(requests, ["https://example.com/x.png"]);
}

#[test]
fn chromium_renders_the_live_report() {
    let dir = tempfile::tempdir().unwrap();
    report(dir.path(), true);
    let page = format!("file://{}", dir.path().join("report.html").display());
    let profile = tempfile::tempdir().unwrap();
    let out = chromium(profile.path(), &["--dump-dom", &page]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("id=\"latency-percentiles\"") && dom.contains("id=\"tradeoff-latency\""));
    assert_eq!(dom.matches("<figure class=\"chart heatmap\"").count(), 2);
}

#[test]
fn chromium_renders_the_produce_report() {
    let dir = tempfile::tempdir().unwrap();
    produce_sweep(dir.path());
    write_report(dir.path()).unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(resource_references(&html).is_empty() && !html.contains("<script"));
    let page = format!("file://{}", dir.path().join("report.html").display());
    let profile = tempfile::tempdir().unwrap();
    let out = chromium(profile.path(), &["--dump-dom", &page]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && dom.contains("</html>"),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One heatmap per client (linger.ms × compression.type), the two producer trade-offs.
    assert_eq!(dom.matches("<figure class=\"chart heatmap\"").count(), 2);
    assert!(
        dom.contains("id=\"tradeoff-ack-latency\"") && dom.contains("id=\"tradeoff-compression\"")
    );
    assert!(dom.contains("<h2 id=\"tradeoffs\">Trade-offs</h2>"));
    assert_eq!(
        dom.matches("<section class=\"goal\">").count(),
        4,
        "four producer goals answered"
    );
    assert!(dom.contains("<code>RecordAccumulator</code>"));
}
