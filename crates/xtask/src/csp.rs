//! The page's Content-Security-Policy, written into the built `index.html` after each build.
//!
//! The page is static, so the policy travels in a `<meta http-equiv="Content-Security-Policy">`.
//! It allows only the page's own origin, and no inline code wholesale:
//! - Trunk starts the WebAssembly module from a small inline `<script type="module">`; its exact
//!   text is allowed by its SHA-256 hash, computed here from the built page.
//! - `'wasm-unsafe-eval'` lets the browser compile the module (and nothing else: no `eval`).
//! - Typeset formulas may carry inline `style` attributes (e.g. a negative thin space). Those are
//!   moved into classes with one hashed `<style>` element, so `style-src` needs no
//!   `'unsafe-inline'`. Any other inline style attribute in the page fails the build.
//!
//! Styles the WebAssembly module sets through the CSSOM (`element.style()`) are not inline
//! markup and are not restricted by `style-src`.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The policy's fixed part; script and style hashes are appended to their directives.
const POLICY: [(&str, &str); 12] = [
    ("default-src", "'self'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self'"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    // The offline copy's service worker and the manifest that makes the page installable.
    ("worker-src", "'self'"),
    ("manifest-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("form-action", "'none'"),
    ("frame-src", "'none'"),
];

/// The attribute that marks the policy's `<meta>` element.
const META_MARK: &str = "http-equiv=\"Content-Security-Policy\"";

/// The base64 SHA-256 of `text`, as a CSP source expression.
fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The bodies of every `<script>` element without a `src` attribute.
fn inline_scripts(html: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<script") {
        let tag_end = rest[i..].find('>').ok_or("an unclosed <script> tag")? + i;
        let tag = &rest[i..tag_end];
        let body_end = rest[tag_end..]
            .find("</script>")
            .ok_or("a <script> without </script>")?
            + tag_end;
        if !tag.contains(" src=") {
            out.push(&rest[tag_end + 1..body_end]);
        }
        rest = &rest[body_end + "</script>".len()..];
    }
    Ok(out)
}

/// Moves the inline `style` attributes of MathML elements into classes; returns the new page and
/// the CSS rules for those classes. Fails on an inline style outside a formula.
fn styles_to_classes(html: &str) -> Result<(String, String), String> {
    let mut out = String::with_capacity(html.len());
    let mut styles: Vec<String> = Vec::new();
    let mut rest = html;
    let mut in_math = false;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('>').ok_or("an unclosed tag")? + i + 1;
        let tag = &rest[i..end];
        rest = &rest[end..];
        if tag.starts_with("<math") {
            in_math = true;
        } else if tag.starts_with("</math") {
            in_math = false;
        }
        let Some(s) = tag.find(" style=\"") else {
            out.push_str(tag);
            continue;
        };
        let value_start = s + " style=\"".len();
        let value_end = tag[value_start..]
            .find('"')
            .ok_or("an unclosed style attribute")?
            + value_start;
        let value = &tag[value_start..value_end];
        if !in_math {
            return Err(format!(
                "an inline style attribute outside a formula is not allowed by the page's \
                 Content-Security-Policy; move it to style.css: {tag}"
            ));
        }
        let index = match styles.iter().position(|v| v == value) {
            Some(k) => k,
            None => {
                styles.push(value.to_owned());
                styles.len() - 1
            }
        };
        let class = format!("tex-style-{index}");
        let without = format!("{}{}", &tag[..s], &tag[value_end + 1..]);
        let with_class = match without.find(" class=\"") {
            Some(c) => {
                let at = c + " class=\"".len();
                format!("{}{class} {}", &without[..at], &without[at..])
            }
            None => {
                let name_end = without
                    .find(|ch: char| ch.is_whitespace() || ch == '/' || ch == '>')
                    .unwrap_or(without.len());
                format!(
                    "{} class=\"{class}\"{}",
                    &without[..name_end],
                    &without[name_end..]
                )
            }
        };
        out.push_str(&with_class);
    }
    out.push_str(rest);
    let css = styles
        .iter()
        .enumerate()
        .map(|(k, v)| format!(".tex-style-{k} {{ {v} }}"))
        .collect::<Vec<_>>()
        .join(" ");
    Ok((out, css))
}

