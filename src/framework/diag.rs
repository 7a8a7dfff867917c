//! Diagnostics: the only way errors and warnings reach the user.

use super::path::AttrPath;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// Where in the resource's configuration the problem is; Terraform
    /// underlines that attribute in the .tf file.
    pub path: Option<AttrPath>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
        let mut d = Diagnostics::new();
        d.add_error(summary, detail);
        d
    }
    pub fn add_error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.add(Severity::Error, summary.into(), detail.into(), None);
    }
    pub fn add_warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.add(Severity::Warning, summary.into(), detail.into(), None);
    }
    pub fn add_attr_error(
        &mut self,
        path: &AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.add(
            Severity::Error,
            summary.into(),
            detail.into(),
            Some(path.clone()),
        );
    }
    /// Adds a diagnostic as it is. Validators may run on the same value
    /// twice (validate and plan); it is said once.
    pub fn push(&mut self, d: Diagnostic) {
        if !self.0.contains(&d) {
            self.0.push(d);
        }
    }
    fn add(&mut self, severity: Severity, summary: String, detail: String, path: Option<AttrPath>) {
        let d = Diagnostic {
            severity,
            summary,
            detail,
            path,
        };
        self.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.0 {
            self.push(d);
        }
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.0 {
            match &d.path {
                Some(p) => writeln!(f, "{:?}: {}: {} ({p})", d.severity, d.summary, d.detail)?,
                None => writeln!(f, "{:?}: {}: {}", d.severity, d.summary, d.detail)?,
            }
        }
        Ok(())
    }
}
