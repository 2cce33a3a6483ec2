use clap::Parser;

use super::*;
use crate::cli::{Cli, Command};

fn args(words: &[&str]) -> SweepArgs {
    let argv = ["kafkatune", "sweep"].iter().chain(words);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Sweep(a) => *a,
        _ => unreachable!(),
    }
}

fn options(words: &[&str]) -> Result<SweepOptions> {
    build(&args(words), words.join(" "))
}

fn refused(words: &[&str]) -> String {
    let err = options(words).unwrap_err();
    let user = err.downcast_ref::<UserError>().expect("a user error");
    assert_eq!(user.exit_code(), 2, "{err}");
    err.to_string()
}

#[test]
fn defaults_come_from_one_place() {
    let o = options(&[]).unwrap();
    assert_eq!(o.workload.messages, defaults::MESSAGES);
    assert_eq!(o.workload.message_size, defaults::MESSAGE_SIZE_BYTES);
    assert_eq!(o.workload.partitions, defaults::PARTITIONS);
    assert_eq!(o.repeat, defaults::REPEAT);
    assert_eq!(
        o.fixed["max.poll.records"],
        defaults::MAX_POLL_RECORDS.to_string()
    );
    assert_eq!(o.mode, Mode::Drain);
    assert_eq!(o.clients, [ClientKind::Librdkafka]);
    assert!(o.out.starts_with(defaults::RESULTS_DIR));
    assert_eq!(
        o.run_timeout_s,
        defaults::RUN_TIMEOUT_BASE_S
            + defaults::MESSAGES as f64 * defaults::RUN_TIMEOUT_S_PER_MESSAGE
    );
}

#[test]
fn the_command_line_overrides_the_preset() {
    let o = options(&[
        "--preset",
        "seed",
        "-X",
        "fetch.min.bytes=1",
        "--repeat",
        "1",
    ])
    .unwrap();
    assert_eq!(o.repeat, 1);
    assert_eq!(
        grid::size(&o.grid),
        9,
        "fetch.min.bytes is fixed, no longer swept"
    );
    assert_eq!(o.fixed["fetch.min.bytes"], "1");
    let live = options(&["--preset", "seed-live", "--rate", "50"]).unwrap();
    let l = live.live.unwrap();
    assert_eq!(
        (l.rate_msgs_per_s, l.duration_s, l.warmup_s),
        (50.0, 10.0, 5.0)
    );
    assert_eq!(live.workload.messages, 750);
}

#[test]
fn live_options_need_live_mode_and_live_mode_needs_them() {
    assert!(refused(&["--rate", "10"]).contains("add --mode live"));
    assert!(refused(&["--mode", "live", "--duration", "1"]).contains("--rate"));
    assert!(refused(&[
        "--mode",
        "live",
        "--rate",
        "1",
        "--duration",
        "1",
        "--messages",
        "5"
    ])
    .contains("drain mode"));
    assert!(
        refused(&["--mode", "live", "--rate", "0", "--duration", "1"]).contains("--rate must be")
    );
}

#[test]
fn a_produce_sweep_takes_a_rate_and_no_duration() {
    let o = options(&["--mode", "produce", "--rate", "20000"]).unwrap();
    assert_eq!(o.send_rate, Some(20000.0));
    assert!(o.live.is_none());
    assert_eq!(options(&["--mode", "produce"]).unwrap().send_rate, None);
    assert!(refused(&["--mode", "produce", "--rate", "0"]).contains("--rate must be"));
    assert!(refused(&["--mode", "produce", "--duration", "3"]).contains("live mode"));
    assert!(refused(&["--rate", "7", "--mode", "drain"])
        .contains("add --mode live, pipeline or produce"));
}

#[test]
fn the_send_time_stamp_must_fit_where_it_is_read() {
    let live = [
        "--mode",
        "live",
        "--rate",
        "10",
        "--duration",
        "1",
        "--message-size",
    ];
    assert!(refused(&[&live[..], &["7"]].concat()).contains("8-byte send time"));
    assert!(options(&[&live[..], &["8"]].concat()).is_ok());
    assert!(
        options(&["--message-size", "7"]).is_ok(),
        "drain reads no stamp"
    );
    assert!(refused(&["--message-size", "0"]).contains("between 1 and"));
}

#[test]
fn a_property_is_swept_or_fixed_once() {
    assert!(
        refused(&["--param", "fetch.min.bytes=1,2", "-X", "fetch.min.bytes=3"])
            .contains("both swept")
    );
    assert!(refused(&[
        "--param",
        "fetch.min.bytes=1",
        "--param",
        "fetch.min.bytes=2"
    ])
    .contains("given twice"));
    assert!(refused(&["--param", "fetch.min.bytes=1,1"]).contains("given twice"));
    assert!(refused(&["-X", "check.crcs=true", "-X", "check.crcs=false"]).contains("given twice"));
    assert!(refused(&["--param", "fetch.min.bytes=1,,2"]).contains("empty"));
    assert!(refused(&["--param", "fetch.min.bytes"]).contains("NAME=V1,V2"));
}

#[test]
fn a_large_sweep_asks_for_yes() {
    let big = ["--preset", "seed", "--client", "all", "--repeat", "5"];
    assert!(refused(&big).contains("--yes"));
    assert!(options(&[&big[..], &["--yes"]].concat()).is_ok());
}

#[test]
fn the_fake_client_and_cluster_go_together() {
    assert!(options(&["--client", "fake", "--fake-cluster", "ok"]).is_ok());
    assert!(refused(&["--client", "fake"]).contains("--fake-cluster"));
    assert!(refused(&["--fake-cluster", "ok"]).contains("--client fake"));
    assert!(refused(&[
        "--fake-cluster",
        "ok",
        "--client",
        "fake",
        "--client",
        "java"
    ])
    .contains("alone"));
}

#[test]
fn running_prepare_is_the_permission_to_write() {
    let cluster = ClusterArgs {
        bootstrap_servers: Some("broker:9092".into()),
        command_config: None,
        allow_write: false,
        fake_cluster: None,
        brokers: None,
        cluster_warmup_s: None,
    };
    let Command::Prepare(prepare) =
        Cli::try_parse_from(["kafkatune", "prepare", "--topic", "orders"])
            .unwrap()
            .command
    else {
        unreachable!()
    };
    let workload = prepare.workload;
    let (c, w) = prepare_options(&cluster, &workload).unwrap();
    assert!(c.allow_write);
    assert_eq!(w.topic, "orders");
    assert!(
        !options(&["--bootstrap-servers", "broker:9092"])
            .unwrap()
            .cluster
            .allow_write
    );
}
