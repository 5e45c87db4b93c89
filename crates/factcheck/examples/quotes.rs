//! Prints the quotes of a text file (or stdin) as JSON lines, for inspection:
//! `cargo run --release -p unspin-factcheck --example quotes -- FILE`.

use std::io::Read;

fn main() {
    let mut text = String::new();
    let res = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(&path).map(|t| text = t),
        None => std::io::stdin().read_to_string(&mut text).map(|_| ()),
    };
    if let Err(e) = res {
        eprintln!("quotes: cannot read input: {e}");
        std::process::exit(2);
    }
    for q in unspin_factcheck::quotes::extract(&text) {
        let show = |p: &Option<unspin_factcheck::quotes::Place>| {
            p.as_ref()
                .map_or("-".to_string(), |p| format!("{:?}", p.text()))
        };
        println!(
            "{:?}{} cue={} source={} speaker={:?}\n    {:?}",
            q.kind,
            if q.unattributed { " UNATTRIBUTED" } else { "" },
            show(&q.cue),
            show(&q.source),
            q.speaker,
            q.content.text()
        );
    }
}
