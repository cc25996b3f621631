//! Stage 5: put rendered files on disk, or report how the disk differs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::render::OutputFile;

/// How the files on disk differ from the rendered ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Staleness {
    /// Rendered files whose disk content differs.
    pub changed: Vec<PathBuf>,
    /// Rendered files missing on disk.
    pub missing: Vec<PathBuf>,
    /// Files on disk that the spec no longer produces.
    pub extra: Vec<PathBuf>,
}

impl Staleness {
    /// Whether disk and spec agree.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Writes the files under `out_dir`, removing files the spec no longer
/// produces (those with the extension of a rendered file: `.rs` beside Rust,
/// `.json` beside the OpenAPI document).
/// Files whose content is unchanged are left untouched.
pub fn write(out_dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let stale = check(out_dir, files)?;
    for path in &stale.extra {
        std::fs::remove_file(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    }
    for file in files {
        let path = out_dir.join(&file.path);
        if stale.changed.contains(&path) || stale.missing.contains(&path) {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(&path, &file.content).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        }
    }
    remove_empty_dirs(out_dir)
}

/// Compares the files under `out_dir` with the rendered ones.
pub fn check(out_dir: &Path, files: &[OutputFile]) -> Result<Staleness, Error> {
    let mut stale = Staleness::default();
    let mut expected = BTreeSet::new();
    for file in files {
        let path = out_dir.join(&file.path);
        match std::fs::read_to_string(&path) {
            Ok(current) if current == file.content => {}
            Ok(_) => stale.changed.push(path.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => stale.missing.push(path.clone()),
            Err(source) => return Err(Error::Io { path, source }),
        }
        expected.insert(path);
    }
    let extensions: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).extension()?.to_str())
        .collect();
    let mut on_disk = Vec::new();
    list_rendered(out_dir, &extensions, &mut on_disk)?;
    stale.extra = on_disk
        .into_iter()
        .filter(|p| !expected.contains(p))
        .collect();
    stale.extra.sort();
    Ok(stale)
}

/// The files under `dir` with one of `extensions`.
fn list_rendered(
    dir: &Path,
    extensions: &BTreeSet<&str>,
    out: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    for entry in entries {
        let path = entry
            .map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.is_dir() {
            list_rendered(&path, extensions, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(e))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path) -> Result<(), Error> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_empty_dirs(&path)?;
            if std::fs::read_dir(&path)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false)
            {
                std::fs::remove_dir(&path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
            }
        }
    }
    Ok(())
}
