//! The page's WebAssembly in two parts: the first part, which starts the page and runs its first
//! section (the playground), and the rest, which the page fetches once its first figures are
//! drawn (see ARCHITECTURE.md, "The page's code comes in two parts").
//!
//! Run first by `post-build` on Trunk's staged release build (a debug build is left whole):
//! 1. every function whose name places it in a later section ([`Later::moves_to_rest`]) is
//!    listed, with every function that only those call ([`called_only_from`], read from the
//!    module's call graph), and binaryen's `wasm-split` moves them to a second module. The first
//!    module keeps a placeholder import for each, which the loader below answers until the rest
//!    is attached.
//!    This runs on wasm-bindgen's module before any optimisation (Trunk's `wasm-opt` is off,
//!    `data-wasm-opt="0"` in `www/page.html`): the names are still there, and no function of
//!    the first section has yet been merged with an identical one of a later section, whose name
//!    it would then carry into the rest;
//! 2. both modules are printed as text and assembled again: the names of the functions the rest
//!    imports from the first are shortened to `%0`, `%1`, … (they were the functions' full
//!    names), every table export the page had points at a table of its type again (the splitter
//!    points them all at the first table), and no name section is written;
//! 3. each part is optimised by `wasm-opt -O`[`WASM_OPT_LEVEL`], as the whole module was;
//! 4. the rest is written beside the page as `spiega-web-rest-<hash>.wasm`; the loader
//!    (`split_loader.js`) is appended to wasm-bindgen's JavaScript with that name; the first
//!    part and the JavaScript are renamed from their final bytes (`spiega-web-<hash>_bg.wasm`,
//!    `spiega-web-<hash>.js`), and the page's references and integrity hashes follow.
//!
//! The splitter is binaryen's `wasm-split` from Debian's binaryen 108 (`cargo xtask setup`
//! unpacks it into `.tools/binaryen-108`): the npm build of binaryen 132, which does the rest,
//! ships without it. The 108 tools only split and print names; optimising and assembling use 132.

use crate::setup;
use base64::Engine;
use sha2::{Digest, Sha384};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The level `wasm-opt` optimises the page's WebAssembly at: `z`, for size, the level the page
/// has always used. The training kernels come from crates compiled at opt-level 3, and
/// `cargo xtask bench` builds its own module at this same level, so its speeds are the page's.
pub const WASM_OPT_LEVEL: &str = "z";

/// The figures' modules (`spiega_web::figures::…`) that stay in the first part: the playground
/// and what every figure shares (the toolbar, sharing, exports, the "Try this" buttons). Every
/// other figure's module goes to the rest.
const FIRST_FIGURES: [&str; 8] = [
    "playground",
    "share",
    "export",
    "model_export",
    "try_this",
    "handoff",
    "live_model",
    "tools",
];

/// The lessons (`spiega_lessons::…`) that stay in the first part.
const FIRST_LESSONS: [&str; 1] = ["playground"];

/// Parts of the engine, and of the first section's code, that only a later section or a
/// reader's action runs, named by their module path: a function moves when its name starts with
/// one (an impl's `<Type as Trait>` too), and whatever only moving functions call moves with it
/// ([`called_only_from`]). The engine's layers that only later sections build (convolution,
/// attention, the normalisations, embeddings, pooling); the playground's model files and
/// exported scripts (Export model and Import model wait for the rest before they run,
/// `figures/model_export.rs`); the stemmer of the ROUGE section.
const LATER_PATHS: [&str; 9] = [
    "spiega_nn::layer::conv2d::",
    "spiega_nn::layer::attention::",
    "spiega_nn::layer::batch_norm::",
    "spiega_nn::layer::layer_norm::",
    "spiega_nn::layer::embedding::",
    "spiega_nn::layer::pool::",
    "spiega_lessons::playground::model_file::",
    "spiega_lessons::playground::export_code::",
    "spiega_nn::metrics::porter::",
];

/// The loader appended to wasm-bindgen's JavaScript; `__REST_URL__` and `__TABLE__` are filled in.
const LOADER: &str = include_str!("split_loader.js");

