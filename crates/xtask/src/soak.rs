//! `cargo xtask soak [--seconds S]`: builds the page, then trains the playground in headless
//! Chromium for S seconds (default 120), sampling the WebAssembly memory and the live JavaScript
//! heap every two seconds. It prints the samples and the sizes before and after, and fails if
//! either grows beyond a small bound after warm-up (the test `tests/tests/e2e/soak.rs`, which
//! `cargo xtask test` runs for about 16 seconds).

use crate::setup;
use std::path::Path;

/// Reads `--seconds S` (at least 10, so there is time to warm up).
fn seconds(args: &[String]) -> Result<u64, String> {
    match args {
        [] => Ok(120),
        [flag, n] if flag == "--seconds" => match n.parse::<u64>() {
            Ok(s) if s >= 10 => Ok(s),
            _ => Err(format!(
                "--seconds takes a number of seconds ≥ 10, got \"{n}\""
            )),
        },
        _ => Err("soak takes only --seconds S".to_owned()),
    }
}

/// Builds the page and runs the soak test for the requested time.
pub fn main(root: &Path, args: &[String]) -> Result<bool, String> {
    let seconds = seconds(args)?;
    setup::all(root)?;
    let dist = root.join("target").join("e2e-dist");
    println!("==> release build of the page");
    let built = crate::assemble::release_build(root, &dist)?
        .status()
        .map_err(|e| format!("could not start trunk: {e}"))?;
    if !built.success() {
        return Ok(false);
    }
    println!("==> training the playground for {seconds} s");
    let status = setup::command("cargo", root)
        .args(["test", "-p", "spiega-e2e", "--", "--nocapture", "soak::"])
        .env("SPIEGA_DIST", &dist)
        .env("SPIEGA_SOAK_SECONDS", seconds.to_string())
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    Ok(status.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_duration_and_refuses_bad_ones() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(seconds(&[]), Ok(120));
        assert_eq!(seconds(&args(&["--seconds", "30"])), Ok(30));
        assert!(seconds(&args(&["--seconds", "3"])).is_err());
        assert!(seconds(&args(&["--seconds", "x"])).is_err());
        assert!(seconds(&args(&["--minutes", "2"])).is_err());
    }
}
