//! The sandbox's dependency rules, read from its source: it uses `crate::signer` and nothing
//! else of the crate, and no file of `src/sandbox/` imports a file that imports it back, however
//! long the circle (tests aside). A file's imports are its `use` items and the paths it writes
//! out (`crate::…`, `super::…`, `self::…`, a child module's or an imported name's), each
//! resolved to the file that defines the longest matching module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["sandbox", "jdcloud", "wire"]`) → file, for every non-test file.
fn modules(root: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "tests" {
                    dirs.push(path);
                }
                continue;
            }
            let Some(stem) = name.strip_suffix(".rs") else {
                continue;
            };
            if stem == "tests" {
                continue;
            }
            let rel = path.parent().unwrap().strip_prefix(root.parent().unwrap());
            let mut module: Vec<String> = rel
                .unwrap()
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            if stem != "mod" {
                module.push(stem.to_owned());
            }
            out.insert(module, path);
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    /// `::`
    Path,
}

/// Rust tokens without comments, string and char literals and lifetimes.
fn tokens(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (at(i + 1) == '"' || (at(i + 1) == '#' && matches!(at(i + 2), '"' | '#')))
        {
            let mut hashes = 0;
            i += 1;
            while at(i) == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Tok::Path);
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    out
}

/// `tokens` without the items marked `#[cfg(test)]`.
fn without_test_items(toks: Vec<Tok>) -> Vec<Tok> {
    let marker: Vec<Tok> = tokens("#[cfg(test)]");
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i..].starts_with(&marker) {
            i += marker.len();
            // Skip the item: up to a `;` outside braces, or to the end of its first brace block.
            let mut depth = 0usize;
            while i < toks.len() {
                match &toks[i] {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    Tok::Punct(';') if depth == 0 => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            continue;
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// The paths of one `use` tree (tokens after `use`, up to `;`), with their local names.
fn use_paths(toks: &[Tok], prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
    // Split at top-level commas.
    let mut depth = 0;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth -= 1,
            Tok::Punct(',') if depth == 0 => {
                parts.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    for part in parts {
        let mut path = prefix.to_vec();
        let mut i = 0;
        while i < part.len() {
            match &part[i] {
                Tok::Ident(id) if id == "as" => {
                    if let Some(Tok::Ident(alias)) = part.get(i + 1) {
                        let alias = alias.clone();
                        if path.last().is_some_and(|l| l == "self") {
                            path.pop();
                        }
                        out.push((path.clone(), alias));
                    }
                    path.clear();
                    break;
                }
                Tok::Ident(id) => path.push(id.clone()),
                Tok::Punct('{') => {
                    let end = part.len() - 1;
                    use_paths(&part[i + 1..end], &path, out);
                    path.clear();
                    break;
                }
                Tok::Punct('*') => {
                    out.push((path.clone(), "*".to_owned()));
                    path.clear();
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        if path.len() > prefix.len() {
            if path.last().is_some_and(|l| l == "self") {
                path.pop();
            }
            let name = path.last().cloned().unwrap_or_default();
            out.push((path, name));
        }
    }
}

/// `path` (as written in `module`) made absolute from the crate root, or `None` for an
/// external crate or an unknown name.
fn absolute(
    module: &[String],
    children: &BTreeSet<String>,
    names: &BTreeMap<String, Vec<String>>,
    path: &[String],
) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => module[..module.len().checked_sub(1)?].to_vec(),
        name if children.contains(name) => {
            let mut m = module.to_vec();
            m.push(name.to_owned());
            m
        }
        name => names.get(name)?.clone(),
    };
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The file defining the longest module prefix of `path`.
fn owner<'m>(
    files: &'m BTreeMap<Vec<String>, PathBuf>,
    path: &[String],
) -> Option<&'m Vec<String>> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get_key_value(&path[..n]).map(|(k, _)| k))
}

fn imports(
    files: &BTreeMap<Vec<String>, PathBuf>,
    module: &[String],
    src: &str,
) -> (BTreeSet<Vec<String>>, Vec<String>) {
    let toks = without_test_items(tokens(src));
    let children: BTreeSet<String> = toks
        .windows(2)
        .filter_map(|w| match w {
            [Tok::Ident(m), Tok::Ident(name)] if m == "mod" => Some(name.clone()),
            _ => None,
        })
        .collect();
    // `use` items first: they also name what later paths start with.
    let mut used = Vec::new();
    let mut i = 0;
    let mut rest = Vec::new();
    while i < toks.len() {
        if toks[i] == Tok::Ident("use".to_owned()) {
            let end = (i..toks.len())
                .find(|&j| toks[j] == Tok::Punct(';'))
                .unwrap_or(toks.len());
            use_paths(&toks[i + 1..end], &[], &mut used);
            i = end + 1;
        } else {
            rest.push(toks[i].clone());
            i += 1;
        }
    }
    let mut names = BTreeMap::new();
    let mut paths = Vec::new();
    for (path, name) in used {
        if let Some(abs) = absolute(module, &children, &BTreeMap::new(), &path) {
            if name != "*" {
                names.insert(name, abs.clone());
            }
            paths.push(abs);
        }
    }
    // Written-out paths: an identifier followed by `::`, and everything it leads to.
    let mut j = 0;
    while j < rest.len() {
        let starts = matches!(rest.get(j + 1), Some(Tok::Path))
            && !matches!(j.checked_sub(1).map(|k| &rest[k]), Some(Tok::Path));
        if let (true, Tok::Ident(_)) = (starts, &rest[j]) {
            let mut path = Vec::new();
            let mut k = j;
            while let Some(Tok::Ident(id)) = rest.get(k) {
                path.push(id.clone());
                if rest.get(k + 1) != Some(&Tok::Path) {
                    break;
                }
                k += 2;
            }
            if let Some(abs) = absolute(module, &children, &names, &path) {
                paths.push(abs);
            }
            j = k + 1;
        } else {
            j += 1;
        }
    }
    let mut targets = BTreeSet::new();
    let mut outside = Vec::new();
    for path in paths {
        if path.first().is_some_and(|s| s == "sandbox") {
            if let Some(target) = owner(files, &path) {
                if target.as_slice() != module {
                    targets.insert(target.clone());
                }
            }
        } else if !path.is_empty() {
            outside.push(path.join("::"));
        }
    }
    (targets, outside)
}

/// A circle through `start`, if any: `a → b → … → a`.
fn circle(
    graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    start: &Vec<String>,
) -> Option<Vec<String>> {
    let mut stack = vec![(start.clone(), vec![start.join("::")])];
    let mut seen = BTreeSet::new();
    while let Some((node, trail)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            let mut trail = trail.clone();
            trail.push(next.join("::"));
            if next == start {
                return Some(trail);
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), trail));
            }
        }
    }
    None
}

