//! Prints the title and main text of HTML pages, with the time extraction took.
//!
//! ```sh
//! cargo run --release -p unspin-html --example extract -- page.html [more.html ...]
//! ```

use std::time::Instant;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: extract PAGE.html...");
        std::process::exit(2);
    }
    for path in paths {
        let html = match std::fs::read(&path) {
            Ok(bytes) => unspin_html::decode_html(&bytes),
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let result = unspin_html::extract(&html);
        let elapsed = start.elapsed();
        println!(
            "===== {path} ({} bytes, html: {}, {:.1} ms)",
            html.len(),
            unspin_html::looks_like_html(&html),
            elapsed.as_secs_f64() * 1e3
        );
        match result {
            Ok(article) => println!("title: {:?}\n\n{}\n", article.title, article.text),
            Err(e) => println!("error: {e}\n"),
        }
    }
}
