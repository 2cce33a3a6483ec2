use clap::Parser;

use kafkatune::cli::Cli;
use kafkatune::{commands, error};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own errors (unknown option, missing value) are usage errors: exit 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let argv: Vec<String> = std::env::args().collect();
    if let Err(e) = commands::run(cli.command, &argv) {
        std::process::exit(error::report(&e));
    }
}
