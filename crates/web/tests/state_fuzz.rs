//! Property tests of the URL-hash state: any text gives a state and notices, never a panic, and a
//! state written to a hash reads back to itself without a notice.
//!
//! Every test's name starts with `fuzz_`. `cargo test` runs a few dozen cases of each; `cargo
//! xtask fuzz` runs the same tests in release mode with `PROPTEST_CASES` set much higher. They run
//! on the host only (the parser has no browser dependency).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::Config;
use spiega_web::state::playground::FIELDS;
use spiega_web::state::{HashParams, Kind, PlaygroundState, percent_decode, percent_encode};

/// The quick case count for `cargo test`, unless `PROPTEST_CASES` asks for another.
fn cases(quick: u32) -> Config {
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = quick;
    }
    config
}

/// A value for a field of `kind`: usually one it accepts, sometimes one just outside or garbage.
fn value_for(kind: &Kind<PlaygroundState>) -> BoxedStrategy<String> {
    let garbage = prop_oneof![
        Just(String::new()),
        Just("abc".to_owned()),
        Just("NaN".to_owned()),
        Just("-inf".to_owned()),
        Just("1e999".to_owned()),
        Just("99,x".to_owned()),
        "[ -~]{0,8}",
        ".{0,6}",
    ];
    let valid: BoxedStrategy<String> = match kind {
        Kind::Choice(names) => proptest::sample::select(names.to_vec())
            .prop_map(str::to_owned)
            .boxed(),
        Kind::Number { min, max } => {
            let (min, max) = (*min, *max);
            (min - 1.0..max + 1.0).prop_map(|v| v.to_string()).boxed()
        }
        Kind::Integer { min, max } => {
            let (min, max) = (*min, *max);
            (min - 2..=max + 2).prop_map(|v| v.to_string()).boxed()
        }
        Kind::Bool => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        Kind::IntList { max_len, min, max } => {
            proptest::collection::vec(*min - 1..=*max + 1, 0..=*max_len + 1)
                .prop_map(|v| v.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
                .boxed()
        }
        Kind::Seed => prop_oneof![any::<u32>().prop_map(|n| n.to_string()), "[a-z]{0,6}"].boxed(),
        Kind::Points { limit, .. } => {
            let limit = *limit;
            proptest::collection::vec(
                (
                    -limit - 1.0..limit + 1.0,
                    -limit - 1.0..limit + 1.0,
                    -2i64..6,
                ),
                0..8,
            )
            .prop_map(|points| {
                points
                    .iter()
                    .map(|(x, y, l)| format!("{x:.2}:{y:.2}:{l}"))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .boxed()
        }
    };
    prop_oneof![4 => valid, 1 => garbage].boxed()
}

/// A hash made of the playground's keys (some repeated, some unknown) with values for them.
fn hash_like() -> BoxedStrategy<String> {
    let pairs: Vec<BoxedStrategy<Option<String>>> = FIELDS
        .iter()
        .map(|field| {
            let key = field.key;
            proptest::option::of(
                value_for(&field.kind).prop_map(move |v| format!("{key}={}", percent_encode(&v))),
            )
            .boxed()
        })
        .collect();
    (
        pairs,
        proptest::collection::vec("[a-zA-Z.=&%]{0,6}", 0..3),
        any::<bool>(),
    )
        .prop_map(|(pairs, extra, raw)| {
            let mut parts: Vec<String> = pairs.into_iter().flatten().collect();
            parts.extend(extra);
            let body = parts.join("&");
            if raw { body } else { format!("#{body}") }
        })
        .boxed()
}

/// Parses, writes and parses again: the second read gives the same state and no notice.
fn round_trip(hash: &str) -> Result<(), TestCaseError> {
    let (state, _notices) = PlaygroundState::parse(hash);
    let written = state.to_hash(&HashParams::new());
    let (again, notices) = PlaygroundState::parse(&written);
    prop_assert_eq!(&again, &state, "{} was written as {}", hash, written);
    prop_assert!(notices.is_empty(), "{written} gave notices {notices:?}");
    Ok(())
}

proptest! {
    #![proptest_config(cases(128))]

    /// Any text at all is a state and some notices.
    #[test]
    fn fuzz_state_any_text(text in ".{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        for hash in [text, String::from_utf8_lossy(&bytes).into_owned()] {
            let (state, notices) = PlaygroundState::parse(&hash);
            for notice in &notices {
                prop_assert!(!notice.to_string().is_empty());
            }
            prop_assert!(state.network_shape.len() <= 8);
            round_trip(&hash)?;
        }
    }

    /// Hashes of the playground's keys with valid, out-of-range and garbage values.
    #[test]
    fn fuzz_state_known_keys(hash in hash_like()) {
        let (state, notices) = PlaygroundState::parse(&hash);
        prop_assert!(state.network_shape.iter().all(|&n| (1..=32).contains(&n)), "{hash}: {notices:?}");
        prop_assert!(state.learning_rate.is_finite() && state.learning_rate > 0.0);
        prop_assert!(state.batch_size >= 1);
        prop_assert!(state.perc_train + state.perc_val <= 95);
        round_trip(&hash)?;
    }

    /// The pairs' encoding: decoding what was encoded gives the text back, and any text decodes.
    #[test]
    fn fuzz_state_percent_coding(text in ".{0,40}", raw in "[%0-9a-fA-F+&=#]{0,20}") {
        prop_assert_eq!(percent_decode(&percent_encode(&text)), text.clone());
        let _ = percent_decode(&raw);
        let params = HashParams::parse(&raw);
        let _ = HashParams::parse(&params.encode());
    }
}
