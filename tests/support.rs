//! Shared by the test modules: copies of a shipped policy to edit, and headless Chromium and
//! other outside programs, when they are installed (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `command` is on the PATH.
pub fn installed(command: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {command}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Chromium command, if installed.
pub fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| installed(c))
}

/// Renders `html` with `target` (`--screenshot=…` or `--print-to-pdf=…`) in a window of
/// `window` (`1280,1800`), and fails on an error exit or any console message.
pub fn render(browser: &str, html: &Path, target: &str, window: &str) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            // The page numbers and running header are the document's own (CSS @page).
            "--no-pdf-header-footer",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--window-size={window}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(target)
        .arg(format!(
            "file://{}",
            std::fs::canonicalize(html).unwrap().display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {stderr}", html.display());
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("CONSOLE") || l.contains("Uncaught")),
        "{}: console messages:\n{stderr}",
        html.display()
    );
}

/// A copy of the complaint office's policy, edited by `edit`, in `DIR/office/` with the
/// calendar it imports; the folder lives as long as the returned guard.
pub fn office_copy(edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("office");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::create_dir_all(dir.path().join("calendars")).unwrap();
    std::fs::copy(
        "policies/calendars/cn-2026.charter",
        dir.path().join("calendars/cn-2026.charter"),
    )
    .unwrap();
    let text = std::fs::read_to_string("policies/complaint-office/policy.charter").unwrap();
    std::fs::write(policy.join("policy.charter"), edit(text)).unwrap();
    (dir, policy)
}

/// A decision as JSON without its `decision_id` (made anew for every answer), which must be
/// a lowercase UUID version 7; everything else, `input_digest` included, is what two answers
/// for the same case at the same instant share.
pub fn without_id(mut decision: serde_json::Value) -> serde_json::Value {
    let id = decision
        .as_object_mut()
        .and_then(|d| d.remove("decision_id"))
        .unwrap_or_else(|| panic!("no decision_id in {decision}"));
    let id = id.as_str().unwrap_or_default().to_string();
    let parsed: charter::decide::DecisionId = id.parse().unwrap();
    assert_eq!(parsed.to_string(), id, "not lowercase");
    assert_eq!(parsed.0[6] >> 4, 7, "{id} is not version 7");
    assert_eq!(parsed.0[8] >> 6, 0b10, "{id} is not of the RFC variant");
    assert!(decision["input_digest"].is_string(), "{decision}");
    decision
}
