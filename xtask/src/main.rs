//! Project tasks: `cargo xtask test`, `cargo xtask bench`.
//!
//! std only, so it builds in seconds. Each step prints what it runs and stops at the first
//! failure with a non-zero exit code.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("demo") => {
            Err("the headless demo does not exist yet (it arrives with the Vulkan runtime)".into())
        }
        _ => {
            eprintln!("usage: cargo xtask <test|bench> [extra cargo args]");
            eprintln!("  test   fmt check, clippy (-D warnings), all tests of the workspace");
            eprintln!("  bench  criterion benchmarks (compile)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `cargo <args>` in the workspace root.
fn cargo(args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("xtask: cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Checks that a cargo subcommand (clippy, fmt) is installed, with a hint if not.
fn require_component(subcommand: &str, component: &str) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(&cargo)
        .args([subcommand, "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`cargo {subcommand}` is missing: install it with `rustup component add {component}`"
        ))
    }
}

fn test(extra: &[String]) -> Result<(), String> {
    require_component("fmt", "rustfmt")?;
    require_component("clippy", "clippy")?;
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    let mut args = vec!["test", "--workspace"];
    args.extend(extra.iter().map(String::as_str));
    cargo(&args)
}

fn bench(extra: &[String]) -> Result<(), String> {
    let mut args = vec!["bench", "--bench", "compile"];
    args.extend(extra.iter().map(String::as_str));
    cargo(&args)
}
