//! The module map in ARCHITECTURE.md, checked: every `crate::…`, `super::…` and child-module path
//! in `src/` (test code aside) is read, resolved to the file it names, and
//!
//! - no layer reaches above itself: `tfplugin` → `framework` ← `resources` → `clients` → `cloud`
//!   → `signer`, the sandbox → `signer` only, and only the composition root (`provider`, the
//!   binaries, `lib.rs`) sees them all;
//! - no two files of `src/` import each other, directly or round a longer circle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

/// What each top-level module may use besides itself.
const ALLOWED: &[(&str, &[&str])] = &[
    ("signer", &[]),
    ("cloud", &["signer"]),
    ("clients", &["cloud", "signer"]),
    ("framework", &[]),
    ("resources", &["framework", "clients", "cloud", "signer"]),
    ("tfplugin", &["framework", "logging"]),
    ("sandbox", &["signer"]),
    ("logging", &[]),
    ("docgen", &["framework", "provider", "resources"]),
    (
        "provider",
        &["framework", "resources", "clients", "cloud", "signer"],
    ),
];

/// A source file: its module path (`["resources", "jdcloud", "vpn_tunnel"]`) and text without
/// test code.
struct File {
    module: Vec<String>,
    text: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Whole-line comments, test modules (`#[cfg(test)] mod x { … }` to the end of the file, as they
/// always come last) and the bodies of inline modules (whose `super::` is their own file) go.
fn without_tests(text: &str) -> String {
    // Comments (doc links included) name paths without using them.
    let comment = Regex::new(r"(?m)^\s*//.*$").unwrap();
    let text = comment.replace_all(text, "");
    let text = text.as_ref();
    let test_mod = Regex::new(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{").unwrap();
    let text = match test_mod.find(text) {
        Some(m) => &text[..m.start()],
        None => text,
    };
    let inline = Regex::new(r"(?m)^(pub(\(\w+\))?\s+)?mod\s+\w+\s*\{").unwrap();
    let mut out = String::new();
    let mut rest = text;
    while let Some(m) = inline.find(rest) {
        out.push_str(&rest[..m.start()]);
        // Skip to the matching brace.
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest[m.end() - 1..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = m.end() - 1 + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn load() -> BTreeMap<String, File> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let mut files = BTreeMap::new();
    for p in paths {
        let rel = p
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("bin/")
            || rel == "main.rs"
            || rel.ends_with("/tests.rs")
            || rel.contains("/tests/")
            || rel == "framework/testing.rs"
        {
            continue;
        }
        let mut module: Vec<String> = rel
            .trim_end_matches(".rs")
            .split('/')
            .map(String::from)
            .collect();
        if matches!(
            module.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            module.pop();
        }
        let text = without_tests(&fs::read_to_string(&p).unwrap());
        files.insert(rel, File { module, text });
    }
    files
}

/// The files each file uses.
fn edges(files: &BTreeMap<String, File>) -> BTreeMap<String, BTreeSet<String>> {
    let by_module: BTreeMap<&[String], &str> = files
        .iter()
        .map(|(rel, f)| (f.module.as_slice(), rel.as_str()))
        .collect();
    // The deepest file a path reaches.
    let resolve = |full: &[String]| -> Option<&str> {
        (0..=full.len())
            .rev()
            .find_map(|i| by_module.get(&full[..i]).copied())
    };
    let path = Regex::new(r"(\$?crate|super|self)((?:::\w+)+)").unwrap();
    let group = Regex::new(r"use\s+(\$?crate|super|self)((?:::\w+)*)::\{([^}]*)\}").unwrap();
    let child = Regex::new(r"(?:^|[^:\w])([a-z_][a-z0-9_]*)::").unwrap();
    let mut out = BTreeMap::new();
    for (rel, f) in files {
        let mut to = BTreeSet::new();
        let mut add = |head: &str, tail: Vec<String>| {
            let mut base = match head {
                "crate" | "$crate" => Vec::new(),
                "self" => f.module.clone(),
                _ => f.module[..f.module.len().saturating_sub(1)].to_vec(),
            };
            let mut tail = tail.into_iter().peekable();
            while tail.peek().map(String::as_str) == Some("super") {
                base.pop();
                tail.next();
            }
            base.extend(tail);
            // The crate root (macros, re-exports) is not a layer.
            if let Some(target) = resolve(&base).filter(|t| *t != "lib.rs") {
                if target != rel {
                    to.insert(target.to_string());
                }
            }
        };
        for c in path.captures_iter(&f.text) {
            let tail = c[2]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            add(&c[1], tail);
        }
        for c in group.captures_iter(&f.text) {
            let base: Vec<String> = c[2]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            for item in c[3].split(',') {
                let first = item
                    .trim()
                    .split("::")
                    .next()
                    .unwrap_or("")
                    .split(' ')
                    .next()
                    .unwrap_or("");
                if first.is_empty() || first == "self" {
                    continue;
                }
                let mut tail = base.clone();
                if first != "*" {
                    tail.push(first.to_string());
                }
                add(&c[1], tail);
            }
        }
        for c in child.captures_iter(&f.text) {
            let mut m = f.module.clone();
            m.push(c[1].to_string());
            if let Some(target) = by_module.get(m.as_slice()) {
                if *target != rel {
                    to.insert((*target).to_string());
                }
            }
        }
        out.insert(rel.clone(), to);
    }
    out
}

#[test]
fn no_layer_reaches_above_itself() {
    let files = load();
    let mut wrong = Vec::new();
    for (from, targets) in edges(&files) {
        let layer = files[&from].module.first().cloned().unwrap_or_default();
        let Some((_, allowed)) = ALLOWED.iter().find(|(l, _)| *l == layer) else {
            continue; // lib.rs and main.rs compose everything
        };
        for to in targets {
            let target = files[&to].module.first().cloned().unwrap_or_default();
            if target != layer && !allowed.contains(&target.as_str()) {
                wrong.push(format!("{from} uses {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_files_import_each_other() {
    let files = load();
    let graph = edges(&files);
    // Tarjan's strongly connected components: any with two files or more is a circle.
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        circles: Vec<Vec<&'a str>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    self.low.entry(v).and_modify(|l| *l = (*l).min(lw));
                } else if self.stack.contains(&w) {
                    let iw = self.index[w];
                    self.low.entry(v).and_modify(|l| *l = (*l).min(iw));
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort_unstable();
                    self.circles.push(comp);
                }
            }
        }
    }
    let mut walk = Walk {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        circles: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    let report: Vec<String> = walk
        .circles
        .iter()
        .map(|c| {
            let detail: Vec<String> = c
                .iter()
                .map(|f| {
                    let inside: Vec<&str> = graph[*f]
                        .iter()
                        .filter(|t| c.contains(&t.as_str()))
                        .map(String::as_str)
                        .collect();
                    format!("  {f} uses {inside:?}")
                })
                .collect();
            detail.join("\n")
        })
        .collect();
    assert!(
        report.is_empty(),
        "import circles:\n{}",
        report.join("\n\n")
    );
}

/// The checks see what they claim to: a circle made on purpose is found.
#[test]
fn the_checker_finds_what_it_looks_for() {
    let mut files = BTreeMap::new();
    for (rel, module, text) in [
        ("a.rs", "a", "use crate::b::X;"),
        ("b.rs", "b", "use super::a::{Y, Z};"),
        ("c/mod.rs", "c", "use d::Q; mod d;"),
        ("c/d.rs", "c/d", "fn f() {}"),
    ] {
        files.insert(
            rel.to_string(),
            File {
                module: module.split('/').map(String::from).collect(),
                text: text.to_string(),
            },
        );
    }
    let g = edges(&files);
    assert!(g["a.rs"].contains("b.rs") && g["b.rs"].contains("a.rs"));
    assert!(g["c/mod.rs"].contains("c/d.rs"));
    assert_eq!(
        without_tests("fn a() {}\nmod inner {\n    use super::*;\n}\nfn b() {}\n#[cfg(test)]\nmod tests { use crate::x; }"),
        "fn a() {}\n\nfn b() {}\n"
    );
}
