//! Writes docs/ from the provider's schemas: `cargo run --bin hybridnet-docgen`.
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (rel, text) in hybridnet::docgen::render(root) {
        let path = root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, text)?;
        println!("wrote {rel}");
    }
    Ok(())
}
