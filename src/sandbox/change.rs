//! Applying a modify: every field the request sent replaces the stored one. Both clouds'
//! backends use it, so "copy it if sent, note whether it changed" is written once.

/// Puts `value` into `slot` when one was sent; true when that changed the slot (a JD Cloud
/// object that did not change keeps its `updatedTime` and is not saved again).
pub(crate) fn set<T: PartialEq>(slot: &mut T, value: Option<T>) -> bool {
    match value {
        Some(v) if *slot != v => {
            *slot = v;
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_reports_a_change() {
        let mut n = 1;
        assert!(!set(&mut n, None));
        assert!(!set(&mut n, Some(1)));
        assert!(set(&mut n, Some(2)));
        assert_eq!(n, 2);
        let mut id: Option<String> = None;
        assert!(set(&mut id, Some(Some("x".to_owned()))));
        assert_eq!(id.as_deref(), Some("x"));
    }
}
