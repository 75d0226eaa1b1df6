//! The page's contents list, generated from the sections' own headings in page order.
//!
//! Each section file holds one `<section id="…">`, titled by its first `<h2>` or `<h3>`:
//! - a section titled by an `<h2>` is a topic, a top-level entry linking to the section's id;
//! - a section titled by an `<h3>` (`class="subhead"`) is a subsection of the topic before it, a
//!   nested entry;
//! - any further `<h2>` or `<h3>` with an `id` inside a section (such as `#splits` in the
//!   playground) is a nested entry of the current topic, linking to that id.
//!
//! Entries show the heading's own markup, so the contents always read as the page does.

/// One heading of a section: its level (2 or 3), its `id` if it has one, and its inner markup
/// with runs of white space made single spaces.
#[derive(Debug, PartialEq)]
struct Heading<'a> {
    level: u8,
    id: Option<&'a str>,
    html: String,
}

/// What a section file gives the contents list.
#[derive(Debug)]
pub struct Section<'a> {
    /// The `id` of the `<section>` element.
    pub id: &'a str,
    /// The heading that titles the section (its first).
    title: Heading<'a>,
    /// The later headings that have an `id`.
    anchors: Vec<Heading<'a>>,
}

/// The value of the attribute `name` in the tag `tag` (`<h3 class="x" id="y">`), if present.
pub fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = tag[from..].find(&needle) {
        let at = from + i;
        let start = at + needle.len();
        if tag[..at].ends_with(char::is_whitespace) {
            return tag[start..].find('"').map(|end| &tag[start..start + end]);
        }
        from = start;
    }
    None
}

/// Every `<h2>` and `<h3>` in `html`, in order.
fn headings(html: &str) -> Result<Vec<Heading<'_>>, String> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = html[at..].find("<h") {
        let start = at + i;
        let rest = &html[start + 2..];
        let level = match rest.as_bytes() {
            [digit @ (b'2' | b'3'), next, ..] if *next == b'>' || next.is_ascii_whitespace() => {
                digit - b'0'
            }
            _ => {
                at = start + 2;
                continue;
            }
        };
        let tag_end = start + html[start..].find('>').ok_or("an unclosed heading tag")? + 1;
        let close = format!("</h{level}>");
        let end = tag_end
            + html[tag_end..]
                .find(&close)
                .ok_or_else(|| format!("an <h{level}> without {close}"))?;
        found.push(Heading {
            level,
            id: attribute(&html[start..tag_end], "id"),
            html: html[tag_end..end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        });
        at = end + close.len();
    }
    Ok(found)
}

/// Reads a section file named `name` (`NN-id.html`, or `NNx-id.html` with one lower-case letter
/// for a section placed between two numbered ones until the files are renumbered): checks that it is one `<section>` whose
/// `id` its name carries, and finds its title and anchored headings.
pub fn read_section<'a>(name: &str, html: &'a str) -> Result<Section<'a>, String> {
    let text = html.trim();
    if !text.starts_with("<section") || !text.ends_with("</section>") {
        return Err(format!(
            "{name} must hold one <section id=\"…\"> element, with nothing before or after it"
        ));
    }
    let tag = &text[..text.find('>').ok_or("an unclosed <section> tag")?];
    let id = attribute(tag, "id").ok_or_else(|| format!("{name}: the <section> has no id"))?;
    let named = name
        .strip_suffix(".html")
        .and_then(|stem| stem.split_once('-'))
        .is_some_and(|(number, rest)| {
            let (digits, letter) = number.split_at(number.len().min(2));
            digits.len() == 2
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (letter.is_empty()
                    || (letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_lowercase())))
                && rest == id
        });
    if !named {
        return Err(format!(
            "{name} holds <section id=\"{id}\">: name the file NN-{id}.html (NN its place, two digits, \
             and at most one lower-case letter after them)"
        ));
    }
    let mut found = headings(text)
        .map_err(|e| format!("{name}: {e}"))?
        .into_iter();
    let title = found.next().ok_or_else(|| {
        format!("{name} has no <h2> or <h3> heading to list in the page's contents")
    })?;
    Ok(Section {
        id,
        title,
        anchors: found.filter(|h| h.id.is_some()).collect(),
    })
}

/// One entry of the list: a link and its nested entries.
struct Entry {
    href: String,
    html: String,
    nested: Vec<Entry>,
}

impl Entry {
    /// An entry linking to `id`, showing `html`, with nothing nested yet.
    fn new(id: &str, html: &str) -> Self {
        Self {
            href: format!("#{id}"),
            html: html.to_owned(),
            nested: Vec::new(),
        }
    }

