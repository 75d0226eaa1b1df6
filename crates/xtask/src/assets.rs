//! The page's data files: after each build, each is written beside the page under a name that
//! carries its content hash, and the page's `<meta>` for it is pointed at that name.
//!
//! The figures download these files when they mount (`crates/web/src/assets.rs`), so they are
//! not compiled into the WebAssembly. A hash in the name lets a host cache the file forever, and
//! the offline copy ([`crate::offline`]) lists it with the other hashed files.

use sha2::{Digest, Sha256};
use std::path::Path;

/// One data file: the `<meta>` name the page reads, the file's stem and extension, its bytes.
struct Asset {
    meta: &'static str,
    stem: &'static str,
    extension: &'static str,
    bytes: &'static [u8],
}

/// The page's data files.
const ASSETS: [Asset; 1] = [Asset {
    meta: "spiega-digits",
    stem: "digits",
    extension: "bin",
    bytes: spiega_nn::data::digits::DIGITS_FILE,
}];

/// `stem-<content_hash(bytes)>.extension`, as Trunk names hashed files.
pub(crate) fn hashed_name(stem: &str, extension: &str, bytes: &[u8]) -> String {
    format!("{stem}-{}.{extension}", content_hash(bytes))
}

/// 16 hex digits of the SHA-256 of `bytes`: the part of a file's name that changes whenever
/// its content does.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `html` with the `<meta name="{meta}" content="…">` tag's content set to `./{file}`; an error
/// unless the page holds that tag exactly once.
fn point_meta(html: &str, meta: &str, file: &str) -> Result<String, String> {
    let open = format!("<meta name=\"{meta}\" content=\"");
    let mut found = html.match_indices(&open);
    let (Some((at, _)), None) = (found.next(), found.next()) else {
        return Err(format!(
            "the page must hold `{open}…\">` once, for the build to name its file"
        ));
    };
    let start = at + open.len();
    let end = html[start..]
        .find('"')
        .map(|i| start + i)
        .ok_or_else(|| format!("an unclosed `{open}`"))?;
    Ok(format!("{}./{file}{}", &html[..start], &html[end..]))
}

/// Writes every data file into `staging` under its hashed name and returns `html` with each
/// `<meta>` pointing at it.
pub fn write_assets(staging: &Path, html: &str) -> Result<String, String> {
    let mut html = html.to_owned();
    for asset in &ASSETS {
        let name = hashed_name(asset.stem, asset.extension, asset.bytes);
        let path = staging.join(&name);
        std::fs::write(&path, asset.bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        html = point_meta(&html, asset.meta, &name)?;
        println!("wrote {name} ({} bytes)", asset.bytes.len());
    }
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_carries_the_content_hash_as_trunk_writes_it() {
        // SHA-256 of "abc" starts ba7816bf8f01cfea.
        assert_eq!(
            hashed_name("digits", "bin", b"abc"),
            "digits-ba7816bf8f01cfea.bin"
        );
        assert_ne!(
            hashed_name("digits", "bin", b"abc"),
            hashed_name("digits", "bin", b"abd")
        );
    }

    #[test]
    fn the_meta_points_at_the_file_and_nothing_else_changes() {
        let html = "<head><meta name=\"spiega-digits\" content=\"digits.bin\"><meta name=\"x\" content=\"y\"></head>";
        assert_eq!(
            point_meta(html, "spiega-digits", "digits-00.bin").unwrap(),
            "<head><meta name=\"spiega-digits\" content=\"./digits-00.bin\"><meta name=\"x\" content=\"y\"></head>"
        );
    }

    #[test]
    fn a_page_without_the_meta_or_with_two_fails_the_build() {
        assert!(point_meta("<head></head>", "spiega-digits", "d.bin").is_err());
        let twice = "<meta name=\"spiega-digits\" content=\"a\"><meta name=\"spiega-digits\" content=\"b\">";
        assert!(point_meta(twice, "spiega-digits", "d.bin").is_err());
        assert!(
            point_meta(
                "<meta name=\"spiega-digits\" content=\"a",
                "spiega-digits",
                "d.bin"
            )
            .is_err()
        );
    }
}
