//! Embeds the catalogue (`schemas/`) and the fixtures the binary reads at run time (examples,
//! errata, table rows, the reference server's seed, target profiles) into the binary, so an
//! installed `hwconform` carries its contract with it and never reads the source tree at run time.
//! Test-only fixtures (sample reports, signing vectors, the vendored OpenAPI schema) stay out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What the binary needs at run time, relative to the crate root (folders or files).
const EMBEDDED: &[&str] = &[
    "schemas",
    "fixtures/examples",
    "fixtures/errata.json",
    "fixtures/rows.json",
    "fixtures/seed.json",
    "fixtures/targets",
];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in EMBEDDED {
        println!("cargo:rerun-if-changed={dir}");
        collect(&root, &root.join(dir), &mut files);
    }
    files.sort();
    let mut out = String::from(
        "/// Every embedded file: (path relative to the crate root, contents).\npub(super) static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for (rel, abs) in &files {
        writeln!(out, "    ({rel:?}, include_str!({abs:?})),").expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    if dir.is_file() {
        let rel = dir.strip_prefix(root).expect("below root").to_string_lossy().replace('\\', "/");
        files.push((rel, dir.to_string_lossy().into_owned()));
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "txt" | "toml")) {
            let rel = path.strip_prefix(root).expect("walked below root").to_string_lossy().replace('\\', "/");
            files.push((rel, path.to_string_lossy().into_owned()));
        }
    }
}
