//! `cargo xtask cycles`: fails when the files of a crate import each other in a cycle.
//!
//! Each crate's `src/**/*.rs` is parsed with `syn`; every file is a node (`src/bin/NAME.rs` is a
//! crate of its own) and an edge goes from a file to the file of each module it names: in a `use`
//! (grouped, renamed, `self`, `super`, globs), in a path in code or types (`crate::a::f`,
//! `super::b::T`, `a::T` through an imported or child module `a`), in a macro's tokens, and in an
//! intra-doc link (`[`crate::a::f`]`), which rustdoc resolves as code does. A path names the file
//! of its longest prefix that is a file's module. A file naming its own module or one of its
//! ancestors (a child using its parent's items) is no edge, and neither is `mod child;`: the
//! module tree itself is not a dependency. Test modules inside a file count: a cycle through a
//! test is still two files that cannot be read one after the other.
//!
//! Each cycle is printed as `a → b → a`, followed by the file and line of each of its edges. In
//! the web crate it also fails when a page-level tool ([`PAGE_TOOLS`]) names a particular
//! figure's file instead of the `Figure` trait.

use proc_macro2::{Spacing, TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use syn::visit::Visit;

/// The page-level tools of the web crate (paths under its `src/`): they serve every figure
/// through the `Figure` trait (`figures/mod.rs`) and may name no particular figure's file.
const PAGE_TOOLS: &[&str] = &[
    "figures/tools.rs",
    "figures/share.rs",
    "figures/export.rs",
    "figures/model_export.rs",
    "figures/handoff.rs",
    "embed.rs",
    "download.rs",
    "csv.rs",
];

/// The page-level tools' edges to a particular figure: each as `tool → figure: file:line`.
/// A figure is a file under `figures/` other than the trait's own module and the tools.
pub fn tools_naming_a_figure(sources: &[Source]) -> Result<Vec<String>, String> {
    let is_figure = |rel: &str| {
        rel.starts_with("figures/") && rel != "figures/mod.rs" && !PAGE_TOOLS.contains(&rel)
    };
    Ok(edges_in(sources)?
        .iter()
        .filter(|&(&(a, b), _)| {
            PAGE_TOOLS.contains(&sources[a].rel.as_str()) && is_figure(&sources[b].rel)
        })
        .map(|(&(a, b), line)| {
            format!(
                "{} → {}: {}:{line}",
                shown_module(&module_of(&sources[a].rel)),
                shown_module(&module_of(&sources[b].rel)),
                sources[a].shown
            )
        })
        .collect())
}

/// One source file of a crate: where it is shown, and its path under the crate's root directory.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path printed in reports (relative to the workspace root).
    pub shown: String,
    /// The path relative to the crate root's directory, `/`-separated (`lib.rs`, `a/mod.rs`).
    pub rel: String,
    /// The file's text.
    pub text: String,
}

/// An edge of a cycle: from one module to another, named at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The naming module (`::`-joined path, `crate` for the root).
    pub from: String,
    /// The named module.
    pub to: String,
    /// Where: the naming file's shown path and the line.
    pub at: String,
}

/// A cycle of files: its edges in order, the last returning to the first's module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The edges, starting from the module whose name sorts first.
    pub steps: Vec<Step>,
}

impl Cycle {
    /// The modules in order, as `a → b → a`.
    pub fn chain(&self) -> String {
        let mut names: Vec<&str> = self.steps.iter().map(|s| s.from.as_str()).collect();
        if let Some(first) = self.steps.first() {
            names.push(&first.from);
        }
        names.join(" → ")
    }
}

