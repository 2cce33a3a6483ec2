//! The progress bar while runs go (hidden when stderr is not a terminal, as in CI).

use indicatif::{ProgressBar, ProgressStyle};

use crate::clients::ClientKind;
use crate::grid::SweptProperty;
use crate::results::Params;

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
pub fn describe(client: ClientKind, params: &Params, grid: &[SweptProperty]) -> String {
    let mut text = client.name().to_string();
    for (name, _) in grid {
        if let Some(v) = params.get(name) {
            text.push_str(&format!(" {name}={v}"));
        }
    }
    text
}
