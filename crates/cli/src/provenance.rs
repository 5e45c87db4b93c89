//! How a file this tool writes was made: the command, the commit and the time, recorded beside
//! it so that a model found later can be reproduced.

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// `git rev-parse --short HEAD`, with `+dirty` when tracked files differ from it, or `None`
/// outside a repository or without git. Dirty matters: a model made from uncommitted code
/// cannot be remade from the commit alone.
pub(crate) fn git_commit() -> Option<String> {
    let head = git(&["rev-parse", "--short", "HEAD"])?;
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
    Some(if dirty { format!("{head}+dirty") } else { head })
}

/// A git command's trimmed output, or `None` when it failed or printed nothing.
fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?;
    let s = s.trim();
    (out.status.success() && !s.is_empty()).then(|| s.to_string())
}

/// This process's command line as one could type it again: arguments with spaces, quotes or
/// other shell characters are single-quoted.
///
/// ```text
/// ["unspin", "validate", "--model", "my models/x"]  →  unspin validate --model 'my models/x'
/// ```
pub(crate) fn command_line(args: impl IntoIterator<Item = std::ffi::OsString>) -> String {
    args.into_iter()
        .map(|a| {
            // A path that is not UTF-8 is recorded as near as text allows, rather than
            // failing a run at its end.
            let a = a.to_string_lossy().into_owned();
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c));
            if plain {
                a
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A settings record file (`settings.json` beside a model's heads) with `record` stored under
/// `key`, every other key kept: each setting written keeps its own history, so choosing the
/// pair's blend does not erase how the blend of one was chosen. `existing` is the file's
/// content, if there is one; one that is not a JSON object is an error naming `path` (a file
/// of some other kind is not merged into, nor replaced).
pub(crate) fn with_record(
    path: &Path,
    existing: Option<&[u8]>,
    key: &str,
    record: Value,
) -> Result<Vec<u8>> {
    let mut map = match existing {
        None => Map::new(),
        Some(bytes) => match serde_json::from_slice::<Value>(bytes)
            .with_context(|| format!("{}: not JSON", path.display()))?
        {
            Value::Object(map) => map,
            _ => bail!("{}: not a JSON object of settings records", path.display()),
        },
    };
    map.insert(key.to_string(), record);
    let mut json = serde_json::to_vec_pretty(&Value::Object(map))?;
    json.push(b'\n');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn command_line_quotes_what_a_shell_would_split() {
        let args = ["unspin", "validate", "--model", "my models/x", "it's", ""];
        let line = command_line(args.iter().map(std::ffi::OsString::from));
        assert_eq!(line, r"unspin validate --model 'my models/x' 'it'\''s' ''");
    }

    #[test]
    fn a_record_keeps_the_other_settings_records() {
        let path = Path::new("m/settings.json");
        let old = br#"{"blend": {"command": "a"}, "partner_blend": {"command": "b"}}"#;
        let new = with_record(path, Some(old), "partner_blend", json!({"command": "c"})).unwrap();
        let v: Value = serde_json::from_slice(&new).unwrap();
        assert_eq!(v["blend"]["command"], "a");
        assert_eq!(v["partner_blend"]["command"], "c");
        let fresh = with_record(path, None, "blend", json!({"seed": 42})).unwrap();
        let v: Value = serde_json::from_slice(&fresh).unwrap();
        assert_eq!(v, json!({"blend": {"seed": 42}}));
    }

    #[test]
    fn a_file_that_is_not_a_record_map_is_an_error_naming_it() {
        let path = Path::new("m/settings.json");
        for bad in [&b"[1, 2]"[..], b"{not json", b"\xff"] {
            let err = with_record(path, Some(bad), "blend", json!({})).unwrap_err();
            assert!(format!("{err:#}").contains("m/settings.json"), "{err:#}");
        }
    }
}