/// A module's path from its file's path under the crate root's directory.
fn module_of(rel: &str) -> Vec<String> {
    let stem = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = stem.split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

/// A module path as printed: `a::b`, or `crate` for the root.
fn shown_module(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// The edges among one crate's files (given relative to the crate root's directory), as
/// (naming file, named file) → the first line naming it, files by their index in `sources`.
///
/// # Errors
/// A file that does not parse, with its path and syn's message.
pub fn edges_in(sources: &[Source]) -> Result<BTreeMap<(usize, usize), usize>, String> {
    let modules: BTreeMap<Vec<String>, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (module_of(&s.rel), i))
        .collect();
    // (from, to) → first line naming it.
    let mut edges: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (from, source) in sources.iter().enumerate() {
        let file = syn::parse_file(&source.text)
            .map_err(|e| format!("{}: could not parse: {e}", source.shown))?;
        let here = module_of(&source.rel);
        let mut names = Names {
            modules: &modules,
            here: here.clone(),
            aliases: HashMap::new(),
            named: None,
        };
        names.visit_file(&file);
        let mut named = Vec::new();
        names.here = here.clone();
        names.named = Some(&mut named);
        names.visit_file(&file);
        for (path, line) in named {
            let Some(to) = file_of(&modules, &path) else {
                continue;
            };
            let target = module_of(&sources[to].rel);
            if to == from || here.starts_with(&target) {
                continue;
            }
            let first = edges.entry((from, to)).or_insert(line);
            *first = (*first).min(line);
        }
    }
    Ok(edges)
}

/// The cycles among one crate's files (given relative to the crate root's directory).
///
/// # Errors
/// A file that does not parse, with its path and syn's message.
pub fn cycles_in(sources: &[Source]) -> Result<Vec<Cycle>, String> {
    let edges = edges_in(sources)?;
    let n = sources.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges.keys() {
        next[a].push(b);
    }
    let name = |i: usize| shown_module(&module_of(&sources[i].rel));
    let mut cycles = Vec::new();
    for component in strongly_connected(&next) {
        if component.len() < 2 {
            continue;
        }
        let mut order = component.clone();
        order.sort_by_key(|&i| name(i));
        for (k, &start) in order.iter().enumerate() {
            let allowed: BTreeSet<usize> = order[k..].iter().copied().collect();
            let mut path = vec![start];
            elementary(&next, &allowed, start, &mut path, &mut |nodes| {
                let steps = nodes
                    .iter()
                    .enumerate()
                    .map(|(j, &a)| {
                        let b = nodes[(j + 1) % nodes.len()];
                        Step {
                            from: name(a),
                            to: name(b),
                            at: format!("{}:{}", sources[a].shown, edges[&(a, b)]),
                        }
                    })
                    .collect();
                cycles.push(Cycle { steps });
            });
        }
    }
    Ok(cycles)
}

/// The most cycles listed per start (a tangle of more says enough).
const MOST_PER_START: usize = 50;

/// Every elementary cycle through `path[0]` over the nodes of `allowed`, each passed to `found`.
fn elementary(
    next: &[Vec<usize>],
    allowed: &BTreeSet<usize>,
    start: usize,
    path: &mut Vec<usize>,
    found: &mut dyn FnMut(&[usize]),
) -> usize {
    let mut count = 0;
    let Some(&at) = path.last() else {
        return 0;
    };
    for &b in &next[at] {
        if count >= MOST_PER_START {
            break;
        }
        if b == start {
            found(path);
            count += 1;
        } else if allowed.contains(&b) && !path.contains(&b) {
            path.push(b);
            count += elementary(next, allowed, start, path, found);
            path.pop();
        }
    }
    count
}

/// The strongly connected components of a graph given by its successor lists (Tarjan).
fn strongly_connected(next: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct Tarjan<'a> {
        next: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        out: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.counter);
            self.low[v] = self.counter;
            self.counter += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.next[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                self.out.push(component);
            }
        }
    }
    let n = next.len();
    let mut t = Tarjan {
        next,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        counter: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    t.out
}

/// The file owning a module path: the one whose module is its longest prefix.
fn file_of(modules: &BTreeMap<Vec<String>, usize>, path: &[String]) -> Option<usize> {
    (0..=path.len())
        .rev()
        .find_map(|k| modules.get(&path[..k]).copied())
}

/// Collects the module paths a file names. A first pass (`named` is `None`) gathers the names its
/// `use` items bring in, so that a later `a::f` through `use crate::x::a;` resolves; the second
/// records every path with its line.
struct Names<'a, 'b> {
    modules: &'a BTreeMap<Vec<String>, usize>,
    /// The module being read (the file's, then any inline `mod` within it).
    here: Vec<String>,
    /// Names brought in by `use`, resolved to crate paths.
    aliases: HashMap<String, Vec<String>>,
    /// Paths named, with their lines (second pass only).
    named: Option<&'b mut Vec<(Vec<String>, usize)>>,
}

