//! Prints the consistency findings of text files, one line each, for checking the rules on a
//! corpus: `cargo run --release -p unspin-factcheck --example findings -- DIR_OR_FILE...`
//! (directories are read one level deep, files in name order). Lines are
//! `file<TAB>kind<TAB>places<TAB>explanation`; a count goes to stderr. Comparing its output
//! before and after a change to a rule shows every finding the change adds or removes.

use std::path::PathBuf;

fn main() {
    let mut files: Vec<PathBuf> = Vec::new();
    for arg in std::env::args_os().skip(1) {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let entries = match std::fs::read_dir(&path) {
                Ok(e) => e,
                Err(e) => fail(&path, &e),
            };
            let mut inside: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path);
        }
    }
    let mut count = 0;
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                eprintln!("findings: skipped {}: not UTF-8", path.display());
                continue;
            }
            Err(e) => fail(path, &e),
        };
        for f in unspin_factcheck::consistency::check(&text) {
            let places: Vec<&str> = f.places.iter().map(|p| p.text()).collect();
            println!(
                "{}\t{:?}\t{:?}\t{}",
                path.display(),
                f.kind,
                places,
                f.explanation
            );
            count += 1;
        }
    }
    eprintln!("findings: {count} in {} files", files.len());
}

fn fail(path: &std::path::Path, e: &std::io::Error) -> ! {
    eprintln!("findings: cannot read {}: {e}", path.display());
    std::process::exit(2);
}
