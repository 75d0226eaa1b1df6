//! Installs what the build and the tests need, each step only when it is missing.
//!
//! Versions are pinned here and checked by asking each tool for its version:
//! - the `wasm32-unknown-unknown` target (rustup);
//! - Trunk 0.21.14 (`cargo install --locked`; 0.22 needs a newer Rust);
//! - wasm-bindgen-cli at exactly the `wasm-bindgen` version in Cargo.lock (installed without
//!   `--locked`: its own lockfile pins a crate the registry does not serve);
//! - binaryen 132 from npm into `.tools/` (Debian's binaryen 108 builds a page that dies at start);
//! - Debian's binaryen 108 package unpacked into `.tools/binaryen-108` (`apt-get download`, then
//!   `dpkg -x`: nothing is installed system-wide), for its `wasm-split`, which the npm build lacks;
//!   the page build uses it only to split the page's WebAssembly in two (`split.rs`);
//! - Chromium and ChromeDriver from Debian's packages (for the browser tests only);
//! - for the smoke tests in the other engines: Firefox ESR, WebKitGTK's WebDriver (with its
//!   MiniBrowser) and Xvfb from Debian's packages, and geckodriver 0.37.1 (`cargo install
//!   --locked`; Debian has no package of it);
//! - axe-core 4.14.1 from npm into `.tools/axe/` (the accessibility test injects its `axe.min.js`;
//!   its own folder, so installing it never prunes binaryen, nor the other way round);
//! - NumPy in a virtual environment `.tools/venv` (`python3 -m venv`, then pip from the package
//!   registry): the test command runs the playground's exported NumPy scripts with it.

use std::path::{Path, PathBuf};
use std::process::Command;

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132.0.0";
const AXE_VERSION: &str = "4.14.1";
const GECKODRIVER_VERSION: &str = "0.37.1";

/// Debian's packages the browser tests need, each with a file that shows it is installed.
const BROWSER_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("firefox-esr", "/usr/bin/firefox-esr"),
    ("webkit2gtk-driver", "/usr/bin/WebKitWebDriver"),
    (
        "libwebkit2gtk-4.1-0",
        "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    ),
    ("xvfb", "/usr/bin/xvfb-run"),
];

/// The folder for tools installed from npm (git-ignored).
pub fn tools_dir(root: &Path) -> PathBuf {
    root.join(".tools")
}

/// `PATH` with the npm tools and cargo's bin folder first.
pub fn path_env(root: &Path) -> std::ffi::OsString {
    let mut dirs = vec![tools_dir(root).join("node_modules").join(".bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A command run from the workspace root with the tools on `PATH`.
pub fn command(program: &str, root: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root).env("PATH", path_env(root));
    c
}

/// The first line a program prints for `args`, if it runs.
fn version_of(program: &str, args: &[&str], root: &Path) -> Option<String> {
    let out = command(program, root).args(args).output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    })
}

/// Runs a command to completion, failing with its description.
pub fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    println!("spiega setup: {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: failed ({status})"))
    }
}

/// The version of a package in Cargo.lock.
pub fn locked_version(root: &Path, package: &str) -> Result<String, String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")?;
    Ok(lock[start..start + end].to_owned())
}