/// The line of wasm-bindgen's JavaScript that makes the first part's imports; the placeholders
/// are added to what it returns.
const IMPORTS_LINE: &str = "const imports = __wbg_get_imports();";

/// The module names a function's (demangled) name mentions after `prefix`: `a::b` in
/// `<spiega_web::figures::gan::Figure as …>` gives `gan` for `spiega_web::figures::`.
fn modules_after<'a>(name: &'a str, prefix: &str) -> Vec<&'a str> {
    name.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &name[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            // A module is followed by `::`; a type or trait name directly after the prefix is
            // not a module.
            rest[end..].starts_with("::").then(|| &rest[..end])
        })
        .collect()
}

/// The modules whose functions go to the rest: the later sections' figures and lessons.
struct Later {
    /// Modules of `spiega_web::figures`.
    figures: Vec<String>,
    /// Modules of `spiega_lessons`.
    lessons: Vec<String>,
}

impl Later {
    /// Every module of the figures (`crates/web/src/figures`) and of the lessons
    /// (`crates/lessons/src`) but those of the first part, read from the folders, so a figure
    /// added later goes to the rest without a word here.
    fn read(root: &Path) -> Result<Self, String> {
        let modules = |dir: PathBuf, keep: &[&str]| -> Result<Vec<String>, String> {
            let mut found = Vec::new();
            for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
                let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
                let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
                let module = path.is_dir() || path.extension().is_some_and(|e| e == "rs");
                if module && !["mod", "lib"].contains(&stem) && !keep.contains(&stem) {
                    found.push(stem.to_owned());
                }
            }
            Ok(found)
        };
        Ok(Self {
            figures: modules(
                root.join("crates").join("web").join("src").join("figures"),
                &FIRST_FIGURES,
            )?,
            lessons: modules(
                root.join("crates").join("lessons").join("src"),
                &FIRST_LESSONS,
            )?,
        })
    }

    /// Whether the function `name` goes to the rest: it starts with one of [`LATER_PATHS`], or
    /// it names a later figure or lesson module and no figure or lesson of the first part.
    /// Everything else (the figures' shared code, the engine, the charts, the standard library)
    /// stays in the first part unless only moving functions call it.
    fn moves_to_rest(&self, name: &str) -> bool {
        if LATER_PATHS
            .iter()
            .any(|p| name.trim_start_matches('<').starts_with(p))
        {
            return true;
        }
        let figures = modules_after(name, "spiega_web::figures::");
        let lessons = modules_after(name, "spiega_lessons::");
        if figures.iter().any(|m| FIRST_FIGURES.contains(m))
            || lessons.iter().any(|m| FIRST_LESSONS.contains(m))
        {
            return false;
        }
        figures.iter().any(|m| self.figures.iter().any(|f| f == m))
            || lessons.iter().any(|m| self.lessons.iter().any(|l| l == m))
    }
}

/// A binaryen 108 tool from `.tools/binaryen-108` (with its library beside it).
fn binaryen_108(root: &Path, tool: &str) -> Result<Command, String> {
    let dir = setup::binaryen_108_dir(root);
    let lib = setup::binaryen_108_lib(root)
        .ok_or("binaryen 108 is not unpacked in .tools: run `cargo xtask setup`")?;
    let mut c = Command::new(dir.join("usr").join("bin").join(tool));
    c.current_dir(root).env("LD_LIBRARY_PATH", lib);
    Ok(c)
}

/// Runs `cmd` and returns what it printed, or fails with its error output.
fn stdout_of(what: &str, cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what}: failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The one file of `dir` whose name starts with `prefix` and ends with `suffix`.
fn one_file(dir: &Path, prefix: &str, suffix: &str) -> Result<PathBuf, String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(prefix) && name.ends_with(suffix) && !name.ends_with(".d.ts") {
            found.push(path);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one {prefix}…{suffix} in {}, found {}",
            dir.display(),
            found.len()
        )),
    }
}

/// The name at the start of `s`, as binaryen 108 prints names (escaped, so it ends at white
/// space or a closing parenthesis).
fn name_token(s: &str) -> Option<&str> {
    s.split(|c: char| c.is_whitespace() || c == ')').next()
}