fn sandbox_graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sandbox");
    let files = modules(&root);
    assert!(files.len() > 20, "{files:?}");
    let mut graph = BTreeMap::new();
    for (module, path) in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let (targets, outside) = imports(&files, module, &src);
        for o in outside {
            assert!(
                o.starts_with("signer"),
                "{} uses crate::{o}: the sandbox may use crate::signer only",
                path.display()
            );
        }
        if module.iter().any(|s| s == "backend") {
            assert!(
                !src.contains("axum"),
                "{}: the backend knows nothing of HTTP",
                path.display()
            );
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

#[test]
fn no_import_circles_and_signer_only() {
    let graph = sandbox_graph();
    // The reader sees what it must: a handler reaches its backend, the backend the store
    // (through the shared transaction-and-time).
    let edge = |from: &str, to: &str| {
        let f: Vec<String> = from.split("::").map(str::to_owned).collect();
        let t: Vec<String> = to.split("::").map(str::to_owned).collect();
        graph[&f].contains(&t)
    };
    assert!(edge(
        "sandbox::jdcloud::handlers::vpn_tunnel",
        "sandbox::jdcloud::backend::vpn_tunnel"
    ));
    assert!(edge("sandbox::jdcloud::backend::db", "sandbox::db"));
    assert!(edge("sandbox::db", "sandbox::store"));
    assert!(edge("sandbox::jdcloud::auth", "sandbox::nonces"));
    assert!(edge(
        "sandbox::alicloud::handlers::vpn_connection",
        "sandbox::alicloud::backend::vpn_connection"
    ));
    assert!(edge("sandbox::alicloud::backend::db", "sandbox::db"));
    assert!(edge("sandbox::alicloud::auth", "sandbox::nonces"));
    // Handlers → backend → store: a backend never reaches back to the wire.
    let wire = [
        "handlers", "wire", "validate", "params", "rules", "routes", "auth",
    ];
    for (module, targets) in &graph {
        if !module.iter().any(|s| s == "backend") {
            continue;
        }
        for target in targets {
            let cloud_entry = target.len() == 2 && module.starts_with(target);
            assert!(
                !cloud_entry && !target.iter().any(|s| wire.contains(&s.as_str())),
                "{} (backend) imports {}",
                module.join("::"),
                target.join("::")
            );
        }
    }
    let circles: Vec<String> = graph
        .keys()
        .filter_map(|module| circle(&graph, module))
        .map(|trail| trail.join(" → "))
        .collect();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_resolves_what_it_reads() {
    let files: BTreeMap<Vec<String>, PathBuf> = [
        "sandbox",
        "sandbox::a",
        "sandbox::a::b",
        "sandbox::a::c",
        "sandbox::d",
    ]
    .iter()
    .map(|m| (m.split("::").map(str::to_owned).collect(), PathBuf::new()))
    .collect();
    let module: Vec<String> = vec!["sandbox".into(), "a".into(), "b".into()];
    let src = r##"
        //! crate::sandbox::d in a comment
        use super::c::{self as cee, X};
        use crate::signer::{acs3, Credentials};
        mod inner;
        fn f<'a>(x: &'a str) -> char {
            let _ = "crate::sandbox::d in a string";
            let _ = r#"super::super::d"#;
            cee::thing(); super::super::d::Y; inner::z();
            'x'
        }
        #[cfg(test)]
        mod tests { use crate::sandbox::d; }
    "##;
    let (targets, outside) = imports(&files, &module, src);
    let names: Vec<String> = targets.iter().map(|t| t.join("::")).collect();
    assert_eq!(names, ["sandbox::a::c", "sandbox::d"]);
    assert_eq!(outside, ["signer::acs3", "signer::Credentials"]);
}
