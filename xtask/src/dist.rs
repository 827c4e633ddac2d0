//! Building `dist/` with `trunk build --release`, then writing a brotli and a gzip copy beside
//! every compressible file (what wirelens-server sends; nothing is compressed per request), and
//! checking what came out: an index.html and a .wasm, whose sizes on the wire are printed. Knows
//! nothing about serving or browsers.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::util;

/// The output directory: Trunk.toml's `[build] dist`, `dist` by default.
pub fn dir() -> PathBuf {
    let trunk_toml = std::fs::read_to_string(util::root().join("Trunk.toml")).unwrap_or_default();
    let dist = util::toml_string_value(&trunk_toml, "build", "dist").unwrap_or("dist");
    util::root().join(dist)
}

/// `trunk build --release`, with our wasm-opt first on PATH. Trunk.toml pins the tool versions
/// `setup` installs, so trunk uses those instead of downloading its own.
pub fn build() -> Result<()> {
    let mut trunk = util::cmd("trunk", &["build", "--release"]);
    // No call home for a newer trunk: we pin 0.21 on purpose.
    trunk.env("TRUNK_SKIP_VERSION_CHECK", "true");
    util::run(&mut trunk)?;
    compress(&dir())
}

/// The files worth compressing: text and wasm (images and fonts are compressed already).
const COMPRESSIBLE: &[&str] = &["html", "js", "css", "wasm", "svg", "json", "txt", "map"];

/// Writes `FILE.br` (brotli, quality 11) and `FILE.gz` (gzip, level 9) beside every compressible
/// file under `dist`, for the server to pick by the request's `Accept-Encoding`.
pub fn compress(dist: &Path) -> Result<()> {
    for file in files(dist)? {
        if !file.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e)) {
            continue;
        }
        let bytes = std::fs::read(&file).with_context(|| format!("could not read {}", file.display()))?;
        for (ext, compressed) in [("br", brotli(&bytes)), ("gz", gzip(&bytes, Compression::best()))] {
            let mut name = file.clone().into_os_string();
            name.push(format!(".{ext}"));
            std::fs::write(&name, compressed).with_context(|| format!("could not write {}", name.display()))?;
        }
    }
    Ok(())
}

/// Every file under `dir`, in subfolders too, sorted.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(files(&path)?);
        } else {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Checks `dist` holds an index.html and the app's bound wasm (`…_bg.wasm`), prints the sizes of
/// every .wasm, returns the app's path.
pub fn check(dist: &Path) -> Result<PathBuf> {
    let index = dist.join("index.html");
    if !index.is_file() {
        bail!("{} is missing: did `trunk build` run?", index.display());
    }
    let (first, later): (Vec<PathBuf>, Vec<PathBuf>) = files(dist)?
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .partition(|path| path.parent() == Some(dist) && path.to_string_lossy().ends_with("_bg.wasm"));
    let [wasm] = first.as_slice() else {
        bail!("expected one …_bg.wasm in {}, found {first:?}", dist.display());
    };
    let bytes = std::fs::read(wasm).with_context(|| format!("could not read {}", wasm.display()))?;
    let name = wasm.file_name().unwrap_or_default().to_string_lossy();
    println!(
        "{name}: {} raw, {} gzip, {} brotli (the first download)",
        human_size(bytes.len()),
        human_size(gzip_len(&bytes)),
        human_size(brotli(&bytes).len())
    );
    // The rest load later (`files` lists them sorted): the tabs' parts when a tab first opens
    // (see src/lazy.rs), the benchmark worker when a run starts.
    let mut total = 0;
    for module in later {
        let bytes = std::fs::read(&module).with_context(|| format!("could not read {}", module.display()))?;
        let name = module.strip_prefix(dist).unwrap_or(&module).display();
        let brotli = brotli(&bytes).len();
        total += brotli;
        println!("  {name}: {} raw, {} brotli (loaded later)", human_size(bytes.len()), human_size(brotli));
    }
    println!("  loaded later, in all: {} brotli", human_size(total));
    Ok(wasm.clone())
}

/// The size of `bytes` after gzip at the default level (what `gzip -c` produces).
pub fn gzip_len(bytes: &[u8]) -> usize {
    gzip(bytes, Compression::default()).len()
}

fn gzip(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

/// `bytes` compressed with brotli at its best quality and a 4 MiB window (built once, sent often).
fn brotli(bytes: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing into a Vec cannot fail");
    out
}

/// `1234567` -> `1234567 bytes (1.18 MiB)`.
pub fn human_size(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    let short = if b >= KIB * KIB { format!("{:.2} MiB", b / (KIB * KIB)) } else { format!("{:.1} KiB", b / KIB) };
    format!("{bytes} bytes ({short})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_shrinks_repetitive_bytes_and_has_a_header() {
        let bytes = vec![7u8; 100_000];
        let len = gzip_len(&bytes);
        assert!(len > 18 && len < 1_000, "{len}");
        assert!(gzip_len(&[]) >= 18, "gzip header and trailer");
    }

    #[test]
    fn compress_writes_brotli_and_gzip_copies_that_read_back() {
        let dir = util::fresh_temp_dir("dist-compress").unwrap();
        std::fs::create_dir(dir.join("bench")).unwrap();
        let text = "wirelens ".repeat(1000);
        std::fs::write(dir.join("index.html"), &text).unwrap();
        std::fs::write(dir.join("bench/worker.js"), &text).unwrap();
        std::fs::write(dir.join("photo.png"), &text).unwrap();
        compress(&dir).unwrap();
        for file in ["index.html", "bench/worker.js"] {
            let br = std::fs::read(dir.join(format!("{file}.br"))).unwrap();
            let mut unbrotli = Vec::new();
            brotli::BrotliDecompress(&mut &br[..], &mut unbrotli).unwrap();
            assert_eq!(unbrotli, text.as_bytes(), "{file}.br");
            let gz = std::fs::read(dir.join(format!("{file}.gz"))).unwrap();
            let mut ungzip = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut ungzip).unwrap();
            assert_eq!(ungzip, text, "{file}.gz");
        }
        assert!(!dir.join("photo.png.br").exists(), "images are compressed already");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sizes_are_human_readable() {
        assert_eq!(human_size(512), "512 bytes (0.5 KiB)");
        assert_eq!(human_size(1_234_567), "1234567 bytes (1.18 MiB)");
    }

    #[test]
    fn check_wants_index_html_and_one_wasm() {
        let dir = util::fresh_temp_dir("dist-check").unwrap();
        assert!(check(&dir).unwrap_err().to_string().contains("index.html is missing"));
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        assert!(check(&dir).unwrap_err().to_string().contains("expected one …_bg.wasm"));
        std::fs::write(dir.join("split_grpc-1a2b.wasm"), b"\0asm\x01\0\0\0").unwrap();
        assert!(check(&dir).is_err(), "a tab's part is not the app");
        std::fs::write(dir.join("wirelens-1a2b_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        assert_eq!(check(&dir).unwrap(), dir.join("wirelens-1a2b_bg.wasm"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dist_dir_comes_from_trunk_toml() {
        assert!(dir().starts_with(util::root()));
    }
}
