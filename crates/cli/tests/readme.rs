//! Keeps README.md and .ci/run honest: the technique table must say exactly what the code says,
//! and CI must run the test command the README tells users to run.

use std::path::Path;

fn repo_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn technique_table_matches_the_code() {
    let readme = repo_file("README.md");
    for t in unspin::Technique::ALL {
        let row = format!(
            "| `{}` | {} | {} |",
            t.name(),
            t.short_name(),
            t.definition()
        );
        assert!(
            readme.contains(&row),
            "README.md lacks the row (regenerate it from Technique::definition):\n{row}"
        );
    }
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = repo_file("README.md");
    let ci = repo_file(".ci/run");
    let quick = &readme[readme.find("## Quick start").expect("Quick start section")..];
    let block = quick
        .split("```")
        .nth(1)
        .expect("a code block in Quick start");
    let commands: Vec<&str> = block
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        commands,
        [
            "scripts/setup-models.sh && cargo run --release -- analyze --format text examples/article1001.txt",
            "cargo test --workspace"
        ]
    );
    assert!(ci.lines().any(|l| l.trim() == commands[1]));
}
