//! Property: a name that passes the entry rules never leaves the directory it is joined to.

use hague_package::check_entry_name;
use proptest::prelude::*;
use std::path::{Component, Path};

proptest! {
    #[test]
    fn accepted_names_stay_inside(name in "[a-zA-Z0-9./\\\\:\u{e9}\u{301} \0-]{0,24}") {
        if check_entry_name(&name).is_empty() {
            let base = Path::new("/base/dir");
            let joined = base.join(&name);
            prop_assert!(joined.starts_with(base), "{name:?} -> {joined:?}");
            prop_assert!(
                !joined
                    .strip_prefix(base)
                    .unwrap()
                    .components()
                    .any(|c| !matches!(c, Component::Normal(_))),
                "{name:?} -> {joined:?}"
            );
        }
    }

    #[test]
    fn rejected_names_say_why(name in "(\\.\\./|/|[A-Z]:|a\\\\)[a-z]{1,5}") {
        prop_assert!(!check_entry_name(&name).is_empty(), "{name:?} accepted");
    }
}
