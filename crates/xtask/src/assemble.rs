//! `cargo xtask assemble`: writes the article's page, `www/index.html`, from its sources.
//!
//! The sources are a frame, `www/page.html` (the head, the masthead, the opening, the contents
//! and the footer), and one file per section in `www/sections/`, in the order the plain-text
//! file `www/sections/CONTENTS` lists them. The sections go, one after another with a blank line
//! between, in place of the frame's line `<!-- spiega:sections -->`, and the contents list made
//! from their headings ([`crate::toc`]) in place of its line `<!-- spiega:contents -->`. Each
//! figure gets its toolbar written in ([`crate::toolbar`]).
//! `www/index.html` is generated and git-ignored; every task that builds the page runs this
//! first, and Trunk runs it again before each build (a `pre_build` hook), so `trunk serve` picks
//! up an edited section.
//!
//! Nothing is left out silently: a listed file that is missing, and a section file that is not
//! listed, are both errors that name the file.

use crate::{toc, toolbar};
use std::path::Path;
use std::process::Command;

/// The line of `www/page.html` that the sections replace.
pub const SECTIONS_MARKER: &str = "<!-- spiega:sections -->";

/// The line of `www/page.html` that the contents list replaces.
pub const CONTENTS_MARKER: &str = "<!-- spiega:contents -->";

/// The comment put after the first line (`<!doctype html>`) of the assembled page.
const GENERATED: &str = "<!-- Assembled by `cargo xtask assemble` from www/page.html and \
                         www/sections/: edit those files, not this one. -->\n";

/// The section files a contents file names, in order, each with its line number. One name a
/// line; blank lines and lines starting with `#` are skipped.
fn listed(contents: &str) -> Result<Vec<(usize, &str)>, String> {
    let mut names: Vec<(usize, &str)> = Vec::new();
    for (index, line) in contents.lines().enumerate() {
        let (number, name) = (index + 1, line.trim());
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        if name.contains(['/', '\\']) || !name.ends_with(".html") {
            return Err(format!(
                "CONTENTS line {number}: \"{name}\" is not the name of an .html file in www/sections"
            ));
        }
        if let Some((first, _)) = names.iter().find(|(_, n)| *n == name) {
            return Err(format!(
                "CONTENTS line {number}: {name} is already listed on line {first}"
            ));
        }
        names.push((number, name));
    }
    Ok(names)
}

