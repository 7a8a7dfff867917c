//! docs/ is generated from the schemas; this fails when it is stale.
//! Regenerate with `cargo run --bin hybridnet-docgen`.
use std::path::Path;

#[test]
fn docs_match_the_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (rel, want) in hybridnet::docgen::render(root) {
        let have = std::fs::read_to_string(root.join(&rel)).unwrap_or_default();
        if have != want {
            stale.push(rel);
        }
    }
    assert!(
        stale.is_empty(),
        "stale docs: {stale:?}; run `cargo run --bin hybridnet-docgen`"
    );
    // No file in docs/resources, docs/data-sources or docs/ephemeral-resources
    // without a type behind it.
    let rendered = hybridnet::docgen::render(root);
    for dir in [
        "docs/resources",
        "docs/data-sources",
        "docs/ephemeral-resources",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(
                rendered.contains_key(&format!("{dir}/{name}")),
                "orphan doc {dir}/{name}"
            );
        }
    }
}
