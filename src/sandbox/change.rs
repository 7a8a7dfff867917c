//! Applying a modify: every field the request sent replaces the stored one. Both clouds'
//! backends use it, so "copy it if sent, note whether it changed" is written once; and
//! [`inputs!`], which declares a kind's create and modify inputs from one field list.

/// `inputs! { NewX / XChange { field: T, … } same { field: U, … } }` declares a kind's create
/// input `NewX` (each field a `T`, already checked) and its modify input `XChange` (each field an
/// `Option<T>`: sent or not) from one field list, so the two cannot drift apart. The optional
/// `same` fields have one type in both (e.g. an `Option` at create too, or a set of options);
/// the optional `create_only` and `change_only` fields belong to one of the two (what only a
/// create sets, what only a modify sends).
/// Doc comments go before each name and each field.
macro_rules! inputs {
    (
        $(#[$new_meta:meta])* $new:ident /
        $(#[$change_meta:meta])* $change:ident {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty,)*
        }
        $(same { $($(#[$same_meta:meta])* $same:ident: $same_ty:ty,)* })?
        $(create_only { $($(#[$new_only_meta:meta])* $new_only:ident: $new_only_ty:ty,)* })?
        $(change_only { $($(#[$ch_only_meta:meta])* $ch_only:ident: $ch_only_ty:ty,)* })?
    ) => {
        $(#[$new_meta])*
        pub(crate) struct $new {
            $($(#[$field_meta])* pub $field: $ty,)*
            $($($(#[$same_meta])* pub $same: $same_ty,)*)?
            $($($(#[$new_only_meta])* pub $new_only: $new_only_ty,)*)?
        }

        $(#[$change_meta])*
        pub(crate) struct $change {
            $($(#[$field_meta])* pub $field: Option<$ty>,)*
            $($($(#[$same_meta])* pub $same: $same_ty,)*)?
            $($($(#[$ch_only_meta])* pub $ch_only: $ch_only_ty,)*)?
        }
    };
}
pub(crate) use inputs;

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