/// The functions of a module as binaryen 108 prints them (`(func $name …`), in order.
fn function_names(wat: &str) -> Vec<&str> {
    wat.lines()
        .filter_map(|l| l.strip_prefix(" (func $"))
        .filter_map(name_token)
        .collect()
}

/// What else goes to the rest with `moved`: every function that the first part cannot reach
/// without passing through a moving one, in the module's order. What stays is what the staying
/// roots reach through calls (and `ref.func`) that do not pass through `moved`: the roots are
/// the functions named by a table, an export, the start or a global, which can be called from
/// anywhere, and those nothing calls. So a function that only moving functions call goes, and
/// so does a group of functions that call one another (serde_json's `Value` reader and its map
/// and list readers) when only moving functions call into it. What this adds is code the later
/// sections alone use (the engine's scores, ROUGE, the sequence tasks, the model files' JSON,
/// their generic helpers): the first part cannot call it, so it costs the first figure nothing
/// to leave it out.
fn called_only_from<'a>(wat: &'a str, moved: &[&'a str]) -> Vec<&'a str> {
    let mut named_elsewhere: HashSet<&str> = HashSet::new();
    let mut calls: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut called: HashSet<&str> = HashSet::new();
    let mut current = None;
    for line in wat.lines() {
        if let Some(header) = line.strip_prefix(" (func $") {
            current = name_token(header);
            continue;
        }
        if line.starts_with(" (") {
            current = None;
        }
        match current {
            Some(caller) => {
                for site in ["(call $", "(return_call $", "(ref.func $"] {
                    for (at, _) in line.match_indices(site) {
                        if let Some(callee) = name_token(&line[at + site.len()..]) {
                            calls.entry(caller).or_default().push(callee);
                            called.insert(callee);
                        }
                    }
                }
            }
            // Outside every function (a table's elements, an export, the start, a global, on
            // one line or more), any name counts.
            None => named_elsewhere.extend(line.split('$').skip(1).filter_map(name_token)),
        }
    }
    let named: HashSet<&str> = moved.iter().copied().collect();
    let functions = function_names(wat);
    let mut staying: HashSet<&str> = functions
        .iter()
        .copied()
        .filter(|f| !named.contains(f) && (named_elsewhere.contains(f) || !called.contains(f)))
        .collect();
    let mut to_visit: Vec<&str> = staying.iter().copied().collect();
    while let Some(f) = to_visit.pop() {
        for &callee in calls.get(f).map_or(&[][..], Vec::as_slice) {
            if !named.contains(callee) && staying.insert(callee) {
                to_visit.push(callee);
            }
        }
    }
    functions
        .into_iter()
        .filter(|f| !staying.contains(f) && !named.contains(f))
        .collect()
}

/// The quoted string starting at the start of `s` (after its opening quote), up to the closing
/// quote, escapes left as they are.
fn quoted(s: &str) -> Option<&str> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' => escaped = !escaped,
            '"' if !escaped => return Some(&s[..i]),
            _ => escaped = false,
        }
    }
    None
}

/// The element type (`funcref`, `externref`) of each table a module's text declares, by its
/// `$id`. Binaryen 108 prints `externref` by its older name, `anyref`.
fn table_types(wat: &str) -> HashMap<&str, &str> {
    wat.lines()
        .filter_map(|l| l.strip_prefix(" (table $"))
        .filter_map(|l| {
            let id = l.split(' ').next()?;
            let kind = match l.trim_end_matches(')').rsplit(' ').next()? {
                "anyref" => "externref",
                kind => kind,
            };
            Some((id, kind))
        })
        .collect()
}

/// Each exported table of a module's text: its export name and the `$id` it points at.
fn table_exports(wat: &str) -> Vec<(&str, &str)> {
    wat.lines()
        .filter_map(|l| l.strip_prefix(" (export \""))
        .filter_map(|l| {
            let name = quoted(l)?;
            let id = l[name.len()..]
                .strip_prefix("\" (table $")?
                .trim_end_matches(')');
            Some((name, id))
        })
        .collect()
}

