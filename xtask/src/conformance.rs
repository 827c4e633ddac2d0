//! `cargo xtask conformance`: protobuf's own conformance runner (v21.12, kept read-only in
//! `../shared/third_party/protobuf-conformance-v21.12/`) drives `wirelens-conformance`, a testee
//! over wirelens-core's public API, through the binary/JSON suite and the text-format suite with
//! `--enforce_recommended`. The runner is built once by the directory's `build.sh` (g++, Debian's
//! libprotobuf-dev and libjsoncpp-dev; about 3 minutes) into `target/conformance/runner-<crc>`,
//! keyed on a CRC-32 of its sources, so a rerun skips it. Passes only when both suites pass with
//! nothing expected to fail, nothing skipped, and no annotator/decoder disagreement.
//! Knows how to build and read the runner; what the testee does is the testee's.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

use crate::{bench_server, util};

/// The suites v21.12's runner runs, in order (it stops after the first that fails).
const SUITES: [&str; 2] = ["binary and JSON", "text format"];

pub fn run() -> Result<()> {
    let sources = sources_dir();
    ensure!(
        sources.join("build.sh").is_file(),
        "the conformance suite is not at {} (protobuf v21.12's conformance directory, with build.sh)",
        sources.display()
    );
    let runner = build_runner(&sources)?;
    let built = bench_server::build_with(bench_server::profile_args("dev", &["-p", "wirelens-conformance"]))?;
    let testee =
        built.iter().find(|p| p.ends_with("wirelens-conformance")).context("no wirelens-conformance binary")?;

    let out = util::fresh_temp_dir("conformance")?;
    let (out_arg, testee_arg, sources_arg) = (path_arg(&out), path_arg(testee), path_arg(&sources));
    let mut command =
        util::cmd(&path_arg(&runner), &["--enforce_recommended", "--output_dir", &out_arg, &testee_arg, &sources_arg]);
    // It writes failing_tests.txt and the like into its working directory.
    command.current_dir(&out);
    println!("$ {}", util::display(&command));
    let output = command.output().context("could not start the conformance runner")?;
    // The runner reports on stderr, and the testee (whose stdout is the runner's pipe) too.
    let text = format!("{}{}", String::from_utf8_lossy(&output.stderr), String::from_utf8_lossy(&output.stdout));
    print!("{text}");
    let _ = std::fs::remove_dir_all(&out);
    let verdict = verdict(&text);
    match (&verdict, output.status.success()) {
        (Ok(lines), true) => {
            println!("{}", lines.join("\n"));
            Ok(())
        }
        (Ok(_), false) => bail!("the conformance runner failed ({})", output.status),
        (Err(why), _) => bail!("{why}"),
    }
}

/// `../shared/third_party/protobuf-conformance-v21.12`, beside the repository.
fn sources_dir() -> PathBuf {
    util::root().join("../shared/third_party/protobuf-conformance-v21.12")
}

fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Builds the runner unless the build for these sources is already there.
fn build_runner(sources: &Path) -> Result<PathBuf> {
    let dir = util::root().join("target/conformance").join(format!("runner-{:08x}", sources_crc(sources)?));
    let runner = dir.join("conformance_test_runner");
    if runner.is_file() {
        println!("conformance runner: {} (built before from these sources)", runner.display());
        return Ok(runner);
    }
    println!("conformance runner: building with g++ into {} (about 3 minutes)", dir.display());
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    // Through bash: the read-only sources may sit on a filesystem mounted without exec.
    util::run(&mut util::cmd("bash", &[&path_arg(&sources.join("build.sh")), &path_arg(&partial)])).context(
        "building the conformance runner failed (`cargo xtask setup` installs g++, libprotobuf-dev and libjsoncpp-dev)",
    )?;
    // Only a complete build takes the name that marks it done.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&partial, &dir).with_context(|| format!("could not move the runner into {}", dir.display()))?;
    Ok(runner)
}

/// A CRC-32 of every file under `dir` (names and contents, in name order): the runner's cache key.
fn sources_crc(dir: &Path) -> Result<u32> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).with_context(|| format!("could not list {}", next.display()))? {
            let path = entry?.path();
            if path.is_dir() { pending.push(path) } else { files.push(path) }
        }
    }
    files.sort();
    let mut crc = flate2::Crc::new();
    for file in files {
        crc.update(file.strip_prefix(dir).unwrap_or(&file).to_string_lossy().as_bytes());
        crc.update(&std::fs::read(&file).with_context(|| format!("could not read {}", file.display()))?);
    }
    Ok(crc.sum())
}

/// One `CONFORMANCE SUITE ...` line of the runner.
#[derive(Debug, PartialEq, Eq)]
struct Suite {
    passed: bool,
    successes: u32,
    skipped: u32,
    expected_failures: u32,
    unexpected_failures: u32,
}

