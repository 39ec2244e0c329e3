//! `cargo xtask package [--verify]`: proves that every library crate is
//! publishable as it stands, with `cargo package --workspace`, although the
//! workspace keeps `publish = false` until a release is decided.
//!
//! Why a copy: cargo (≥ 1.84) packages interdependent path crates through a
//! local registry overlay, but it leaves `publish = false` packages out of
//! that overlay, so with `publish = false` everywhere the first crate that
//! depends on another fails ("no matching package named `firmadoc-model`").
//! So the tracked files are copied to `target/package-check/tree`, the copy's
//! `[workspace.package]` says `publish = true`, and `cargo package
//! --workspace` runs there. Nothing else in the copy changes.
//!
//! Left out: the test-only crates (`fault-injection`, `test-support`, `test-postgres`) and
//! `xtask`, which stay `publish = false` for good and are nobody's normal
//! dependency.
//!
//! `--verify` also builds each packaged crate from its `.crate` file (with the
//! workspace's `target/`, so the dependencies are reused); without it the
//! packages are made and checked for missing files and dependency versions
//! only (`--no-verify`). `cargo xtask ci` runs without `--verify`: see
//! `docs/contributing.md` for the measured cost of both.

use std::path::Path;
use std::process::Command;

use crate::Result;
use crate::workspace::{cargo, root, run};

/// Crates never meant for crates.io: the test-only ones and this tool.
const NOT_PUBLISHED: &[&str] = &["fault-injection", "test-support", "test-postgres", "xtask"];

pub(crate) fn run_package(args: &[String]) -> Result<()> {
    let verify = match args {
        [] => false,
        [a] if a == "--verify" => true,
        _ => return Err("usage: cargo xtask package [--verify]".into()),
    };
    let root = root();
    let tree = root.join("target/package-check/tree");
    if tree.exists() {
        std::fs::remove_dir_all(&tree)?;
    }
    copy_tracked(&root, &tree)?;
    let manifest = tree.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)?;
    let publishable = text.replacen(
        "[workspace.package]\n",
        "[workspace.package]\npublish = true\n",
        1,
    );
    let publishable = drop_workspace_publish_false(&publishable);
    std::fs::write(&manifest, publishable)?;

    let mut cmd = cargo();
    cmd.current_dir(&tree)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .args(["package", "--workspace", "--allow-dirty"]);
    for c in NOT_PUBLISHED {
        if tree.join("crates").join(c).exists() || tree.join(c).exists() {
            cmd.args(["--exclude", c]);
        }
    }
    if !verify {
        cmd.arg("--no-verify");
    }
    let started = std::time::Instant::now();
    run(&mut cmd)?;
    eprintln!(
        "xtask: package{}: every library crate packaged in {:.0} s",
        if verify { " --verify" } else { "" },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Removes the `publish = false` line of `[workspace.package]` (the one that
/// `publish.workspace = true` inherits); the inserted `publish = true` stays.
fn drop_workspace_publish_false(manifest: &str) -> String {
    let mut out = String::with_capacity(manifest.len());
    let mut in_workspace_package = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            in_workspace_package = line.trim() == "[workspace.package]";
        }
        if in_workspace_package && line.replace(' ', "") == "publish=false" {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Copies the files git tracks (and new, not ignored ones) into `to`.
fn copy_tracked(from: &Path, to: &Path) -> Result<()> {
    let out = Command::new("git")
        .current_dir(from)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()?;
    if !out.status.success() {
        return Err("`git ls-files` failed: `cargo xtask package` needs a git checkout".into());
    }
    for rel in out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel)?);
        let src = from.join(rel);
        if !src.is_file() {
            continue; // deleted in the working tree
        }
        let dst = to.join(rel);
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&src, &dst)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_workspace_publish_line_goes() {
        let m = "[workspace.package]\npublish = true\nversion = \"0.1.0\"\npublish = false\n\n[package]\npublish = false\n";
        let out = super::drop_workspace_publish_false(m);
        assert_eq!(
            out,
            "[workspace.package]\npublish = true\nversion = \"0.1.0\"\n\n[package]\npublish = false\n"
        );
    }
}
