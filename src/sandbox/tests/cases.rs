//! `cases!`: a table of test cases, one a line, `input => expected`; both clouds' tests use it
//! for their error-case tables and for a scenario's calls that must all be refused.

/// `cases! { a => x, b => y }` is `vec![(a, x), (b, y)]`: a case stays on one line, so a table
/// reads as one (rustfmt would spread every tuple over four).
macro_rules! cases {
    ($($input:expr => $expected:expr),+ $(,)?) => {
        vec![$(($input, $expected)),+]
    };
}
pub(in crate::sandbox) use cases;
