//! Command lines shown to users: recorded with the results (secrets masked) and printed as
//! the command that resumes a sweep. Quoted and split with `shell-words`, so a path with a
//! space or a quote survives being pasted back into a shell.

use std::path::Path;

use crate::clients::properties;

/// The command line with the values of secret properties masked, quoted for a POSIX shell.
pub fn mask_command_line(argv: &[String]) -> String {
    let masked: Vec<String> = argv
        .iter()
        .map(|arg| match arg.split_once('=') {
            Some((k, v)) if properties::is_secret(k) => format!("{k}={}", properties::mask(k, v)),
            _ => arg.clone(),
        })
        .collect();
    shell_words::join(masked)
}

/// The words of a recorded command line; `None` if it cannot be split (unbalanced quotes).
pub fn split(command: &str) -> Option<Vec<String>> {
    shell_words::split(command).ok()
}

/// The command that resumes the sweep in `dir`: the program of the recorded command line,
/// `sweep --resume DIR` (the folder holds the rest of the configuration).
pub fn resume_command(recorded: &str, dir: &Path) -> String {
    let words = split(recorded).unwrap_or_default();
    let program = words.first().cloned().unwrap_or_else(|| "kafkatune".into());
    // A search (`kafkatune tune`, `kafkatune capacity`) resumes as one.
    let command = words
        .iter()
        .find(|w| *w == "sweep" || *w == "tune" || *w == "capacity")
        .cloned()
        .unwrap_or_else(|| "sweep".into());
    shell_words::join([
        program,
        command,
        "--resume".into(),
        dir.display().to_string(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn secrets_are_masked_and_odd_words_quoted() {
        let line = mask_command_line(&words(&[
            "kafkatune",
            "sweep",
            "-X",
            "sasl.password=hunter2",
            "--out",
            "/tmp/it's here",
        ]));
        assert!(!line.contains("hunter2"), "{line}");
        assert_eq!(
            split(&line).unwrap(),
            words(&[
                "kafkatune",
                "sweep",
                "-X",
                "sasl.password=*****",
                "--out",
                "/tmp/it's here"
            ])
        );
    }

    #[test]
    fn the_resume_command_survives_spaces_and_quotes() {
        let cmd = resume_command(
            "'/opt/my tools/kafkatune' sweep --preset seed",
            Path::new("/tmp/a b/it's"),
        );
        assert_eq!(
            split(&cmd).unwrap(),
            words(&[
                "/opt/my tools/kafkatune",
                "sweep",
                "--resume",
                "/tmp/a b/it's"
            ])
        );
        let capacity = resume_command("kafkatune capacity --slo 'p99<20ms'", Path::new("/tmp/c"));
        assert_eq!(capacity, "kafkatune capacity --resume /tmp/c");
    }
}
