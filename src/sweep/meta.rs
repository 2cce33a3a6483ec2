//! The metadata recorded once per sweep: what ran, where, with which versions.

use crate::options::SweepOptions;
use crate::results::{BrokerMeta, HostMeta, LiveMeta, SweepMeta, WorkloadMeta, SCHEMA_VERSION};

pub fn sweep_meta(opts: &SweepOptions, broker: BrokerMeta, seed: u64) -> SweepMeta {
    let sweep_id = opts
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    let mut meta = SweepMeta {
        schema_version: SCHEMA_VERSION,
        sweep_id,
        started_at: chrono::Local::now().to_rfc3339(),
        command: opts.command_line.clone(),
        kafkatune_version: env!("CARGO_PKG_VERSION").to_string(),
        kafkatune_git_revision: option_env!("KAFKATUNE_GIT_REVISION")
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        broker,
        workload: workload_meta(opts),
        mode: opts.mode,
        live: opts.live.map(|l| LiveMeta {
            rate_msgs_per_s: l.rate_msgs_per_s,
            duration_s: l.duration_s,
            warmup_s: l.warmup_s,
        }),
        send_rate_msgs_per_s: opts.send_rate,
        clients: opts.clients.iter().map(|c| c.name().to_string()).collect(),
        grid: opts.grid.clone(),
        fixed: opts
            .fixed
            .iter()
            .map(|(k, v)| (k.clone(), crate::clients::properties::mask(k, v)))
            .collect(),
        repeat: opts.repeat,
        warmup_runs: opts.warmup_runs,
        seed,
        run_timeout_s: opts.run_timeout_s,
        host: host(),
        payload: None,
        fill: None,
        config_hash: String::new(),
        adaptive: opts.adaptive.clone(),
        workers: Vec::new(),
        cluster_warmup: None,
    };
    meta.config_hash = config_hash(&meta);
    meta
}

fn workload_meta(opts: &SweepOptions) -> WorkloadMeta {
    WorkloadMeta {
        topic: opts.workload.topic.clone(),
        partitions: opts.workload.partitions,
        messages: opts.workload.messages,
        message_size_bytes: opts.workload.message_size,
    }
}

/// A hash of what defines the runs (not when or where they ran), FNV-1a over its JSON.
fn config_hash(meta: &SweepMeta) -> String {
    let mut defining = serde_json::json!([
        meta.workload,
        meta.mode,
        meta.live,
        meta.clients,
        meta.grid,
        meta.fixed,
        meta.repeat,
        meta.warmup_runs,
        meta.seed
    ]);
    // Added only when present, so a sweep of fixed repetitions keeps its old hash.
    if let (Some(adaptive), Some(list)) = (&meta.adaptive, defining.as_array_mut()) {
        list.push(serde_json::json!(adaptive));
    }
    let hash = defining
        .to_string()
        .bytes()
        .fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100000001b3)
        });
    format!("{hash:016x}")
}

/// What differs between a stored sweep and the options given to resume it.
pub fn differences(stored: &SweepMeta, opts: &SweepOptions) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            out.push(name.to_string());
        }
    };
    check(
        "workload (--topic, --messages, --message-size, --partitions)",
        stored.workload == workload_meta(opts),
    );
    check("--mode", stored.mode == opts.mode);
    check(
        "live settings",
        stored
            .live
            .as_ref()
            .map(|l| (l.rate_msgs_per_s, l.duration_s, l.warmup_s))
            == opts
                .live
                .map(|l| (l.rate_msgs_per_s, l.duration_s, l.warmup_s)),
    );
    check(
        "clients",
        stored.clients
            == opts
                .clients
                .iter()
                .map(|c| c.name().to_string())
                .collect::<Vec<_>>(),
    );
    check("grid (--param, --preset)", stored.grid == opts.grid);
    let fixed: crate::results::Params = opts
        .fixed
        .iter()
        .map(|(k, v)| (k.clone(), crate::clients::properties::mask(k, v)))
        .collect();
    check(
        "fixed properties (-X, --consumer.config)",
        stored.fixed == fixed,
    );
    check("--repeat", stored.repeat == opts.repeat);
    check("--warmup-runs", stored.warmup_runs == opts.warmup_runs);
    check("--seed", opts.seed.is_none_or(|s| s == stored.seed));
    check(
        "--repeat auto, --precision or the search (--range, --goal, --budget, ...)",
        stored.adaptive == opts.adaptive,
    );
    out
}

/// The host kafkatune runs on.
pub fn host() -> HostMeta {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let os = read("/etc/os-release")
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let cpu_model = read("/proc/cpuinfo").and_then(|t| {
        t.lines().find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
    });
    let memory_bytes = read("/proc/meminfo").and_then(|t| {
        t.lines().find_map(|l| {
            l.strip_prefix("MemTotal:")
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kb| kb * 1024)
        })
    });
    HostMeta {
        os,
        kernel: read("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()),
        cpu_model,
        cpu_count: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_bytes,
    }
}