    /// Writes the entry as an `<li>` indented by `indent`.
    fn write(&self, indent: &str, out: &mut String) {
        let link = format!("{indent}<li><a href=\"{}\">{}</a>", self.href, self.html);
        if self.nested.is_empty() {
            out.push_str(&format!("{link}</li>\n"));
        } else {
            out.push_str(&format!("{link}\n"));
            write_list(&self.nested, &format!("{indent}  "), out);
            out.push_str(&format!("{indent}</li>\n"));
        }
    }
}

/// Writes `entries` as an `<ol>` indented by `indent`.
fn write_list(entries: &[Entry], indent: &str, out: &mut String) {
    out.push_str(&format!("{indent}<ol>\n"));
    for entry in entries {
        entry.write(&format!("{indent}  "), out);
    }
    out.push_str(&format!("{indent}</ol>\n"));
}

/// The contents list of `sections` (in page order, with the names of their files), as an `<ol>`
/// indented by `indent`. A subsection before any topic is an error naming its file.
pub fn list(sections: &[(&str, Section<'_>)], indent: &str) -> Result<String, String> {
    let mut topics: Vec<Entry> = Vec::new();
    for (name, section) in sections {
        if section.title.level == 2 {
            topics.push(Entry::new(section.id, &section.title.html));
        }
        let topic = topics.last_mut().ok_or_else(|| {
            format!(
                "{name} is a subsection (titled by an <h3>), but no section titled by an <h2> \
                 comes before it in CONTENTS"
            )
        })?;
        if section.title.level == 3 {
            topic
                .nested
                .push(Entry::new(section.id, &section.title.html));
        }
        for heading in &section.anchors {
            let id = heading.id.unwrap_or_default();
            topic.nested.push(Entry::new(id, &heading.html));
        }
    }
    let mut out = String::new();
    write_list(&topics, indent, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_found_with_their_ids_and_text() {
        let found = headings(
            "<header><h2 id=\"a-title\">A\n   title</h2><hr><h3 class=\"x\" data-id=\"no\">B</h3><h4 id=\"c\">C</h4>",
        )
        .unwrap();
        assert_eq!(
            found,
            vec![
                Heading {
                    level: 2,
                    id: Some("a-title"),
                    html: "A title".into()
                },
                Heading {
                    level: 3,
                    id: None,
                    html: "B".into()
                },
            ]
        );
        assert!(headings("<h2>open").is_err());
    }

    #[test]
    fn topics_are_top_level_and_subsections_and_anchors_are_nested() {
        let files = [
            (
                "01-a.html",
                "<section id=\"a\"><h2 id=\"a-title\">Topic A</h2><h3 id=\"part\">Part</h3><h3>No id</h3></section>",
            ),
            (
                "02-b.html",
                "  <section id=\"b\">\n<h3 class=\"subhead\" id=\"b-title\">Sub B</h3></section>\n",
            ),
            (
                "03-c.html",
                "<section class=\"section\" id=\"c\"><h2>Topic &amp; C</h2></section>",
            ),
        ];
        let sections: Vec<_> = files
            .iter()
            .map(|(name, html)| (*name, read_section(name, html).unwrap()))
            .collect();
        assert_eq!(
            list(&sections, "  ").unwrap(),
            "  <ol>
    <li><a href=\"#a\">Topic A</a>
      <ol>
        <li><a href=\"#part\">Part</a></li>
        <li><a href=\"#b\">Sub B</a></li>
      </ol>
    </li>
    <li><a href=\"#c\">Topic &amp; C</a></li>
  </ol>
"
        );
    }

    #[test]
    fn a_subsection_before_any_topic_is_an_error_naming_it() {
        let html = "<section id=\"b\"><h3 class=\"subhead\">Sub</h3></section>";
        let sections = [("01-b.html", read_section("01-b.html", html).unwrap())];
        let err = list(&sections, "").unwrap_err();
        assert!(err.contains("01-b.html is a subsection"), "{err}");
    }

    #[test]
    fn a_section_file_must_be_one_titled_section_named_by_its_id() {
        let err = |name: &str, html: &str| read_section(name, html).unwrap_err();
        assert!(err("01-a.html", "<p>x</p>").contains("one <section"));
        assert!(err("01-a.html", "<section><h2>A</h2></section>").contains("no id"));
        assert!(err("01-b.html", "<section id=\"a\"><h2>A</h2></section>").contains("NN-a.html"));
        assert!(err("1-a.html", "<section id=\"a\"><h2>A</h2></section>").contains("NN-a.html"));
        assert!(err("01bb-a.html", "<section id=\"a\"><h2>A</h2></section>").contains("NN-a.html"));
        assert!(err("01B-a.html", "<section id=\"a\"><h2>A</h2></section>").contains("NN-a.html"));
        assert!(read_section("01b-a.html", "<section id=\"a\"><h2>A</h2></section>").is_ok());
        assert!(err("01-a.html", "<section id=\"a\"><p>x</p></section>").contains("no <h2>"));
    }
}