impl Names<'_, '_> {
    /// Resolves a path's segments to a path from the crate root, if it starts in this crate.
    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        let mut base = match first.as_str() {
            "crate" | "$crate" => Vec::new(),
            "self" => self.here.clone(),
            "super" => {
                let mut base = self.here.clone();
                base.pop()?;
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            name => {
                if let Some(path) = self.aliases.get(name) {
                    path.clone()
                } else {
                    let mut child = self.here.clone();
                    child.push(name.to_string());
                    let is_module = self
                        .modules
                        .range(child.clone()..)
                        .next()
                        .is_some_and(|(m, _)| m.starts_with(&child));
                    if !is_module {
                        return None;
                    }
                    child
                }
            }
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// Records a path named at `line`, if it starts in this crate.
    fn name(&mut self, segments: &[String], line: usize) {
        let Some(path) = self.resolve(segments) else {
            return;
        };
        if let Some(named) = self.named.as_mut() {
            named.push((path, line));
        }
    }

    /// Walks a `use` tree under `prefix`, binding and recording each leaf.
    fn use_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>) {
        let leaf = |names: &mut Self, path: Vec<String>, alias: Option<String>, line: usize| {
            if let Some(resolved) = names.resolve(&path) {
                if let Some(alias) = alias
                    && names.named.is_none()
                {
                    names.aliases.insert(alias, resolved.clone());
                }
                if let Some(named) = names.named.as_mut() {
                    named.push((resolved, line));
                }
            }
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(&p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(t, prefix);
                }
            }
            syn::UseTree::Name(n) => {
                let line = n.ident.span().start().line;
                if n.ident == "self" {
                    let alias = prefix.last().cloned();
                    leaf(self, prefix.clone(), alias, line);
                } else {
                    let mut path = prefix.clone();
                    path.push(n.ident.to_string());
                    leaf(self, path, Some(n.ident.to_string()), line);
                }
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                if r.ident != "self" {
                    path.push(r.ident.to_string());
                }
                leaf(
                    self,
                    path,
                    Some(r.rename.to_string()),
                    r.ident.span().start().line,
                );
            }
            syn::UseTree::Glob(g) => {
                leaf(self, prefix.clone(), None, g.star_token.span.start().line);
            }
        }
    }

    /// Records the paths in a token stream (a macro's arguments): `a::b` sequences of identifiers.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => {
                    self.tokens(g.stream());
                    i += 1;
                }
                TokenTree::Ident(id) => {
                    let mut segments = vec![id.to_string()];
                    let line = id.span().start().line;
                    let mut j = i + 1;
                    while let (
                        Some(TokenTree::Punct(a)),
                        Some(TokenTree::Punct(b)),
                        Some(TokenTree::Ident(next)),
                    ) = (trees.get(j), trees.get(j + 1), trees.get(j + 2))
                    {
                        if a.as_char() != ':' || a.spacing() != Spacing::Joint || b.as_char() != ':'
                        {
                            break;
                        }
                        segments.push(next.to_string());
                        j += 3;
                    }
                    if segments.len() > 1 {
                        self.name(&segments, line);
                    }
                    i = j;
                }
                _ => i += 1,
            }
        }
    }

    /// Records the intra-doc links of one line of documentation.
    fn doc(&mut self, text: &str, line: usize) {
        for target in doc_links(text) {
            let segments: Vec<String> = target.split("::").map(String::from).collect();
            self.name(&segments, line);
        }
    }
}

/// The paths an intra-doc link can name in a line of documentation: the text between `[` and
/// `]`, or the target in `(…)` right after it, when it reads as a path (`a::b`, with backticks,
/// a kind prefix such as `struct@`, or a trailing `()` or `!` removed).
fn doc_links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            break;
        };
        let mut inner = &after[..close];
        let tail = &after[close + 1..];
        if let Some(target) = tail.strip_prefix('(').and_then(|t| t.split(')').next()) {
            inner = target;
        }
        let trimmed = inner.trim().trim_matches('`');
        let trimmed = trimmed.rsplit('@').next().unwrap_or(trimmed);
        let trimmed = trimmed.trim_end_matches("()").trim_end_matches('!');
        let is_path = !trimmed.is_empty()
            && trimmed.split("::").all(|s| {
                s.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && s.chars().all(|c| c.is_alphanumeric() || c == '_')
            });
        if is_path {
            out.push(trimmed.to_string());
        }
        rest = &after[close..];
    }
    out
}

impl<'ast> Visit<'ast> for Names<'_, '_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        for attr in &m.attrs {
            self.visit_attribute(attr);
        }
        if let Some((_, items)) = &m.content {
            self.here.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.here.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if u.leading_colon.is_none() {
            self.use_tree(&u.tree, &mut Vec::new());
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let Some(first) = path.segments.first() {
                self.name(&segments, first.ident.span().start().line);
            }
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.visit_path(&m.path);
        self.tokens(m.tokens.clone());
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && nv.path.is_ident("doc")
        {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            {
                self.doc(&s.value(), attr.pound_token.span.start().line);
            }
            return;
        }
        syn::visit::visit_attribute(self, attr);
    }
}

