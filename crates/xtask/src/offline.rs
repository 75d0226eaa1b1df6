//! The offline copy: after each build, writes into the staged service worker (`sw.js`) the
//! build's files and a version that changes whenever any of them does.
//!
//! The worker precaches exactly what the build produced, so one visit is enough for the whole
//! page to work offline, and a new deployment is a new version: its worker installs the new
//! files under a new cache name and deletes the old cache once no tab shows the old page. The
//! list is split by naming: files whose names carry Trunk's content hash are served from the
//! cache first; the document and the other files, from the network first.

use sha2::{Digest, Sha256};
use std::path::Path;

/// The worker's file, and the lines of it the build fills in.
const WORKER: &str = "sw.js";
const VERSION_LINE: &str = "const VERSION = \"unbuilt\";";
const HASHED_LINE: &str = "const HASHED = [];";
const UNHASHED_LINE: &str = "const UNHASHED = [];";

/// Whether Trunk's file hash is in `name`: a `-` and 16 lowercase hex digits, then `.` or `_`
/// (as in `style-d58de4bce304eb02.css` and `spiega-web-9e2ed0b431098dd9_bg.wasm`).
fn is_hashed(name: &str) -> bool {
    name.char_indices().any(|(i, c)| {
        let digits = name.get(i + 1..i + 17);
        let after = name[i..].chars().nth(17);
        c == '-'
            && digits.is_some_and(|d| {
                d.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
            && matches!(after, Some('.' | '_'))
    })
}

/// Whether the worker precaches `name`: everything the page can use, not the worker itself
/// nor TypeScript declarations.
fn is_cached(name: &str) -> bool {
    name != WORKER && !name.ends_with(".d.ts")
}

/// The worker's text with the build filled in, from `files` (name and content, sorted by name;
/// `index.html` is the document and is cached as `./`, the page's own address).
pub fn fill_worker(worker: &str, files: &[(String, Vec<u8>)]) -> Result<String, String> {
    let mut hasher = Sha256::new();
    let (mut hashed, mut unhashed) = (Vec::new(), Vec::new());
    for (name, content) in files.iter().filter(|(n, _)| is_cached(n)) {
        hasher.update(name.as_bytes());
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(content);
        if name == "index.html" {
            unhashed.push("./".to_owned());
        } else if is_hashed(name) {
            hashed.push(name.clone());
        } else {
            unhashed.push(name.clone());
        }
    }
    if !unhashed.iter().any(|n| n == "./") {
        return Err("the build has no index.html for the offline copy".into());
    }
    let version: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let list = |names: &[String]| serde_json::Value::from(names.to_vec()).to_string();
    let mut out = worker.to_owned();
    for (line, filled) in [
        (VERSION_LINE, format!("const VERSION = \"{version}\";")),
        (HASHED_LINE, format!("const HASHED = {};", list(&hashed))),
        (
            UNHASHED_LINE,
            format!("const UNHASHED = {};", list(&unhashed)),
        ),
    ] {
        if out.matches(line).count() != 1 {
            return Err(format!(
                "{WORKER} must hold the line `{line}` once, for the build to fill in"
            ));
        }
        out = out.replace(line, &filled);
    }
    Ok(out)
}

/// Fills in the staged worker in `staging` from the files beside it.
pub fn write_worker(staging: &Path) -> Result<(), String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let mut files = Vec::new();
    for entry in std::fs::read_dir(staging).map_err(|e| io(staging, e))? {
        let path = entry.map_err(|e| io(staging, e))?.path();
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("a file name that is not UTF-8 in {}", staging.display()))?
            .to_owned();
        files.push((name, std::fs::read(&path).map_err(|e| io(&path, e))?));
    }
    files.sort();
    let worker_path = staging.join(WORKER);
    let worker = std::fs::read_to_string(&worker_path).map_err(|e| io(&worker_path, e))?;
    let filled = fill_worker(&worker, &files)?;
    std::fs::write(&worker_path, filled).map_err(|e| io(&worker_path, e))?;
    println!(
        "wrote the offline copy's list of {} files into {}",
        files.iter().filter(|(n, _)| is_cached(n)).count(),
        worker_path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKER_TEXT: &str =
        "const VERSION = \"unbuilt\";\nconst HASHED = [];\nconst UNHASHED = [];\nrest();";

    fn build(style: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("favicon.svg".into(), b"<svg/>".to_vec()),
            ("index.html".into(), b"<html>".to_vec()),
            ("spiega-web-9e2ed0b431098dd9.d.ts".into(), b"x".to_vec()),
            (
                "spiega-web-9e2ed0b431098dd9_bg.wasm".into(),
                b"\0asm".to_vec(),
            ),
            (
                "style-d58de4bce304eb02.css".into(),
                style.as_bytes().to_vec(),
            ),
            ("sw.js".into(), WORKER_TEXT.as_bytes().to_vec()),
        ]
    }

    #[test]
    fn trunk_hashes_are_recognised_and_plain_names_are_not() {
        assert!(is_hashed("style-d58de4bce304eb02.css"));
        assert!(is_hashed("spiega-web-9e2ed0b431098dd9_bg.wasm"));
        assert!(is_hashed("spiega-web-9e2ed0b431098dd9.js"));
        assert!(!is_hashed("theme.js"));
        assert!(!is_hashed("icon-192.png"));
        assert!(!is_hashed("style-D58DE4BCE304EB02.css"));
        assert!(!is_hashed("style-d58de4bce304eb0.css"));
    }

    #[test]
    fn the_worker_lists_every_file_but_itself_split_by_naming() {
        let filled = fill_worker(WORKER_TEXT, &build("a {}")).unwrap();
        assert!(
            filled.contains(
                "const HASHED = [\"spiega-web-9e2ed0b431098dd9_bg.wasm\",\"style-d58de4bce304eb02.css\"];"
            ),
            "{filled}"
        );
        assert!(
            filled.contains("const UNHASHED = [\"favicon.svg\",\"./\"];"),
            "{filled}"
        );
        assert!(
            !filled.contains("unbuilt") && filled.ends_with("rest();"),
            "{filled}"
        );
    }

    #[test]
    fn the_version_changes_with_any_file_and_only_then() {
        let version = |style: &str| {
            let filled = fill_worker(WORKER_TEXT, &build(style)).unwrap();
            filled.lines().next().unwrap().to_owned()
        };
        assert_eq!(version("a {}"), version("a {}"));
        assert_ne!(version("a {}"), version("b {}"));
        assert_eq!(version("a {}").len(), "const VERSION = \"\";".len() + 16);
    }

    #[test]
    fn a_worker_without_its_lines_or_a_build_without_its_page_fails() {
        assert!(fill_worker("const HASHED = [];", &build("a")).is_err());
        let no_page: Vec<_> = build("a")
            .into_iter()
            .filter(|(n, _)| n != "index.html")
            .collect();
        assert!(fill_worker(WORKER_TEXT, &no_page).is_err());
    }
}
