//! Marks a build made without `../shared` (Clerk's spec, the reference samples, the
//! platforms' schemas), or outside `scripts/test-db.sh` (no database servers): the tests
//! that need them are then ignored with their reason, visibly, instead of returning early
//! and counting as passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_absent)");
    println!("cargo::rustc-check-cfg=cfg(no_test_dbs)");
    println!("cargo::rerun-if-env-changed=MIGRATE_TEST_DBS");
    if std::env::var_os("MIGRATE_TEST_DBS").is_none() {
        println!("cargo::rustc-cfg=no_test_dbs");
    }
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    println!("cargo::rerun-if-changed={}", shared.display());
    if !shared.is_dir() {
        println!("cargo::rustc-cfg=shared_absent");
    }
}
