//! `--resume DIR`: the configuration stored in the folder, with what is given beside it.
//!
//! The folder's `sweep.json` records the command line that started the sweep. A bare
//! `kafkatune sweep --resume DIR` parses it again; an option given beside `--resume`
//! replaces the stored one (a `--param` or `-X` by name), and the sweep then refuses to go on
//! if the result differs from what the folder holds, naming the difference.

use std::path::Path;

use anyhow::Result;
use clap::Parser;

use super::command_line;
use crate::cli::{Cli, Command, SweepArgs};
use crate::results::SweepMeta;

/// The command stored in `dir`'s sweep.json, parsed again from its `subcommand` (`tune`,
/// `capacity`) on; `None` when it was started by another subcommand (or another version).
/// The stored command line comes back too, for the message.
pub fn stored_command(dir: &Path, subcommand: &str) -> Result<(String, Option<Command>)> {
    let (meta, _) = crate::export::load(dir)?;
    let words = shell_words::split(&meta.command).unwrap_or_default();
    let parsed = words.iter().position(|w| w == subcommand).and_then(|at| {
        let argv = std::iter::once("kafkatune".to_string()).chain(words[at..].iter().cloned());
        Cli::try_parse_from(argv).ok()
    });
    Ok((meta.command, parsed.map(|c| c.command)))
}

/// The arguments the sweep in `dir` was started with, merged with `given`; `None` when the
/// recorded command cannot be parsed (another kafkatune version): `given` then stands alone.
pub fn merged_args(meta: &SweepMeta, given: &SweepArgs) -> Option<SweepArgs> {
    let stored = stored_args(&meta.command)?;
    Some(merge(stored, given))
}

fn stored_args(command: &str) -> Option<SweepArgs> {
    let words = command_line::split(command)?;
    let at = words
        .iter()
        .position(|w| w == "sweep" || w == "tune" || w == "capacity")?;
    let argv = std::iter::once("kafkatune".to_string()).chain(words[at..].iter().cloned());
    let mut args = match Cli::try_parse_from(argv).ok()?.command {
        Command::Sweep(args) => *args,
        // A search's space is a sweep's; its own options are the tuner's to merge.
        Command::Tune(tune) => tune.space,
        // A capacity search's --rate, --duration and --warmup-s are its steps', set by
        // capacity's own options on the arguments given beside --resume.
        Command::Capacity(capacity) => SweepArgs {
            rate: None,
            duration: None,
            warmup_s: None,
            ..capacity.space
        },
        _ => return None,
    };
    args.out = None;
    args.resume = None;
    Some(args)
}

/// `given` on top of `stored`: options given replace stored ones; `--param` and `-X` by name.
fn merge(mut m: SweepArgs, g: &SweepArgs) -> SweepArgs {
    fn over<T: Clone>(stored: &mut Option<T>, given: &Option<T>) {
        if given.is_some() {
            stored.clone_from(given);
        }
    }
    let (c, gc) = (&mut m.cluster, &g.cluster);
    over(&mut c.bootstrap_servers, &gc.bootstrap_servers);
    over(&mut c.command_config, &gc.command_config);
    over(&mut c.fake_cluster, &gc.fake_cluster);
    over(&mut c.brokers, &gc.brokers);
    c.allow_write |= gc.allow_write;
    let (w, gw) = (&mut m.workload, &g.workload);
    over(&mut w.topic, &gw.topic);
    over(&mut w.partitions, &gw.partitions);
    over(&mut w.messages, &gw.messages);
    over(&mut w.message_size, &gw.message_size);
    over(&mut w.payload_kind, &gw.payload_kind);
    over(&mut w.payload, &gw.payload);
    over(&mut w.payload_format, &gw.payload_format);
    over(&mut w.topic_compression, &gw.topic_compression);
    over(&mut w.fill_config, &gw.fill_config);
    w.fast_fill |= gw.fast_fill;
    over(&mut m.preset, &g.preset);
    over(&mut m.consumer_config, &g.consumer_config);
    over(&mut m.producer_config, &g.producer_config);
    over(&mut m.consumers, &g.consumers);
    over(&mut m.network, &g.network);
    over(&mut m.group_type, &g.group_type);
    over(&mut m.share_release_first, &g.share_release_first);
    over(&mut m.processing, &g.processing);
    over(&mut m.mode, &g.mode);
    over(&mut m.rate, &g.rate);
    over(&mut m.duration, &g.duration);
    over(&mut m.warmup_s, &g.warmup_s);
    over(&mut m.repeat, &g.repeat);
    over(&mut m.precision, &g.precision);
    over(&mut m.warmup_runs, &g.warmup_runs);
    over(&mut m.seed, &g.seed);
    over(&mut m.run_timeout, &g.run_timeout);
    by_name(&mut m.params, &g.params);
    by_name(&mut m.properties, &g.properties);
    if !g.clients.is_empty() {
        m.clients.clone_from(&g.clients);
    }
    m.yes |= g.yes;
    m.no_report |= g.no_report;
    m.resume.clone_from(&g.resume);
    m
}

/// `NAME=...` items: a given one replaces the stored one of the same name.
fn by_name(stored: &mut Vec<String>, given: &[String]) {
    let name = |item: &str| {
        item.split_once('=')
            .map_or(item, |(k, _)| k)
            .trim()
            .to_string()
    };
    for item in given {
        let n = name(item);
        match stored.iter_mut().find(|s| name(s) == n) {
            Some(s) => s.clone_from(item),
            None => stored.push(item.clone()),
        }
    }
}

/// The folder's metadata, or a usage error saying it holds no sweep.
pub fn stored_meta(dir: &Path) -> Result<SweepMeta> {
    if !dir.join(crate::export::META_FILE).exists() {
        return Err(crate::error::usage(format!(
            "--resume {}: not a kafkatune sweep folder (no {})",
            dir.display(),
            crate::export::META_FILE
        )));
    }
    Ok(crate::export::load(dir)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> SweepArgs {
        let argv = ["kafkatune", "sweep"].iter().chain(words);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Sweep(a) => *a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_bare_resume_takes_the_stored_command() {
        let stored = "'/opt/kafka tune/kafkatune' sweep --preset seed --repeat 2 -X check.crcs=false --out '/tmp/a b'";
        let m = merge(
            stored_args(stored).unwrap(),
            &args(&["--resume", "/tmp/a b"]),
        );
        assert_eq!(m.repeat, Some(crate::cli::RepeatChoice::Runs(2)));
        assert_eq!(m.properties, ["check.crcs=false"]);
        assert_eq!(m.out, None);
        assert_eq!(m.resume.as_deref(), Some(Path::new("/tmp/a b")));
        assert!(m.preset.is_some());
    }

    #[test]
    fn given_options_replace_stored_ones_by_name() {
        let stored =
            stored_args("kafkatune sweep -X a=1 -X sasl.password=***** --param b=1,2").unwrap();
        let m = merge(
            stored,
            &args(&[
                "-X",
                "sasl.password=real",
                "--param",
                "c=3",
                "--repeat",
                "5",
            ]),
        );
        assert_eq!(m.properties, ["a=1", "sasl.password=real"]);
        assert_eq!(m.params, ["b=1,2", "c=3"]);
        assert_eq!(m.repeat, Some(crate::cli::RepeatChoice::Runs(5)));
    }

    #[test]
    fn an_unreadable_command_is_none() {
        assert!(stored_args("kafkatune sweep --no-such-option").is_none());
        assert!(stored_args("kafkatune 'unbalanced").is_none());
    }
}