/// `wat` with each line replaced by what `rewrite` makes of it (`None`: the line as it is).
fn rewrite_lines(
    wat: &str,
    mut rewrite: impl FnMut(&str) -> Result<Option<String>, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(wat.len());
    for line in wat.lines() {
        match rewrite(line)? {
            Some(new) => out.push_str(&new),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    Ok(out)
}

/// The first part's text with its function exports named by the splitter (`"%…"`) renamed
/// `%0`, `%1`, …, and each table export in `want` (export name → element type) pointed at the
/// table of that type; with the renaming, to apply to the rest's imports.
fn fix_first(
    wat: &str,
    want: &HashMap<String, String>,
) -> Result<(String, HashMap<String, String>), String> {
    let types = table_types(wat);
    let mut renames = HashMap::new();
    let out = rewrite_lines(wat, |line| {
        if let Some(rest) = line.strip_prefix(" (export \"%")
            && rest.contains("\" (func ")
        {
            let name = quoted(rest).ok_or("an export name without its closing quote")?;
            let short = format!("%{}", renames.len());
            let line = format!(" (export \"{short}{}", &rest[name.len()..]);
            renames.insert(format!("%{name}"), short);
            return Ok(Some(line));
        }
        let Some((name, id)) = table_exports(line).first().copied() else {
            return Ok(None);
        };
        let Some(kind) = want.get(name) else {
            return Ok(None);
        };
        let of_kind: Vec<&str> = types
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(id, _)| *id)
            .collect();
        let [right] = of_kind.as_slice() else {
            return Err(format!(
                "{} tables of type {kind} after the split",
                of_kind.len()
            ));
        };
        Ok((*right != id).then(|| format!(" (export \"{name}\" (table ${right}))")))
    })?;
    Ok((out, renames))
}

/// The rest's text with its imports from the first part renamed as [`fix_first`] renamed them;
/// an error for an import that was not renamed.
fn fix_rest(wat: &str, renames: &HashMap<String, String>) -> Result<String, String> {
    rewrite_lines(wat, |line| {
        let Some(rest) = line
            .strip_prefix(" (import \"primary\" \"%")
            .filter(|rest| rest.contains("\" (func "))
        else {
            return Ok(None);
        };
        let name = quoted(rest).ok_or("an import name without its closing quote")?;
        let short = renames.get(&format!("%{name}")).ok_or_else(|| {
            format!("the rest imports %{name}, which the first part does not export")
        })?;
        Ok(Some(format!(
            " (import \"primary\" \"{short}{}",
            &rest[name.len()..]
        )))
    })
}

/// The name under which the rest imports the first part's table of functions.
fn function_table_import(wat: &str) -> Result<String, String> {
    wat.lines()
        .filter_map(|l| l.strip_prefix(" (import \"primary\" \""))
        .find(|l| l.contains("\" (table ") && l.trim_end_matches(')').ends_with("funcref"))
        .and_then(quoted)
        .map(str::to_owned)
        .ok_or_else(|| "the rest imports no table of functions".to_owned())
}

/// `html` with the `integrity` of the tag linking `./{file}` set to the SHA-384 of `bytes`; the
/// same `html` when no tag links it or the tag has no integrity.
fn reintegrate(html: &str, file: &str, bytes: &[u8]) -> String {
    let Some(at) = html.find(&format!("href=\"./{file}\"")) else {
        return html.to_owned();
    };
    let start = html[..at].rfind('<').unwrap_or(at);
    let end = html[at..].find('>').map_or(html.len(), |e| at + e);
    let tag = &html[start..end];
    let Some(i) = tag.find("integrity=\"") else {
        return html.to_owned();
    };
    let value = i + "integrity=\"".len();
    let Some(close) = tag[value..].find('"') else {
        return html.to_owned();
    };
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes));
    format!(
        "{}{}sha384-{hash}{}",
        &html[..start],
        &tag[..value],
        &html[start + value + close..]
    )
}

/// The features a module uses, as binaryen's `--enable-…` flags.
fn features(root: &Path, wasm: &Path) -> Result<Vec<String>, String> {
    let printed = stdout_of(
        "reading the module's features",
        setup::command("wasm-opt", root)
            .arg("--print-features")
            .arg(wasm)
            .args(["-o", "/dev/null"]),
    )?;
    Ok(printed
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("--enable-"))
        .map(str::to_owned)
        .collect())
}

