//! "No circles": no source file imports a file that imports it back.
//!
//! For every crate of the workspace (its `src/` and its `tests/it/`), each file's
//! module paths (`crate::a::b`, `super::c`, and `d::` for a module `d` the file
//! declares) are resolved to the file that holds the module they name; a pair of
//! files that name each other fails. The crate root (`lib.rs`, `main.rs`) declares
//! and re-exports the modules, so paths to items of the root itself (`crate::Error`)
//! are not edges. Inline `mod tests` blocks are left out (their `super::` is the
//! file itself). A text scan, not a compiler: it errs towards finding edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::workspace::root;

/// One crate's module tree: a file for each module path.
struct Tree {
    dir: PathBuf,
    root_file: PathBuf,
}

impl Tree {
    /// The file of module `path` (empty: the root), if there is one.
    fn file(&self, path: &[String]) -> Option<PathBuf> {
        if path.is_empty() {
            return Some(self.root_file.clone());
        }
        let rel = path.join("/");
        [
            self.dir.join(format!("{rel}.rs")),
            self.dir.join(&rel).join("mod.rs"),
        ]
        .into_iter()
        .find(|p| p.is_file())
    }

    /// The module path of `file`.
    fn module_of(&self, file: &Path) -> Vec<String> {
        if file == self.root_file {
            return Vec::new();
        }
        let rel = file.strip_prefix(&self.dir).unwrap_or(file);
        let mut parts: Vec<String> = rel
            .iter()
            .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        parts
    }

    /// The longest prefix of `path` that is a module with a file; `None` for the root.
    fn resolve(&self, path: &[String]) -> Option<PathBuf> {
        (1..=path.len()).rev().find_map(|n| self.file(&path[..n]))
    }
}

/// The source without comments and without an inline `mod tests { ... }` block.
fn code(text: &str) -> String {
    let text = match text.find("mod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file names: `crate::`, `super::` and declared child modules.
fn named_paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let code = code(text);
    let children: BTreeSet<&str> = code
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix("pub(crate) ")
                .or_else(|| l.strip_prefix("pub "))
                .unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';')
        })
        .collect();
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if !ident(bytes[i]) || (i > 0 && (ident(bytes[i - 1]) || bytes[i - 1] == b':')) {
            i += 1;
            continue;
        }
        // A path starting here: `a::b::c`, and `{` groups taken as their first name.
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            segments.push(code[start..j].to_owned());
            if code[j..].starts_with("::") && j + 2 < bytes.len() && ident(bytes[j + 2]) {
                j += 2;
            } else {
                break;
            }
        }
        i = j.max(i + 1);
        if segments.len() < 2 {
            continue;
        }
        let mut base: Vec<String> = match segments[0].as_str() {
            "crate" => Vec::new(),
            "super" | "self" => module.to_vec(),
            s if children.contains(s) => module.to_vec(),
            _ => continue,
        };
        let mut rest = &segments[..];
        if rest[0] == "crate" || rest[0] == "self" {
            rest = &rest[1..];
        }
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        out.push(base);
    }
    out
}

/// The files under `dir` ending in `.rs`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every pair of files of `tree` that import each other.
fn circles(tree: &Tree) -> Vec<(PathBuf, PathBuf)> {
    let mut files = Vec::new();
    rust_files(&tree.dir, &mut files);
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let module = tree.module_of(file);
        for path in named_paths(&module, &text) {
            if let Some(target) = tree.resolve(&path) {
                if &target != file && target != tree.root_file {
                    edges.entry(file.clone()).or_default().insert(target);
                }
            }
        }
    }
    let mut found = Vec::new();
    for (a, targets) in &edges {
        for b in targets {
            if a < b && edges.get(b).is_some_and(|t| t.contains(a)) {
                found.push((a.clone(), b.clone()));
            }
        }
    }
    found
}

/// The module trees of the workspace: each crate's `src/` and `tests/it/`.
fn trees() -> Vec<Tree> {
    let root = root();
    let mut dirs = vec![root.join("xtask")];
    if let Ok(entries) = std::fs::read_dir(root.join("crates")) {
        dirs.extend(entries.flatten().map(|e| e.path()));
    }
    let mut trees = Vec::new();
    for dir in dirs {
        for (sub, roots) in [
            ("src", &["lib.rs", "main.rs"][..]),
            ("tests/it", &["main.rs"][..]),
        ] {
            let d = dir.join(sub);
            if let Some(r) = roots.iter().map(|r| d.join(r)).find(|p| p.is_file()) {
                trees.push(Tree {
                    dir: d,
                    root_file: r,
                });
            }
        }
    }
    trees
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let trees = trees();
    assert!(trees.len() > 10, "found only {} module trees", trees.len());
    let found: Vec<String> = trees
        .iter()
        .flat_map(circles)
        .map(|(a, b)| format!("{} <-> {}", a.display(), b.display()))
        .collect();
    assert!(
        found.is_empty(),
        "files that import each other:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_a_planted_circle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("record")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod record;\npub use record::run;\n").unwrap();
    std::fs::write(
        src.join("record/mod.rs"),
        "mod live;\nmod scenario;\npub fn run() { live::go() }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("record/live.rs"),
        "use super::scenario::write;\npub fn go() { super::run() }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("record/scenario.rs"),
        "use crate::Error;\npub fn write() {}\n#[cfg(test)]\nmod tests {\n    use super::super::live;\n}\n",
    )
    .unwrap();
    let tree = Tree {
        dir: src.clone(),
        root_file: src.join("lib.rs"),
    };
    // mod.rs calls live::go, live.rs calls super::run: one circle, and only that one
    // (scenario.rs is named by live.rs; its test module and the root do not count).
    assert_eq!(
        circles(&tree),
        vec![(src.join("record/live.rs"), src.join("record/mod.rs"))]
    );
}