/// Writes the policy into a built page: formula styles become hashed classes, inline scripts
/// are hashed, and the `<meta>` goes right after `<meta charset>` so it governs everything after.
pub fn secure_html(html: &str) -> Result<String, String> {
    if html.contains(META_MARK) {
        return Err("the page already has a Content-Security-Policy".into());
    }
    let (mut html, css) = styles_to_classes(html)?;
    let mut style_hashes = String::new();
    if !css.is_empty() {
        let head_end = html.find("</head>").ok_or("the page has no </head>")?;
        html.insert_str(head_end, &format!("<style>{css}</style>\n"));
        style_hashes = format!(" {}", hash_source(&css));
    }
    let script_hashes: String = inline_scripts(&html)?
        .iter()
        .map(|s| format!(" {}", hash_source(s)))
        .collect();
    let policy = POLICY
        .iter()
        .map(|&(directive, sources)| match directive {
            "script-src" => format!("{directive} {sources}{script_hashes}"),
            "style-src" => format!("{directive} {sources}{style_hashes}"),
            _ => format!("{directive} {sources}"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let charset = "<meta charset=\"utf-8\">";
    let at = html
        .find(charset)
        .ok_or("the page has no <meta charset=\"utf-8\">")?
        + charset.len();
    html.insert_str(at, &format!("\n  <meta {META_MARK} content=\"{policy}\">"));
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><script src=\"a.js\"></script>\
        <script type=\"module\">start();</script></head><body><p><math><mspace style=\"margin-left: -1em\" />\
        <mi class=\"x\" style=\"color: red\">a</mi><mspace style=\"margin-left: -1em\"/></math></p></body></html>";

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = secure_html(PAGE).unwrap();
        // The SHA-256 of "start();", base64.
        let expected = hash_source("start();");
        assert!(html.contains(&expected), "{html}");
        assert_eq!(
            html.matches("'sha256-").count(),
            2,
            "one script, one style: {html}"
        );
        assert!(html.contains("'wasm-unsafe-eval'"));
        assert!(html.contains("object-src 'none'") && html.contains("base-uri 'none'"));
        assert!(html.contains("worker-src 'self'") && html.contains("manifest-src 'self'"));
        assert!(!html.contains("unsafe-inline"));
    }

    #[test]
    fn the_hash_is_the_standard_sha256() {
        // Known value: SHA-256 of the empty string.
        assert_eq!(
            hash_source(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }

    #[test]
    fn formula_styles_become_classes_with_one_hashed_rule_each() {
        let html = secure_html(PAGE).unwrap();
        assert!(!html.contains(" style=\""), "{html}");
        assert!(html.contains("<mspace class=\"tex-style-0\" />"), "{html}");
        assert!(html.contains("<mspace class=\"tex-style-0\"/>"), "{html}");
        assert!(html.contains("<mi class=\"tex-style-1 x\">"), "{html}");
        let css = ".tex-style-0 { margin-left: -1em } .tex-style-1 { color: red }";
        assert!(html.contains(&format!("<style>{css}</style>")), "{html}");
        assert!(html.contains(&hash_source(css)), "{html}");
    }

    #[test]
    fn the_policy_comes_first_in_the_head() {
        let html = secure_html(PAGE).unwrap();
        let meta = html.find(META_MARK).unwrap();
        assert!(meta < html.find("<script").unwrap());
        assert!(meta > html.find("<meta charset").unwrap());
    }

    #[test]
    fn an_inline_style_outside_formulas_fails_the_build() {
        let err = secure_html(
            "<html><head><meta charset=\"utf-8\"></head><body><p style=\"color: red\">x</p></body></html>",
        )
        .unwrap_err();
        assert!(err.contains("style.css"), "{err}");
    }

    #[test]
    fn a_second_run_is_refused_rather_than_doubling_the_policy() {
        let once = secure_html(PAGE).unwrap();
        assert!(secure_html(&once).is_err());
    }
}