/// What the page build needs: the wasm target, Trunk, wasm-bindgen, wasm-opt and the crates.
pub fn web(root: &Path) -> Result<(), String> {
    let installed = command("rustup", root)
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        run(
            "adding the wasm32-unknown-unknown target",
            command("rustup", root).args(["target", "add", "wasm32-unknown-unknown"]),
        )?;
    }
    if version_of("trunk", &["--version"], root) != Some(format!("trunk {TRUNK_VERSION}")) {
        run(
            &format!("installing trunk {TRUNK_VERSION} (a few minutes, once)"),
            command("cargo", root).args([
                "install",
                "--locked",
                "trunk",
                "--version",
                TRUNK_VERSION,
            ]),
        )?;
    }
    let bindgen = locked_version(root, "wasm-bindgen")?;
    if version_of("wasm-bindgen", &["--version"], root) != Some(format!("wasm-bindgen {bindgen}")) {
        run(
            &format!("installing wasm-bindgen-cli {bindgen} (a few minutes, once)"),
            command("cargo", root).args(["install", "wasm-bindgen-cli", "--version", &bindgen]),
        )?;
    }
    let wasm_opt = tools_dir(root)
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt");
    let has_opt = Command::new(&wasm_opt)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("version 132"))
        .unwrap_or(false);
    if !has_opt {
        std::fs::create_dir_all(tools_dir(root)).map_err(|e| format!(".tools: {e}"))?;
        run(
            &format!("installing binaryen {BINARYEN_VERSION} (wasm-opt) from npm"),
            command("npm", root)
                .args([
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                ])
                .arg(tools_dir(root))
                .arg(format!("binaryen@{BINARYEN_VERSION}")),
        )?;
    }
    unpack_binaryen_108(root)?;
    run(
        "fetching crates (the page build runs offline)",
        command("cargo", root).args(["fetch", "--quiet"]),
    )
}

/// The folder Debian's binaryen 108 package is unpacked into.
pub fn binaryen_108_dir(root: &Path) -> PathBuf {
    tools_dir(root).join("binaryen-108")
}

/// The folder of the unpacked binaryen 108's `libbinaryen.so` (`usr/lib/<architecture>/`), if
/// it is there.
pub fn binaryen_108_lib(root: &Path) -> Option<PathBuf> {
    let lib = binaryen_108_dir(root).join("usr").join("lib");
    std::fs::read_dir(&lib)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|dir| dir.join("libbinaryen.so").exists())
}

/// Unpacks Debian's binaryen 108 into [`binaryen_108_dir`] unless its `wasm-split` already runs:
/// downloads the package (updating apt's lists first if it is not found) and extracts it.
fn unpack_binaryen_108(root: &Path) -> Result<(), String> {
    let dir = binaryen_108_dir(root);
    let split = dir.join("usr").join("bin").join("wasm-split");
    let runs = |lib: Option<PathBuf>| {
        lib.is_some_and(|lib| {
            Command::new(&split)
                .arg("--version")
                .env("LD_LIBRARY_PATH", lib)
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("version 108"))
        })
    };
    if runs(binaryen_108_lib(root)) {
        return Ok(());
    }
    let download = dir.with_extension("deb");
    std::fs::create_dir_all(&download).map_err(|e| format!("{}: {e}", download.display()))?;
    let fetch = || {
        let mut c = command("apt-get", root);
        c.current_dir(&download)
            .args(["download", "-q", "binaryen"]);
        c
    };
    let what = "downloading Debian's binaryen package (for wasm-split)";
    if run(what, &mut fetch()).is_err() {
        apt_update(root)?;
        run(what, &mut fetch())?;
    }
    let deb = std::fs::read_dir(&download)
        .map_err(|e| format!("{}: {e}", download.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("binaryen_108") && n.ends_with(".deb"))
        })
        .ok_or("apt-get downloaded no binaryen 108 package")?;
    run(
        "unpacking binaryen 108 into .tools/binaryen-108",
        command("dpkg", root).arg("-x").arg(&deb).arg(&dir),
    )?;
    if runs(binaryen_108_lib(root)) {
        Ok(())
    } else {
        Err(format!("{} does not run after unpacking", split.display()))
    }
}

/// The folder axe-core is installed into (its own npm prefix under `.tools/`).
fn axe_dir(root: &Path) -> PathBuf {
    tools_dir(root).join("axe")
}

/// Whether axe-core is installed at exactly `AXE_VERSION`, read from its `package.json`.
fn has_axe(root: &Path) -> bool {
    let manifest = axe_dir(root)
        .join("node_modules")
        .join("axe-core")
        .join("package.json");
    std::fs::read_to_string(manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|json| json["version"] == AXE_VERSION)
}