/// The crates of the workspace: (shown directory, source directory).
fn crate_dirs(root: &Path) -> Result<Vec<(String, std::path::PathBuf)>, String> {
    let mut out = Vec::new();
    let crates = root.join("crates");
    let entries = std::fs::read_dir(&crates)
        .map_err(|e| format!("could not read {}: {e}", crates.display()))?;
    for entry in entries.flatten() {
        let src = entry.path().join("src");
        if src.is_dir() {
            out.push((
                format!("crates/{}", entry.file_name().to_string_lossy()),
                src,
            ));
        }
    }
    if root.join("tests/src").is_dir() {
        out.push(("tests".to_string(), root.join("tests/src")));
    }
    out.sort();
    Ok(out)
}

/// Every `.rs` file under `dir`, as paths relative to it (`/`-separated), sorted.
fn rust_files(dir: &Path, under: &str, out: &mut Vec<String>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("could not read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let rel = if under.is_empty() {
            name.clone()
        } else {
            format!("{under}/{name}")
        };
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, &rel, out)?;
        } else if name.ends_with(".rs") {
            out.push(rel);
        }
    }
    out.sort();
    Ok(())
}

/// A crate's sources grouped by crate root: the library or binary at `src/`, and each
/// `src/bin/NAME.rs` (or `src/bin/NAME/`) on its own, its paths made relative to its own root.
fn crate_roots(shown: &str, src: &Path) -> Result<Vec<Vec<Source>>, String> {
    let mut files = Vec::new();
    rust_files(src, "", &mut files)?;
    let mut roots: BTreeMap<String, Vec<Source>> = BTreeMap::new();
    for rel in files {
        let text = std::fs::read_to_string(src.join(&rel))
            .map_err(|e| format!("could not read {shown}/src/{rel}: {e}"))?;
        let (root, own) = match rel.strip_prefix("bin/") {
            Some(bin) => match bin.split_once('/') {
                Some((name, inner)) => (format!("bin/{name}"), inner.to_string()),
                None => (format!("bin/{bin}"), "main.rs".to_string()),
            },
            None => (String::new(), rel.clone()),
        };
        roots.entry(root).or_default().push(Source {
            shown: format!("{shown}/src/{rel}"),
            rel: own,
            text,
        });
    }
    Ok(roots.into_values().collect())
}

