//! A file as a server would send it compressed, and its size: what the benchmark's download figures
//! (`bench.rs`) and the page's own (`page_speed.rs`) both count. It knows neither of them.

use std::path::Path;

/// A file compressed by `gzip -9`.
pub fn compress(path: &Path) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!("gzip {} failed", path.display()))
    }
}

/// The size of a file compressed by `gzip -9`.
pub fn size(path: &Path) -> Result<u64, String> {
    Ok(compress(path)?.len() as u64)
}
