//! Attribute paths, as Terraform uses them to point a diagnostic or a
//! replacement at one attribute or block inside a resource.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// An object attribute or a nested block name.
    Attr(String),
    /// A list or set element index.
    Index(i64),
    /// A map key.
    Key(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttrPath(pub Vec<Step>);

impl AttrPath {
    pub fn root() -> AttrPath {
        AttrPath(Vec::new())
    }
    pub fn attr(name: &str) -> AttrPath {
        AttrPath(vec![Step::Attr(name.to_string())])
    }
    pub fn child(&self, name: &str) -> AttrPath {
        let mut p = self.clone();
        p.0.push(Step::Attr(name.to_string()));
        p
    }
    pub fn index(&self, i: usize) -> AttrPath {
        let mut p = self.clone();
        p.0.push(Step::Index(i64::try_from(i).unwrap_or(i64::MAX)));
        p
    }
    pub fn key(&self, k: &str) -> AttrPath {
        let mut p = self.clone();
        p.0.push(Step::Key(k.to_string()));
        p
    }
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
            }
        }
        Ok(())
    }
}
