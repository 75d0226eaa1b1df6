//! `cargo xtask fuzz [--cases N] [--seconds S]`: the property tests named `fuzz_` (the engine's
//! public API and CSV importer, the page's URL-hash state), run in release mode with many more
//! cases than `cargo test` gives them.
//!
//! Each round runs every such test with `PROPTEST_CASES=N` (default 10 000) and a fresh random seed;
//! with `--seconds S`, rounds repeat until S seconds have passed. The total number of cases run is
//! printed at the end. A failing case is printed by the property test with its smallest input.

use crate::setup;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

/// The test targets holding `fuzz_` properties: package and test file.
const TARGETS: [(&str, &str); 2] = [("spiega-lessons", "fuzz"), ("spiega-web", "state_fuzz")];

/// The options of one run.
#[derive(Debug, PartialEq)]
struct Options {
    cases: u64,
    seconds: u64,
}

/// Reads `--cases N` and `--seconds S`.
fn options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        cases: 10_000,
        seconds: 0,
    };
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} takes a number"))?;
        let number: u64 = value
            .parse()
            .map_err(|_| format!("{flag} takes a number, got \"{value}\""))?;
        match flag.as_str() {
            "--cases" if number > 0 => options.cases = number,
            "--seconds" => options.seconds = number,
            _ => {
                return Err(format!(
                    "fuzz takes --cases N (N > 0) and --seconds S, got {flag}"
                ));
            }
        }
    }
    Ok(options)
}

/// The number of tests cargo's summary line reports as passed.
fn passed(line: &str) -> Option<u64> {
    let rest = line.strip_prefix("test result: ")?;
    let i = rest.find(" passed;")?;
    rest[..i].split_whitespace().last()?.parse().ok()
}

/// Runs the fuzz rounds and prints the total case count; returns whether every case passed.
pub fn main(root: &Path, args: &[String]) -> Result<bool, String> {
    let options = options(args)?;
    let started = Instant::now();
    let mut total_cases: u64 = 0;
    let mut rounds = 0;
    loop {
        rounds += 1;
        for (package, test) in TARGETS {
            println!(
                "==> round {rounds}: {package} --test {test}, {} cases per property",
                options.cases
            );
            let mut child = setup::command("cargo", root)
                .args([
                    "test",
                    "--release",
                    "-p",
                    package,
                    "--test",
                    test,
                    "--",
                    "fuzz_",
                ])
                .env("PROPTEST_CASES", options.cases.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("could not start cargo: {e}"))?;
            let mut properties = 0;
            if let Some(out) = child.stdout.take() {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    println!("{line}");
                    properties += passed(&line).unwrap_or(0);
                }
            }
            total_cases += properties * options.cases;
            let ok = child.wait().map(|s| s.success()).unwrap_or(false);
            if !ok {
                println!("fuzz: FAILED after {total_cases} passing cases");
                return Ok(false);
            }
        }
        if started.elapsed().as_secs() >= options.seconds {
            break;
        }
    }
    println!(
        "fuzz: {total_cases} cases passed in {rounds} round(s), {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reads_the_options_and_refuses_bad_ones() {
        assert_eq!(
            options(&strings(&["--cases", "50", "--seconds", "3"])),
            Ok(Options {
                cases: 50,
                seconds: 3
            })
        );
        assert_eq!(options(&[]).map(|o| o.cases), Ok(10_000));
        assert!(options(&strings(&["--cases", "0"])).is_err());
        assert!(options(&strings(&["--cases"])).is_err());
        assert!(options(&strings(&["--runs", "2"])).is_err());
        assert!(options(&strings(&["--seconds", "x"])).is_err());
    }

    #[test]
    fn counts_passed_tests_from_cargo_summary() {
        assert_eq!(
            passed("test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured"),
            Some(7)
        );
        assert_eq!(passed("test fuzz_losses ... ok"), None);
    }
}
