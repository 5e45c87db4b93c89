//! Prints the quotes of a text file (or stdin), for inspection:
//! `cargo run --release -p unspin-factcheck --example quotes -- FILE`; with `--rules` first,
//! the rules alone (no tagger), to see what the rules hand the tagger.

use std::io::Read;

fn main() {
    let mut text = String::new();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rules = args.first().is_some_and(|a| a == "--rules");
    if rules {
        args.remove(0);
    }
    let res = match args.first() {
        Some(path) => std::fs::read_to_string(path).map(|t| text = t),
        None => std::io::stdin().read_to_string(&mut text).map(|_| ()),
    };
    if let Err(e) = res {
        eprintln!("quotes: cannot read input: {e}");
        std::process::exit(2);
    }
    let quotes = if rules {
        unspin_factcheck::quotes::extract_with(&text, None)
    } else {
        unspin_factcheck::quotes::extract(&text)
    };
    for q in quotes {
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
