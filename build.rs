//! Marks a build made without `../shared` (Clerk's spec, the reference samples, the
//! platforms' schemas): the tests that read it are then ignored with their reason,
//! visibly, instead of returning early and counting as passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_absent)");
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    println!("cargo::rerun-if-changed={}", shared.display());
    if !shared.is_dir() {
        println!("cargo::rustc-cfg=shared_absent");
    }
}