/// What the browser tests need: axe-core, geckodriver and Debian's browsers and drivers.
pub fn browser(root: &Path) -> Result<(), String> {
    if !has_axe(root) {
        std::fs::create_dir_all(axe_dir(root)).map_err(|e| format!(".tools/axe: {e}"))?;
        run(
            &format!("installing axe-core {AXE_VERSION} from npm"),
            command("npm", root)
                .args([
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                ])
                .arg(axe_dir(root))
                .arg(format!("axe-core@{AXE_VERSION}")),
        )?;
    }
    if !version_of("geckodriver", &["--version"], root)
        .is_some_and(|v| v.starts_with(&format!("geckodriver {GECKODRIVER_VERSION}")))
    {
        run(
            &format!("installing geckodriver {GECKODRIVER_VERSION} (a few minutes, once)"),
            command("cargo", root).args([
                "install",
                "--locked",
                "geckodriver",
                "--version",
                GECKODRIVER_VERSION,
            ]),
        )?;
    }
    let missing: Vec<&str> = BROWSER_PACKAGES
        .iter()
        .filter(|(_, file)| !Path::new(file).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_update(root)?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend(&missing);
    run_patiently(&format!("installing {}", missing.join(", ")), || {
        apt(root, &install)
    })
}

/// `apt-get` with `args`, through sudo unless this is root; another install holding apt's lock
/// is waited for rather than failed on.
fn apt(root: &Path, args: &[&str]) -> Command {
    let mut c = if is_root(root) {
        command("apt-get", root)
    } else {
        let mut c = command("sudo", root);
        c.arg("apt-get");
        c
    };
    c.args(["-o", "DPkg::Lock::Timeout=300"])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive");
    c
}

/// Updates apt's package lists.
fn apt_update(root: &Path) -> Result<(), String> {
    run_patiently("updating the package lists", || {
        apt(root, &["update", "-q"])
    })
}

/// Runs an apt command, trying again a few times a little later when it fails (apt's lock may be
/// held for a while by another install).
fn run_patiently(what: &str, cmd: impl Fn() -> Command) -> Result<(), String> {
    let mut tries = 1;
    loop {
        match run(what, &mut cmd()) {
            Err(e) if tries < 4 => {
                println!("spiega setup: {e}; trying again in 20 s");
                std::thread::sleep(std::time::Duration::from_secs(20));
                tries += 1;
            }
            outcome => return outcome,
        }
    }
}

fn is_root(root: &Path) -> bool {
    version_of("id", &["-u"], root).as_deref() == Some("0")
}

/// The Python of the virtual environment `.tools/<dir>`.
pub fn env_python(root: &Path, dir: &str) -> PathBuf {
    tools_dir(root).join(dir).join("bin").join("python3")
}

/// A virtual environment with NumPy under `.tools/venv`, made with the machine's `python3` when
/// it is missing; an error saying what to install when it cannot be made.
pub fn python(root: &Path) -> Result<(), String> {
    python_env(root, "venv", &["numpy"], "import numpy")
}

/// A virtual environment `.tools/<dir>` in which the Python code `check` runs (typically its
/// imports): when it does not, the environment is made with the machine's `python3` (its `venv`
/// module) and `packages` are installed from the package registry, with pip's cache off, and
/// `check` must then run.
pub fn python_env(root: &Path, dir: &str, packages: &[&str], check: &str) -> Result<(), String> {
    let python = env_python(root, dir);
    let ready = || {
        Command::new(&python)
            .args(["-c", check])
            .current_dir(root)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ready() {
        return Ok(());
    }
    if !python.exists() {
        run(
            &format!(
                "making a Python virtual environment in .tools/{dir} (needs python3 with its venv module)"
            ),
            Command::new("python3")
                .args(["-m", "venv"])
                .arg(tools_dir(root).join(dir)),
        )?;
    }
    run(
        &format!(
            "installing {} into .tools/{dir} from the package registry",
            packages.join(", ")
        ),
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--no-cache-dir"])
            .args(packages),
    )?;
    if ready() {
        Ok(())
    } else {
        Err(format!(
            "{} cannot run `{check}` after installing {}",
            python.display(),
            packages.join(", ")
        ))
    }
}

/// Everything: the page build, the browser and NumPy.
pub fn all(root: &Path) -> Result<(), String> {
    web(root)?;
    browser(root)?;
    python(root)
}
