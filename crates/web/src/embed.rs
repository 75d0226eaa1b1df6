//! One figure alone, for embedding the page in another: `index.html?figure=dropout` shows the
//! dropout figure with its section's heading and nothing else of the article.
//!
//! Everything else is hidden, not removed, so figures that read each other (the scores figure
//! reads the playground's network) still work. Names are read without regard to case or
//! surrounding spaces (`?figure=DROPOUT` works). A missing, malformed or unknown name leaves the
//! whole article in place and says so in the page's notice, in one wording.

use crate::dom;
use crate::error::Result;
use crate::state::percent_decode;
use web_sys::{Document, Element};

/// What the address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedRequest {
    /// No `figure` parameter: the whole article.
    Article,
    /// A `figure` parameter with no name (`?figure=`).
    Unnamed,
    /// A well-formed figure name (letters, digits and hyphens, at most 40), in lower case.
    Figure(String),
    /// A `figure` parameter that cannot be a figure's name (kept to quote in the notice).
    Malformed(String),
}

/// Reads `figure=<name>` from a query string such as `?figure=dropout&x=1`.
pub fn parse_query(search: &str) -> EmbedRequest {
    let query = search.strip_prefix('?').unwrap_or(search);
    let Some(raw) = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("figure="))
    else {
        return EmbedRequest::Article;
    };
    let typed = percent_decode(&raw.replace('+', " "));
    let typed = typed.trim();
    let name = typed.to_ascii_lowercase();
    if name.is_empty() {
        return EmbedRequest::Unnamed;
    }
    let well_formed = name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if well_formed {
        EmbedRequest::Figure(name)
    } else {
        EmbedRequest::Malformed(typed.chars().take(60).collect())
    }
}

/// Applies `?figure=` from the address: hides all but the named figure, or explains why not.
pub fn apply(doc: &Document) -> Result<()> {
    let search = dom::window()?.location().search()?;
    let name = match parse_query(&search) {
        EmbedRequest::Article => return Ok(()),
        EmbedRequest::Unnamed => {
            return notice(
                doc,
                "The link asks for one figure but names none, so here is the whole article.",
            );
        }
        EmbedRequest::Malformed(raw) => return notice(doc, &no_such_figure(&raw)),
        EmbedRequest::Figure(name) => name,
    };
    let Some(body) = doc.body() else {
        return Ok(());
    };
    let Some(figure) = body.query_selector(&format!("figure[data-figure=\"{name}\"]"))? else {
        return notice(doc, &no_such_figure(&name));
    };
    hide_all_but(&figure)?;
    if let Some(root) = doc.document_element() {
        root.set_attribute("data-embed", &name)?;
    }
    Ok(())
}

/// Hides every element that is not `keep`, one of its ancestors, or the heading of a section it
/// is in.
fn hide_all_but(keep: &Element) -> Result<()> {
    let mut node = keep.clone();
    while let Some(parent) = node.parent_element() {
        let in_section = parent.tag_name().eq_ignore_ascii_case("section");
        let mut next = parent.first_element_child();
        while let Some(sibling) = next {
            let tag = sibling.tag_name();
            let heading =
                in_section && (tag.eq_ignore_ascii_case("h2") || tag.eq_ignore_ascii_case("h3"));
            if sibling != node && !heading {
                dom::set_hidden(&sibling, true)?;
            }
            next = sibling.next_element_sibling();
        }
        if parent.tag_name().eq_ignore_ascii_case("body") {
            break;
        }
        node = parent;
    }
    Ok(())
}

/// The one notice for a name that is not a figure's, malformed or unknown.
fn no_such_figure(name: &str) -> String {
    format!("There is no figure named “{name}”, so here is the whole article.")
}

/// Shows `text` in the page's notice line.
fn notice(doc: &Document, text: &str) -> Result<()> {
    if let Some(el) = doc.get_element_by_id("notice") {
        dom::set_text(&el, text);
        dom::set_hidden(&el, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figure_parameter_is_read_and_checked() {
        assert_eq!(parse_query(""), EmbedRequest::Article);
        assert_eq!(parse_query("?x=1"), EmbedRequest::Article);
        assert_eq!(
            parse_query("?figure=dropout"),
            EmbedRequest::Figure("dropout".into())
        );
        assert_eq!(
            parse_query("?a=b&figure=cost-margin"),
            EmbedRequest::Figure("cost-margin".into())
        );
        // Anything that could escape the selector or be markup is refused, and quoted as text.
        assert_eq!(
            parse_query("?figure=%3Cimg%20src%3Dx%3E"),
            EmbedRequest::Malformed("<img src=x>".into())
        );
        assert_eq!(
            parse_query("?figure=a\"]"),
            EmbedRequest::Malformed("a\"]".into())
        );
        // An empty name is its own case, not a malformed one quoted as “”.
        assert_eq!(parse_query("?figure="), EmbedRequest::Unnamed);
        assert_eq!(parse_query("?figure=%20"), EmbedRequest::Unnamed);
        // Case and surrounding spaces do not matter.
        assert_eq!(
            parse_query("?figure=DROPOUT"),
            EmbedRequest::Figure("dropout".into())
        );
        assert_eq!(
            parse_query("?figure=%20Batch-Norm%20"),
            EmbedRequest::Figure("batch-norm".into())
        );
    }
}
