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
        Some("demo") => demo(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <demo|test|bench> [extra args]");
            eprintln!("  demo   the headless compute demo (installs lavapipe when missing)");
            eprintln!("  test   fmt check, clippy (-D warnings), all tests of the workspace");
            eprintln!(
                "         (demo and test install lavapipe, the validation layers and shaderc"
            );
            eprintln!("          with apt-get when they are missing)");
            eprintln!("  bench  criterion benchmarks (compile, execute)");
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

/// Debian 12 packages the build and the GPU tests need: shaderc, glslang and SPIRV-Tools as
/// static libraries (weft-shader links them; building shaderc from source instead takes
/// about an hour); Xvfb, xwd and ImageMagick for the window test, and a window manager
/// (openbox) to minimise a window; Graphviz to render the plans' DOT graphs to SVG. The
/// Vulkan stack comes from newer suites: see
/// [`VULKAN_STACK`].
const PACKAGES: &[&str] = &[
    "libshaderc-dev",
    "glslang-dev",
    "spirv-tools",
    "xvfb",
    "x11-apps",
    "imagemagick",
    "openbox",
    "graphviz",
];

/// The Vulkan stack the GPU tests run on, each package from the suite named with it:
/// lavapipe from Mesa 25 (Debian 12 backports: Vulkan 1.4, descriptor indexing, ray
/// tracing) and the 1.4.309 validation layer with its loader (Debian 13; that upgrades libc6
/// and libstdc++6, which the toolchain and the static shaderc build keep working with).
const VULKAN_STACK: &[(&str, &str)] = &[
    ("bookworm-backports", "mesa-vulkan-drivers"),
    ("trixie", "libvulkan1"),
    ("trixie", "vulkan-validationlayers"),
];

/// The apt sources for [`VULKAN_STACK`]: backports and Debian 13, the latter pinned low so
/// that nothing is taken from it unless asked for by name with `-t trixie`.
const APT_SOURCES: (&str, &str) = (
    "/etc/apt/sources.list.d/weft-vulkan.sources",
    "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports trixie\n\
     Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
);
const APT_PIN: (&str, &str) = (
    "/etc/apt/preferences.d/weft-vulkan",
    "Package: *\nPin: release n=trixie\nPin-Priority: 100\n",
);

/// Files that show the packages are there (Mesa 25 names its ICD file `lvp_icd.json`).
const PACKAGE_FILES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/libvulkan.so.1",
    "/usr/share/vulkan/icd.d/lvp_icd.json",
    LAYER_MANIFEST,
    "/usr/lib/x86_64-linux-gnu/libshaderc_combined.a",
    "/usr/lib/x86_64-linux-gnu/libglslang.a",
    "/usr/lib/x86_64-linux-gnu/libSPIRV-Tools-opt.a",
    "/usr/bin/Xvfb",
    "/usr/bin/xwd",
    "/usr/bin/convert",
    "/usr/bin/openbox",
    "/usr/bin/dot",
];

/// The validation layer's manifest, which names its version.
const LAYER_MANIFEST: &str = "/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json";

/// The validation layer version the stack must have (its manifest names it).
const LAYER_VERSION: &str = "\"api_version\": \"1.4.309\"";

/// Whether everything is installed, with the current Vulkan stack.
fn missing_packages() -> Vec<String> {
    let mut missing: Vec<String> = PACKAGE_FILES
        .iter()
        .filter(|f| !std::path::Path::new(f).exists())
        .map(|f| f.to_string())
        .collect();
    let layer = std::fs::read_to_string(LAYER_MANIFEST).unwrap_or_default();
    if !layer.contains(LAYER_VERSION) {
        missing.push(format!("the 1.4.309 validation layer ({LAYER_MANIFEST})"));
    }
    missing
}

/// Installs the system packages when they are missing (as root, with apt-get), or says how.
fn ensure_packages() -> Result<(), String> {
    let missing = missing_packages();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !is_root {
        return Err(format!(
            "weft needs {} and {} (missing: {}); run `cargo xtask test` as root to install \
             them (it adds Debian's bookworm-backports and trixie suites, the latter pinned)",
            PACKAGES.join(", "),
            VULKAN_STACK
                .iter()
                .map(|(suite, p)| format!("{p} from {suite}"))
                .collect::<Vec<_>>()
                .join(", "),
            missing.join(", ")
        ));
    }
    for (path, text) in [APT_SOURCES, APT_PIN] {
        std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    let run = |args: &[&str]| -> Result<(), String> {
        eprintln!("xtask: apt-get {}", args.join(" "));
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`apt-get {}` failed ({status})", args.join(" ")))
        }
    };
    run(&["update", "-qq"])?;
    let install = ["install", "-y", "-qq", "--no-install-recommends"];
    run(&[&install[..], PACKAGES].concat())?;
    for (suite, package) in VULKAN_STACK {
        run(&[&install[..], &["-t", suite, package]].concat())?;
    }
    let still = missing_packages();
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!("still missing after apt-get: {}", still.join(", ")))
    }
}