/// Checks every crate of the workspace at `root`, printing each cycle and each page-level tool
/// that names a particular figure; returns whether none was found.
///
/// # Errors
/// A directory or file that cannot be read, or a file that does not parse.
pub fn main(root: &Path) -> Result<bool, String> {
    let mut found = 0;
    let mut files = 0;
    for (shown, src) in crate_dirs(root)? {
        for sources in crate_roots(&shown, &src)? {
            files += sources.len();
            if shown == "crates/web" {
                for edge in tools_naming_a_figure(&sources)? {
                    found += 1;
                    println!("a page-level tool names one figure, not the Figure trait: {edge}");
                }
            }
            for cycle in cycles_in(&sources)? {
                found += 1;
                println!("import cycle in {shown}: {}", cycle.chain());
                for step in &cycle.steps {
                    println!("  {} → {}: {}", step.from, step.to, step.at);
                }
            }
        }
    }
    println!("import cycles: {files} files read, {found} cycles or page tools naming a figure");
    Ok(found == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate of `(path under src/, text)` files.
    fn sources(files: &[(&str, &str)]) -> Vec<Source> {
        files
            .iter()
            .map(|(rel, text)| Source {
                shown: format!("src/{rel}"),
                rel: (*rel).to_string(),
                text: (*text).to_string(),
            })
            .collect()
    }

    fn chains(files: &[(&str, &str)]) -> Vec<String> {
        cycles_in(&sources(files))
            .expect("parses")
            .iter()
            .map(Cycle::chain)
            .collect()
    }

    #[test]
    fn a_cycle_through_a_grouped_import_is_found_with_the_line_of_each_edge() {
        let files = [
            ("lib.rs", "mod a;\nmod b;\n"),
            ("a.rs", "//! A.\n\nuse crate::{error::E, b::{self, f}};\n"),
            ("b.rs", "//! B.\nfn g() {\n    crate::a::h();\n}\n"),
            ("error.rs", "pub struct E;\n"),
        ];
        let cycles = cycles_in(&sources(&files)).expect("parses");
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].chain(), "a → b → a");
        let at: Vec<&str> = cycles[0].steps.iter().map(|s| s.at.as_str()).collect();
        assert_eq!(at, ["src/a.rs:3", "src/b.rs:3"]);
    }

    #[test]
    fn a_child_naming_its_parent_is_no_edge_but_a_parent_naming_its_child_is() {
        let files = [
            ("lib.rs", "mod figures;\n"),
            (
                "figures/mod.rs",
                "mod dots;\nuse dots::Dots;\npub trait Figure {}\n",
            ),
            (
                "figures/dots.rs",
                "use super::Figure;\nuse crate::figures::Figure as F;\n",
            ),
        ];
        assert!(chains(&files).is_empty());
    }

    #[test]
    fn a_super_path_in_code_is_an_edge() {
        let files = [
            ("lib.rs", "mod figures;\n"),
            ("figures/mod.rs", "mod a;\nmod b;\n"),
            ("figures/a.rs", "fn f() { super::b::g(); }\n"),
            ("figures/b.rs", "use super::a;\nfn g() {}\n"),
        ];
        assert_eq!(chains(&files), ["figures::a → figures::b → figures::a"]);
    }

    #[test]
    fn test_modules_macros_and_doc_links_name_files_too() {
        let base = ("lib.rs", "mod a;\nmod b;\n");
        let a = ("a.rs", "use crate::b::B;\n");
        let in_test = (
            "b.rs",
            "pub struct B;\n#[cfg(test)]\nmod tests {\n    use crate::a;\n}\n",
        );
        let in_macro = ("b.rs", "fn f() { println!(\"{}\", crate::a::X); }\n");
        let in_doc = ("b.rs", "//! Not [`crate::a::f`].\n");
        let through_alias = ("b.rs", "use crate::a;\nfn f() { a::g(); }\n");
        for b in [in_test, in_macro, in_doc, through_alias] {
            assert_eq!(chains(&[base, a, b]), ["a → b → a"], "{}", b.1);
        }
    }

    #[test]
    fn inline_modules_names_of_other_crates_and_plain_text_are_no_edges() {
        let files = [
            ("lib.rs", "mod a;\nmod b;\n"),
            ("a.rs", "use crate::b::B;\n"),
            (
                "b.rs",
                "//! About a [link](https://example.invalid/a) and [a note].\n\
                 mod a { pub fn f() {} }\nfn g() { a::f(); std::mem::drop(1); }\n\
                 #[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
            ),
        ];
        assert!(chains(&files).is_empty());
    }

    #[test]
    fn every_cycle_of_a_tangle_is_listed_once() {
        let files = [
            ("lib.rs", ""),
            ("a.rs", "use crate::b;\nuse crate::c;\n"),
            ("b.rs", "use crate::a;\nuse crate::c;\n"),
            ("c.rs", "use crate::a;\n"),
        ];
        let mut found = chains(&files);
        found.sort();
        assert_eq!(found, ["a → b → a", "a → b → c → a", "a → c → a"]);
    }

    #[test]
    fn a_binary_is_a_crate_of_its_own_and_a_file_that_does_not_parse_is_named() {
        let dir = std::env::temp_dir().join(format!("spiega-cycles-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(src.join("bin")).expect("temporary directory");
        std::fs::write(src.join("lib.rs"), "mod a;\n").expect("write");
        std::fs::write(src.join("a.rs"), "").expect("write");
        std::fs::write(src.join("bin/tool.rs"), "use crate::helper;\nmod helper;\n")
            .expect("write");
        let roots = crate_roots("x", &src).expect("reads");
        let rels: Vec<Vec<&str>> = roots
            .iter()
            .map(|r| r.iter().map(|s| s.rel.as_str()).collect())
            .collect();
        assert_eq!(rels, [vec!["a.rs", "lib.rs"], vec!["main.rs"]]);
        let broken = sources(&[("lib.rs", "fn (")]);
        let message = cycles_in(&broken).expect_err("does not parse");
        assert!(
            message.starts_with("src/lib.rs: could not parse"),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_page_tool_may_name_the_figure_trait_but_not_one_figure() {
        let files = [
            ("lib.rs", "mod figures;\n"),
            (
                "figures/mod.rs",
                "mod dots;\nmod share;\npub trait Figure {}\n",
            ),
            ("figures/dots.rs", "pub fn offer() {}\n"),
            ("figures/share.rs", "use super::Figure;\n"),
        ];
        assert!(
            tools_naming_a_figure(&sources(&files))
                .expect("parses")
                .is_empty()
        );
        let mut naming = files;
        naming[3].1 = "use super::Figure;\nfn f() { super::dots::offer(); }\n";
        assert_eq!(
            tools_naming_a_figure(&sources(&naming)).expect("parses"),
            ["figures::share → figures::dots: src/figures/share.rs:2"]
        );
    }
}