/// Reads a file, with its path in the error.
fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Builds the page from the sources in the folder `www`: the frame with its marker lines replaced
/// by the listed section files, in order, and by the contents list made from their headings.
pub fn assemble(www: &Path) -> Result<String, String> {
    let sections = www.join("sections");
    let contents = sections.join("CONTENTS");
    let text = read(&contents)?;
    let names = listed(&text).map_err(|e| format!("{}: {e}", sections.display()))?;

    let entries =
        std::fs::read_dir(&sections).map_err(|e| format!("{}: {e}", sections.display()))?;
    let mut unlisted: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|file| file.ends_with(".html") && !names.iter().any(|(_, n)| n == file))
        .collect();
    unlisted.sort();
    if !unlisted.is_empty() {
        return Err(format!(
            "{} does not list {}, so the page would leave it out: list it there, or delete the file",
            contents.display(),
            unlisted.join(", ")
        ));
    }

    let mut texts = Vec::new();
    for (number, name) in &names {
        let file = sections.join(name);
        if !file.is_file() {
            return Err(format!(
                "{} line {number} names {name}, but there is no {}",
                contents.display(),
                file.display()
            ));
        }
        let text = toolbar::add(&read(&file)?).map_err(|e| format!("{}: {e}", file.display()))?;
        texts.push((*name, text));
    }
    let parsed = texts
        .iter()
        .map(|(name, text)| {
            toc::read_section(name, text)
                .map(|section| (*name, section))
                .map_err(|e| format!("{}: {e}", sections.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = texts
        .iter()
        .map(|(_, text)| format!("{}\n", text.trim_end()))
        .collect::<Vec<_>>()
        .join("\n");

    let frame_path = www.join("page.html");
    let frame = read(&frame_path)?;
    let page = fill(&frame_path, &frame, SECTIONS_MARKER, |_| Ok(body))?;
    let page = fill(&frame_path, &page, CONTENTS_MARKER, |indent| {
        toc::list(&parsed, indent).map_err(|e| format!("{}: {e}", sections.display()))
    })?;
    Ok(match page.split_once('\n') {
        Some((first, rest)) => format!("{first}\n{GENERATED}{rest}"),
        None => page,
    })
}

/// Replaces the one line of `frame` (the text of the file `path`) that is `marker`, give or take
/// white space, with what `make` returns for that line's indentation. A marker missing or
/// repeated is an error naming the file.
fn fill(
    path: &Path,
    frame: &str,
    marker: &str,
    make: impl FnOnce(&str) -> Result<String, String>,
) -> Result<String, String> {
    let lines: Vec<&str> = frame.split_inclusive('\n').collect();
    let at: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim() == marker)
        .collect();
    let [i] = at[..] else {
        return Err(format!(
            "{} must have the line {marker} exactly once (found {})",
            path.display(),
            at.len()
        ));
    };
    let line = lines[i];
    let indent = &line[..line.len() - line.trim_start().len()];
    let filled = make(indent)?;
    Ok([lines[..i].concat(), filled, lines[i + 1..].concat()].concat())
}

/// Assembles `www/index.html` under `root`, writing it only when it changed (so a watching
/// `trunk serve` sees no change it did not cause); returns whether it was written.
pub fn write(root: &Path) -> Result<bool, String> {
    let www = root.join("www");
    let page = assemble(&www)?;
    let target = www.join("index.html");
    if std::fs::read_to_string(&target).is_ok_and(|old| old == page) {
        return Ok(false);
    }
    std::fs::write(&target, page).map_err(|e| format!("{}: {e}", target.display()))?;
    Ok(true)
}

/// Assembles the page, then gives the Trunk command that builds it in release mode into `dist`
/// (Trunk needs `www/index.html` to exist before it runs its own `pre_build` hook).
pub fn release_build(root: &Path, dist: &Path) -> Result<Command, String> {
    main(root)?;
    let mut trunk = crate::setup::command("trunk", root);
    trunk.args(["build", "--release", "--dist"]).arg(dist);
    Ok(trunk)
}

/// The task: assembles the page and says what it did.
pub fn main(root: &Path) -> Result<(), String> {
    let written = write(root)?;
    println!(
        "spiega assemble: www/index.html {}",
        if written {
            "written from www/page.html and www/sections/"
        } else {
            "already up to date"
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A temporary `www` folder holding the given files, removed when dropped.
    struct Www(PathBuf);

    impl Www {
        fn new(name: &str, files: &[(&str, &str)]) -> Self {
            let dir =
                std::env::temp_dir().join(format!("spiega-assemble-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("sections")).unwrap();
            for (path, text) in files {
                std::fs::write(dir.join(path), text).unwrap();
            }
            Self(dir)
        }
    }

    impl Drop for Www {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const FRAME: &str = "<!doctype html>\n<nav>\n  <!-- spiega:contents -->\n</nav>\n<main>\n    <!-- spiega:sections -->\n</main>\n";

    /// A section file's text with the given id and title.
    fn section(id: &str, title: &str) -> String {
        format!("    <section id=\"{id}\">\n      {title}\n    </section>")
    }

    #[test]
    fn sections_and_their_contents_replace_the_markers_in_the_listed_order() {
        let (a, b) = (section("a", "<h2>A</h2>"), section("b", "<h2>B</h2>"));
        let www = Www::new(
            "order",
            &[
                ("page.html", FRAME),
                (
                    "sections/CONTENTS",
                    "# A comment.\n\n02-b.html\n  01-a.html  \n",
                ),
                ("sections/01-a.html", &format!("{a}\n\n\n")),
                ("sections/02-b.html", &b),
                ("sections/notes.txt", "not a section"),
            ],
        );
        assert_eq!(
            assemble(&www.0).unwrap(),
            format!(
                "<!doctype html>\n{GENERATED}<nav>\n  <ol>\n    <li><a href=\"#b\">B</a></li>\n    \
                 <li><a href=\"#a\">A</a></li>\n  </ol>\n</nav>\n<main>\n{b}\n\n{a}\n</main>\n"
            )
        );
    }

    /// The error from assembling a folder with `frame`, `contents`, the section `01-a.html` and
    /// the `more` files.
    fn error_of(name: &str, frame: &str, contents: &str, more: &[(&str, &str)]) -> String {
        let a = section("a", "<h2>A</h2>");
        let mut files = vec![
            ("page.html", frame),
            ("sections/CONTENTS", contents),
            ("sections/01-a.html", &a),
        ];
        files.extend_from_slice(more);
        let www = Www::new(name, &files);
        assemble(&www.0).unwrap_err()
    }

    #[test]
    fn a_listed_file_that_is_missing_is_an_error_naming_it() {
        let err = error_of("missing", FRAME, "01-a.html\n02-gone.html\n", &[]);
        assert!(err.contains("line 2 names 02-gone.html"), "{err}");
    }

    #[test]
    fn a_section_file_not_listed_is_an_error_naming_it() {
        let more = [("sections/02-forgotten.html", "<section></section>")];
        let err = error_of("unlisted", FRAME, "01-a.html\n", &more);
        assert!(err.contains("does not list 02-forgotten.html"), "{err}");
    }

    #[test]
    fn a_name_listed_twice_or_not_an_html_file_is_an_error() {
        let err = listed("01-a.html\n# c\n01-a.html\n").unwrap_err();
        assert!(err.contains("line 3") && err.contains("line 1"), "{err}");
        assert!(listed("../index.html\n").is_err());
        assert!(listed("01-a.htm\n").is_err());
    }

    #[test]
    fn the_frame_needs_the_marker_exactly_once() {
        let twice = FRAME.replace(
            CONTENTS_MARKER,
            &format!("{CONTENTS_MARKER}\n{CONTENTS_MARKER}"),
        );
        for (name, frame, marker) in [
            ("none", "<main></main>\n", SECTIONS_MARKER),
            ("twice", &twice, CONTENTS_MARKER),
        ] {
            let err = error_of(name, frame, "01-a.html\n", &[]);
            assert!(err.contains(marker) && err.contains("page.html"), "{err}");
        }
    }

    #[test]
    fn the_article_assembles_from_its_sources() {
        let page = assemble(&crate::root().join("www")).unwrap();
        let sections = page.matches("<section id=").count();
        assert!(sections >= 20, "only {sections} sections");
        assert!(!page.contains(SECTIONS_MARKER) && !page.contains(CONTENTS_MARKER));
        let entries = page.matches("<li><a href=\"#").count();
        assert!(
            entries > sections,
            "{entries} contents entries for {sections} sections"
        );
    }

    /// The author's notes hold sixteen known mistakes (listed with the notes, in their errata); the
    /// page names each as the misconception it is, where it corrects it, in a
    /// `<span class="misconception" data-erratum="N">`. Each of the sixteen is named exactly once.
    #[test]
    fn the_article_names_each_of_the_notes_sixteen_mistakes_once() {
        let page = assemble(&crate::root().join("www")).unwrap();
        let named: Vec<u32> = page
            .match_indices("class=\"misconception\" data-erratum=\"")
            .map(|(at, marker)| {
                let rest = &page[at + marker.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        let mut sorted = named.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (1..=16).collect::<Vec<u32>>(),
            "named in page order: {named:?}"
        );
    }
}