/// Vulkan programs want a runtime directory; CI machines have none.
fn ensure_runtime_dir() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir());
    }
}

/// Runs the headless compute demo, then renders the plan's DOT graph it wrote to SVG with
/// Graphviz (`target/headless_compute.plan.svg`, next to the trace and the other pictures).
fn demo(extra: &[String]) -> Result<(), String> {
    ensure_packages()?;
    ensure_runtime_dir();
    let mut args = vec!["run", "--release", "--example", "headless_compute", "--"];
    args.extend(extra.iter().map(String::as_str));
    cargo(&args)?;
    // The demo names its files after its output image (the second argument).
    let output = extra
        .get(1)
        .map_or("target/headless_compute.png", String::as_str);
    let stem = output.strip_suffix(".png").unwrap_or(output);
    let (dot, svg) = (format!("{stem}.plan.dot"), format!("{stem}.plan.svg"));
    eprintln!("xtask: dot -Tsvg {dot} -o {svg}");
    let status = Command::new("dot")
        .args(["-Tsvg", &dot, "-o", &svg])
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run Graphviz's dot: {e}"))?;
    if !status.success() {
        return Err(format!("`dot -Tsvg {dot}` failed ({status})"));
    }
    println!("wrote {svg}");
    Ok(())
}

fn test(extra: &[String]) -> Result<(), String> {
    require_component("fmt", "rustfmt")?;
    require_component("clippy", "clippy")?;
    // Before anything builds: shaderc's build script needs the static libraries.
    ensure_packages()?;
    ensure_runtime_dir();
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
    cargo(&args)?;
    window_test()
}

/// Runs the windowed renderer under Xvfb (unless a display is set), with validation on;
/// it fails on any validation message. First 300 frames with two resizes (the first 30 of a
/// plan traced into `target/renderer.trace.json`; the bloom off for frames 120..180), its
/// last frame's
/// screenshot compared with `tests/golden/window.png`; then, with a window manager,
/// 120 frames without bloom, the window minimised for a second half-way, during which the frame loop
/// must draw nothing and sleep.
fn window_test() -> Result<(), String> {
    let mut xvfb = None;
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!("xtask: starting Xvfb :99");
        let child = Command::new("Xvfb")
            .args([":99", "-screen", "0", "640x480x24", "-nolisten", "tcp"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb: {e}"))?;
        xvfb = Some(child);
        std::env::set_var("DISPLAY", ":99");
        let socket = std::path::Path::new("/tmp/.X11-unix/X99");
        for _ in 0..100 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    let result = renderer(&[
        "--frames",
        "300",
        "--resize",
        "--report",
        "target/renderer-report.txt",
        "--screenshot",
        "target/renderer-window.png",
        "--golden",
        "tests/golden/window.png",
        "--trace",
        "30",
        "--toggle-bloom-at",
        "120",
        "--toggle-bloom-at",
        "180",
    ])
    .and_then(|()| {
        // Our own display has no window manager (the screenshot shows the bare window);
        // a display we were given has one already.
        let mut window_manager = None;
        if xvfb.is_some() {
            eprintln!("xtask: starting openbox");
            let child = Command::new("openbox")
                .arg("--sm-disable")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start openbox: {e}"))?;
            window_manager = Some(child);
        }
        let result = renderer(&[
            "--frames",
            "120",
            "--no-bloom",
            "--minimize",
            "--report",
            "target/renderer-minimize-report.txt",
        ]);
        if let Some(mut child) = window_manager {
            let _ = child.kill();
            let _ = child.wait();
        }
        result
    });
    if let Some(mut child) = xvfb {
        let _ = child.kill();
        let _ = child.wait();
    }
    result
}

/// Runs the windowed renderer example with `args`.
fn renderer(args: &[&str]) -> Result<(), String> {
    let mut all = vec!["run", "--release", "--example", "renderer", "--"];
    all.extend_from_slice(args);
    cargo(&all)
}

fn bench(extra: &[String]) -> Result<(), String> {
    ensure_packages()?;
    ensure_runtime_dir();
    let mut args = vec!["bench", "--bench", "compile", "--bench", "execute"];
    args.extend(extra.iter().map(String::as_str));
    cargo(&args)
}