/// Splits the staged release build's WebAssembly (see the file's notes); leaves a debug build
/// as it is.
pub fn split_page(root: &Path, staging: &Path) -> Result<(), String> {
    if std::env::var("TRUNK_PROFILE").as_deref() != Ok("release") {
        println!("a debug build: the page's WebAssembly stays in one part");
        return Ok(());
    }
    let work = root.join("target").join("split");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let wasm = one_file(staging, "spiega-web-", "_bg.wasm")?;
    let glue = one_file(staging, "spiega-web-", ".js")?;

    let enable = features(root, &wasm)?;
    let whole = stdout_of(
        "printing the module's functions",
        binaryen_108(root, "wasm-dis")?.arg(&wasm),
    )?;
    let later = Later::read(root)?;
    let mut moved: Vec<&str> = function_names(&whole)
        .into_iter()
        .filter(|n| later.moves_to_rest(n))
        .collect();
    if moved.is_empty() {
        return Err(
            "no function of a later section was found to move: were the names lost?".into(),
        );
    }
    let named = moved.len();
    moved.extend(called_only_from(&whole, &moved));
    let tables: HashMap<String, String> = {
        let types = table_types(&whole);
        table_exports(&whole)
            .into_iter()
            .filter_map(|(name, id)| Some((name.to_owned(), (*types.get(id)?).to_owned())))
            .collect()
    };
    let list = work.join("rest-functions.txt");
    std::fs::write(&list, moved.join("\n") + "\n").map_err(|e| io(&list, e))?;
    let (first, rest) = (work.join("first.wasm"), work.join("rest.wasm"));
    stdout_of(
        "wasm-split",
        binaryen_108(root, "wasm-split")?
            .arg(&wasm)
            .arg(format!("--split-funcs=@{}", list.display()))
            .arg("-o1")
            .arg(&first)
            .arg("-o2")
            .arg(&rest)
            .arg("--export-prefix=%")
            .arg("-g"),
    )?;

    let as_text = |module: &Path| {
        stdout_of(
            "printing a part",
            setup::command("wasm-dis", root).arg(module),
        )
    };
    // Assembled without names, then optimised apart.
    let finish = |text: &str, name: &str| -> Result<Vec<u8>, String> {
        let wat = work.join(format!("{name}.wat"));
        let assembled = work.join(format!("{name}.assembled.wasm"));
        let out = work.join(format!("{name}.out.wasm"));
        std::fs::write(&wat, text).map_err(|e| io(&wat, e))?;
        stdout_of(
            &format!("assembling the {name} part"),
            setup::command("wasm-as", root)
                .args(&enable)
                .arg(&wat)
                .arg("-o")
                .arg(&assembled),
        )?;
        stdout_of(
            &format!("wasm-opt -O{WASM_OPT_LEVEL} on the {name} part"),
            setup::command("wasm-opt", root)
                .args(&enable)
                .arg(format!("-O{WASM_OPT_LEVEL}"))
                .arg(&assembled)
                .arg("-o")
                .arg(&out),
        )?;
        std::fs::read(&out).map_err(|e| io(&out, e))
    };
    let (first_text, renames) = fix_first(&as_text(&first)?, &tables)?;
    let rest_text = fix_rest(&as_text(&rest)?, &renames)?;
    let table = function_table_import(&rest_text)?;
    let first_bytes = finish(&first_text, "first")?;
    let rest_bytes = finish(&rest_text, "rest")?;

    let rest_name = crate::assets::hashed_name("spiega-web-rest", "wasm", &rest_bytes);
    let rest_path = staging.join(&rest_name);
    std::fs::write(&rest_path, &rest_bytes).map_err(|e| io(&rest_path, e))?;

    let js = std::fs::read_to_string(&glue).map_err(|e| io(&glue, e))?;
    if !js.contains(IMPORTS_LINE) {
        return Err(format!(
            "{} has no `{IMPORTS_LINE}`: has wasm-bindgen changed its output?",
            glue.display()
        ));
    }
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let loader = LOADER
        .replace("__REST_URL__", &quote(&format!("./{rest_name}")))
        .replace("__TABLE__", &quote(&table));
    let js = js.replace(
        IMPORTS_LINE,
        "const imports = spiegaWithPlaceholders(__wbg_get_imports());",
    ) + &loader;

    // Both files the split changed are named from their final bytes, as the rest is. Trunk
    // named them from wasm-bindgen's output, before the split: a change to the split alone
    // would ship new contents under the names of the old, which a reader's browser and the
    // offline copy hold as never changing.
    let name = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned()
    };
    let hash = crate::assets::content_hash;
    let first_name = format!("spiega-web-{}_bg.wasm", hash(&first_bytes));
    let glue_name = format!("spiega-web-{}.js", hash(js.as_bytes()));
    for (old, name, bytes) in [
        (&wasm, &first_name, &first_bytes[..]),
        (&glue, &glue_name, js.as_bytes()),
    ] {
        std::fs::remove_file(old).map_err(|e| io(old, e))?;
        let new = staging.join(name);
        std::fs::write(&new, bytes).map_err(|e| io(&new, e))?;
    }

    let page = staging.join("index.html");
    let html = std::fs::read_to_string(&page).map_err(|e| io(&page, e))?;
    let html = html
        .replace(&name(&wasm), &first_name)
        .replace(&name(&glue), &glue_name);
    let html = reintegrate(&html, &first_name, &first_bytes);
    let html = reintegrate(&html, &glue_name, js.as_bytes());
    std::fs::write(&page, html).map_err(|e| io(&page, e))?;

    println!(
        "split the page's WebAssembly: {} functions moved to {rest_name} ({named} by their section, {} because only those call them); first part {} KB, rest {} KB (gzip)",
        moved.len(),
        moved.len() - named,
        crate::gzip::size(&staging.join(&first_name))? / 1000,
        crate::gzip::size(&rest_path)? / 1000,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_sections_move_and_the_first_section_and_the_engine_stay() {
        let later = Later::read(&crate::root()).unwrap();
        assert!(later.figures.iter().any(|f| f == "gan"));
        assert!(later.figures.iter().all(|f| f != "playground"));
        let moves_to_rest = |name: &str| later.moves_to_rest(name);
        for later in [
            "spiega_web::figures::gan::GanFigure::draw::h01",
            "<spiega_web::figures::scores::ScoresFigure\\20as\\20spiega_web::figures::Figure>::update::h1",
            "spiega_lessons::transformer::Net::step::h2",
            "<spiega_nn::layer::conv2d::Conv2d\\20as\\20spiega_nn::layer::Module>::forward::h3",
            "spiega_web::figures::transformer::wire::\\7b\\7bclosure\\7d\\7d::h4",
            "spiega_lessons::playground::export_code::Export::script::h6",
            "<spiega_lessons::playground::model_file::ModelFile\\20as\\20serde_core::de::Deserialize>::deserialize::h12",
        ] {
            assert!(moves_to_rest(later), "{later} should move");
        }
        for first in [
            "spiega_web::figures::playground::figure::PlaygroundFigure::draw::h5",
            "spiega_lessons::playground::Playground::step::h6",
            "<spiega_web::figures::playground::figure::PlaygroundFigure\\20as\\20spiega_web::figures::Figure>::model_export::h13",
            "<spiega_nn::layer::dense::Dense\\20as\\20spiega_nn::layer::Module>::backward::h7",
            "spiega_web::figures::mount_all::h8",
            "spiega_web::charts::line::draw::h9",
            "matrixmultiply::gemm::gemm_loop::h10",
            // Shared by a later figure and the first section: stays.
            "spiega_web::figures::share::apply::<spiega_web::figures::gan::GanFigure>::h11",
        ] {
            assert!(!moves_to_rest(first), "{first} should stay");
        }
    }

    #[test]
    fn what_only_moving_functions_call_moves_with_them() {
        let wat = concat!(
            " (type $0 (func))\n",
            " (global $g funcref (ref.func $kept_by_global))\n",
            " (elem (table $0) (i32.const 1) func\n",
            "  $in_table)\n",
            " (export \"run\" (func $first))\n",
            " (func $first\n",
            "  (call $shared)\n",
            "  (call_indirect (type $0) (i32.const 1))\n",
            " )\n",
            " (func $later\n",
            "  (call $shared)\n",
            "  (call $only_later)\n",
            "  (call $in_table)\n",
            "  (call $kept_by_global)\n",
            "  (drop (ref.func $referenced_by_later))\n",
            " )\n",
            " (func $only_later\n",
            "  (return_call $helper\\20of\\20only_later)\n",
            " )\n",
            " (func $helper\\20of\\20only_later)\n",
            " (func $referenced_by_later\n",
            " )\n",
            " (func $shared\n",
            " )\n",
            " (func $in_table\n",
            " )\n",
            " (func $kept_by_global\n",
            " )\n",
            " (func $called_by_nobody\n",
            " )\n",
            // Two functions calling each other, reached only from `later`: they go together.
            " (func $later_loop_a\n",
            "  (call $later_loop_b)\n",
            " )\n",
            " (func $later_loop_b\n",
            "  (call $later_loop_a)\n",
            " )\n",
            // The same, but `first` calls into it as well: both stay.
            " (func $shared_loop_a\n",
            "  (call $shared_loop_b)\n",
            " )\n",
            " (func $shared_loop_b\n",
            "  (call $shared_loop_a)\n",
            " )\n",
            " (func $first_too\n",
            "  (call $shared_loop_b)\n",
            " )\n",
            " (func $later_too\n",
            "  (call $later_loop_a)\n",
            "  (call $shared_loop_a)\n",
            " )\n",
        );
        assert_eq!(
            called_only_from(wat, &["later", "later_too"]),
            [
                "only_later",
                "helper\\20of\\20only_later",
                "referenced_by_later",
                "later_loop_a",
                "later_loop_b",
            ]
        );
        assert!(called_only_from(wat, &[]).is_empty());
    }

    #[test]
    fn the_first_parts_exports_are_shortened_and_its_tables_pointed_right() {
        let first = concat!(
            " (table $0 10 10 funcref)\n",
            " (table $1 4 externref)\n",
            " (export \"__wbindgen_externrefs\" (table $0))\n",
            " (export \"%table\" (table $0))\n",
            " (export \"%core::sort::h1\" (func $7))\n",
            " (export \"%Closure\\\\28\\\\22x\\\\22\\\\29\" (func $8))\n",
        );
        let want = HashMap::from([("__wbindgen_externrefs".to_owned(), "externref".to_owned())]);
        let (fixed, renames) = fix_first(first, &want).unwrap();
        assert!(fixed.contains(" (export \"__wbindgen_externrefs\" (table $1))"));
        assert!(fixed.contains(" (export \"%table\" (table $0))"));
        assert!(fixed.contains(" (export \"%0\" (func $7))"));
        assert!(fixed.contains(" (export \"%1\" (func $8))"));
        let rest = concat!(
            " (import \"primary\" \"%table\" (table $t 10 10 funcref))\n",
            " (import \"primary\" \"%Closure\\\\28\\\\22x\\\\22\\\\29\" (func $f (param i32)))\n",
        );
        let fixed_rest = fix_rest(rest, &renames).unwrap();
        assert!(fixed_rest.contains(" (import \"primary\" \"%1\" (func $f (param i32)))"));
        assert_eq!(function_table_import(&fixed_rest).unwrap(), "%table");
        let unknown = " (import \"primary\" \"%other\" (func $g))\n";
        assert!(fix_rest(unknown, &renames).is_err());
    }

    #[test]
    fn integrity_is_rewritten_for_the_named_file_only() {
        let html = "<link rel=\"modulepreload\" href=\"./a.js\" integrity=\"sha384-old\">\
                    <link rel=\"preload\" href=\"./b.wasm\" integrity=\"sha384-keep\">";
        let out = reintegrate(html, "a.js", b"new");
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha384::digest(b"new"));
        assert!(out.contains(&format!("href=\"./a.js\" integrity=\"sha384-{expected}\">")));
        assert!(out.contains("integrity=\"sha384-keep\""));
        assert_eq!(reintegrate(html, "c.js", b"x"), html);
    }
}
