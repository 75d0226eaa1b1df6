//! Build-time typesetting: LaTeX in `<span class="tex">…</span>` (inline) and
//! `<div class="tex-block">…</div>` (display) becomes MathML Core, which every current browser
//! renders without scripts or fonts from the network.
//!
//! Trunk runs this after each build on the staged `index.html` (`TRUNK_STAGING_DIR`). A formula
//! that does not parse fails the build with the formula named, so a typo never reaches a reader.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};
use std::path::PathBuf;

/// Renders one LaTeX formula to MathML.
pub fn to_mathml(latex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let parser = Parser::new(latex, &storage);
    let mut out = String::new();
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    push_mathml(&mut out, parser, config).map_err(|e| format!("{latex}: {e}"))?;
    if out.contains("<merror") {
        return Err(format!("the formula does not parse: {latex}"));
    }
    Ok(out)
}

/// Decodes the few HTML entities a formula in the page may use.
fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Replaces every formula in `html`; returns the new text and how many were typeset.
pub fn typeset_html(html: &str) -> Result<(String, usize), String> {
    let mut out = String::with_capacity(html.len() * 2);
    let mut rest = html;
    let mut count = 0;
    let opens = [
        ("<span class=\"tex\">", "</span>", false),
        ("<div class=\"tex-block\">", "</div>", true),
    ];
    loop {
        let next = opens
            .iter()
            .filter_map(|&(open, close, display)| {
                rest.find(open).map(|i| (i, open, close, display))
            })
            .min_by_key(|&(i, ..)| i);
        let Some((i, open, close, display)) = next else {
            out.push_str(rest);
            break;
        };
        let body_start = i + open.len();
        let end = rest[body_start..]
            .find(close)
            .ok_or_else(|| format!("unclosed {open} at byte {i}"))?
            + body_start;
        let latex = decode(rest[body_start..end].trim());
        out.push_str(&rest[..body_start]);
        out.push_str(&to_mathml(&latex, display)?);
        out.push_str(close);
        rest = &rest[end + close.len()..];
        count += 1;
    }
    Ok((out, count))
}

/// Trunk's staged `index.html`.
fn staged_page() -> Result<PathBuf, String> {
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .ok_or("name the HTML files, or run it from Trunk (TRUNK_STAGING_DIR)")?;
    Ok(PathBuf::from(staging).join("index.html"))
}

/// Trunk's post-build step on the staged page: splits a release build's WebAssembly in two (see
/// [`crate::split`]), typesets its formulas, writes the data files
/// beside it under hashed names (see [`crate::assets`]), then writes its
/// Content-Security-Policy (which must see the final inline script and formula styles), then
/// fills in the offline copy's list of files (see [`crate::offline`]).
pub fn post_build() -> Result<(), String> {
    let file = staged_page()?;
    let staging = file
        .parent()
        .ok_or_else(|| format!("{} has no folder", file.display()))?;
    // First, so the page read below carries the integrity hashes of the split files.
    crate::split::split_page(&crate::root(), staging)?;
    let html = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let (typeset, n) = typeset_html(&html).map_err(|e| format!("{}: {e}", file.display()))?;
    let typeset = crate::assets::write_assets(staging, &typeset)?;
    let secured =
        crate::csp::secure_html(&typeset).map_err(|e| format!("{}: {e}", file.display()))?;
    std::fs::write(&file, secured).map_err(|e| format!("{}: {e}", file.display()))?;
    // Last, so the offline copy's version covers the final page and the data files.
    crate::offline::write_worker(staging)?;
    println!(
        "typeset {n} formulas and wrote the Content-Security-Policy in {}",
        file.display()
    );
    Ok(())
}

/// Typesets the named files, or Trunk's staged `index.html`.
pub fn main(args: &[String]) -> Result<(), String> {
    let files: Vec<PathBuf> = if args.is_empty() {
        vec![staged_page()?]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    for f in files {
        let html = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let (typeset, n) = typeset_html(&html).map_err(|e| format!("{}: {e}", f.display()))?;
        std::fs::write(&f, typeset).map_err(|e| format!("{}: {e}", f.display()))?;
        println!("typeset {n} formulas in {}", f.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_display_formulas_become_mathml() {
        let (html, n) = typeset_html(
            "<p><span class=\"tex\">a &lt; b</span> and <div class=\"tex-block\">\\frac{1}{2}</div></p>",
        )
        .unwrap();
        assert_eq!(n, 2);
        assert!(html.contains("<math"), "{html}");
        assert!(html.contains("display=\"block\""), "{html}");
        assert!(html.contains("&lt;") || html.contains("<mo>&lt;</mo>") || html.contains("<"));
        assert!(!html.contains("\\frac"));
    }

    #[test]
    fn a_broken_formula_is_an_error_naming_it() {
        let err = typeset_html("<span class=\"tex\">\\frac{1</span>").unwrap_err();
        assert!(err.contains("\\frac{1"), "{err}");
    }

    #[test]
    fn an_unclosed_tag_is_an_error() {
        assert!(typeset_html("<span class=\"tex\">x").is_err());
    }
}