/// Reads `CONFORMANCE SUITE PASSED: 2017 successes, 0 skipped, 0 expected failures, 0 unexpected failures.`
fn parse_suite(line: &str) -> Option<Suite> {
    let rest = line.trim().strip_prefix("CONFORMANCE SUITE ")?;
    let (status, counts) = rest.split_once(": ")?;
    let numbers: Vec<u32> =
        counts.split(", ").map(|part| part.split(' ').next()?.parse().ok()).collect::<Option<_>>()?;
    let [successes, skipped, expected_failures, unexpected_failures] = numbers[..] else { return None };
    Some(Suite { passed: status == "PASSED", successes, skipped, expected_failures, unexpected_failures })
}

/// The testee's last line: `... N annotator/decoder disagreements`, one per suite.
fn disagreements(output: &str) -> Vec<u32> {
    output
        .lines()
        .filter_map(|line| {
            line.strip_prefix("wirelens-conformance: ")?.strip_suffix(" annotator/decoder disagreements")
        })
        .filter_map(|rest| rest.rsplit(", ").next()?.parse().ok())
        .collect()
}

/// From the runner's and the testee's output: both suites passed with nothing listed, skipped or
/// in dispute, one summary line per suite; otherwise what fell short.
fn verdict(output: &str) -> Result<Vec<String>, String> {
    let suites: Vec<Suite> = output.lines().filter_map(parse_suite).collect();
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (i, name) in SUITES.iter().enumerate() {
        let Some(suite) = suites.get(i) else {
            problems.push(format!("the {name} suite did not run (the runner stops after a failing suite)"));
            continue;
        };
        let line = format!(
            "conformance, {name}: {} passed, {} skipped, {} expected failures, {} unexpected failures",
            suite.successes, suite.skipped, suite.expected_failures, suite.unexpected_failures
        );
        if !suite.passed || suite.skipped > 0 || suite.expected_failures > 0 || suite.unexpected_failures > 0 {
            problems.push(line);
        } else {
            lines.push(line);
        }
    }
    let disputed: u32 = disagreements(output).iter().sum();
    if disputed > 0 {
        problems.push(format!("the annotator and the decoder disagreed on {disputed} binary inputs"));
    }
    if problems.is_empty() { Ok(lines) } else { Err(problems.join("\n")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSED: &str = "\nCONFORMANCE TEST BEGIN ====================================\n\n\
        CONFORMANCE SUITE PASSED: 2017 successes, 0 skipped, 0 expected failures, 0 unexpected failures.\n\n\n\
        CONFORMANCE TEST BEGIN ====================================\n\n\
        CONFORMANCE SUITE PASSED: 120 successes, 0 skipped, 0 expected failures, 0 unexpected failures.\n\n";
    const TESTEE: &str = "wirelens-conformance: 120 requests, 8 binary inputs annotated, 0 annotator/decoder disagreements\n\
        wirelens-conformance: 2018 requests, 1613 binary inputs annotated, 0 annotator/decoder disagreements\n";

    #[test]
    fn both_suites_passing_cleanly_pass() {
        assert_eq!(
            verdict(&format!("{PASSED}{TESTEE}")).unwrap(),
            [
                "conformance, binary and JSON: 2017 passed, 0 skipped, 0 expected failures, 0 unexpected failures",
                "conformance, text format: 120 passed, 0 skipped, 0 expected failures, 0 unexpected failures"
            ]
        );
    }

    #[test]
    fn a_failure_a_skip_or_a_missing_suite_fails() {
        let failed = "CONFORMANCE SUITE FAILED: 2007 successes, 6 skipped, 0 expected failures, 4 unexpected failures.";
        assert_eq!(
            verdict(failed).unwrap_err(),
            "conformance, binary and JSON: 2007 passed, 6 skipped, 0 expected failures, 4 unexpected failures\n\
             the text format suite did not run (the runner stops after a failing suite)"
        );
        let skipped = PASSED.replacen("0 skipped", "6 skipped", 1);
        assert!(verdict(&format!("{skipped}{TESTEE}")).unwrap_err().contains("6 skipped"));
        let listed = PASSED.replacen("0 expected failures", "4 expected failures", 1);
        assert!(verdict(&format!("{listed}{TESTEE}")).is_err());
    }

    #[test]
    fn a_disagreement_fails_even_if_the_runner_passed() {
        let disputed = TESTEE.replacen("0 annotator", "2 annotator", 1);
        assert_eq!(
            verdict(&format!("{PASSED}{disputed}")).unwrap_err(),
            "the annotator and the decoder disagreed on 2 binary inputs"
        );
    }

    #[test]
    fn garbled_summary_lines_are_not_read() {
        assert_eq!(parse_suite("CONFORMANCE SUITE PASSED: 12 successes"), None);
        assert_eq!(
            parse_suite("CONFORMANCE SUITE PASSED: x successes, 0 skipped, 0 expected failures, 0 unexpected."),
            None
        );
    }
}
