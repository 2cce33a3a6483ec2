//! The progress bar while runs go (hidden when stderr is not a terminal, as in CI).

use indicatif::{ProgressBar, ProgressStyle};

use crate::sweep::grid::Axis;
use crate::sweep::plan::Trial;

pub fn bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} runs (eta {eta}) {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

/// `librdkafka max.poll.records=10 fetch.min.bytes=1024`: the client and the swept values.
pub fn describe(trial: &Trial, axes: &[Axis]) -> String {
    let mut text = trial.client.name().to_string();
    for (name, _) in axes {
        if let Some(v) = trial.params.get(name) {
            text.push_str(&format!(" {name}={v}"));
        }
    }
    text
}
