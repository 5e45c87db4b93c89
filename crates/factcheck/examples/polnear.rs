//! Scores `unspin_factcheck::quotes` on PolNeAR (brat standoff attribution annotations).
//!
//! ```sh
//! cargo run --release -p unspin-factcheck --example polnear -- [DIR]
//! ```
//!
//! `DIR` holds `text/*.txt` and `attributions/*_XXXX.ann`; it defaults to
//! `$UNSPIN_DATA/quotes/polnear/dev`, else `../shared/data/quotes/polnear/dev` (relative to
//! the repository root). Without data it says so and exits 0.
//!
//! Scoring, per role (source, cue, content), micro-averaged over documents:
//! - **exact**: a predicted span matches a gold span with the same start and end. A
//!   discontinuous gold span (`10 20;25 40`) is taken as its envelope (10..40).
//! - **overlap**: a predicted span matches a gold span sharing at least one code point with
//!   one of its fragments.
//!
//! Matching is one-to-one and greedy (predictions in text order, each taking the unmatched
//! gold span it overlaps most). Offsets in PolNeAR are code points (checked by slicing).
//! Predicted spans are deduplicated per role, and the contents of predicted quotes that share
//! one cue are merged into their envelope, as PolNeAR annotates `“A,” he said, “B.”` as one
//! discontinuous content. Texts annotated by several annotators (the annotator-training
//! articles) are scored against the first annotation file in name order, so each text
//! counts once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use unspin_factcheck::quotes::{extract, Quote};

const ROLES: [&str; 3] = ["Source", "Cue", "Content"];

type Span = (usize, usize);

/// A gold span: its fragments.
type Gold = Vec<Span>;

fn default_dir() -> PathBuf {
    match std::env::var_os("UNSPIN_DATA") {
        Some(d) => PathBuf::from(d).join("quotes/polnear/dev"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/quotes/polnear/dev"),
    }
}

fn parse_ann(ann: &str) -> BTreeMap<&'static str, Vec<Gold>> {
    let mut out: BTreeMap<&'static str, Vec<Gold>> = BTreeMap::new();
    for line in ann.lines() {
        let mut cols = line.split('\t');
        let (Some(id), Some(mid)) = (cols.next(), cols.next()) else {
            continue;
        };
        if !id.starts_with('T') {
            continue;
        }
        let Some((role, spans)) = mid.split_once(' ') else {
            continue;
        };
        let Some(role) = ROLES.iter().find(|r| **r == role) else {
            continue;
        };
        let frags: Option<Gold> = spans
            .split(';')
            .map(|f| {
                let mut it = f.split_whitespace().map(|x| x.parse::<usize>().ok());
                Some((it.next()??, it.next()??))
            })
            .collect();
        if let Some(frags) = frags.filter(|f| !f.is_empty()) {
            out.entry(role).or_default().push(frags);
        }
    }
    out
}

fn predicted(quotes: &[Quote]) -> BTreeMap<&'static str, Vec<Span>> {
    let mut out: BTreeMap<&'static str, Vec<Span>> = BTreeMap::new();
    let mut by_cue: BTreeMap<Option<Span>, Span> = BTreeMap::new();
    let mut no_cue = Vec::new();
    for q in quotes {
        if let Some(s) = &q.source {
            out.entry("Source").or_default().push((s.start, s.end));
        }
        let c = (q.content.start, q.content.end);
        match &q.cue {
            Some(cue) => {
                out.entry("Cue").or_default().push((cue.start, cue.end));
                let e = by_cue.entry(Some((cue.start, cue.end))).or_insert(c);
                *e = (e.0.min(c.0), e.1.max(c.1));
            }
            None => no_cue.push(c),
        }
    }
    let contents = out.entry("Content").or_default();
    contents.extend(by_cue.into_values());
    contents.extend(no_cue);
    for v in out.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    pred: usize,
    gold: usize,
}

impl Counts {
    fn prf(&self) -> (f64, f64, f64) {
        let p = if self.pred > 0 {
            self.tp as f64 / self.pred as f64
        } else {
            0.0
        };
        let r = if self.gold > 0 {
            self.tp as f64 / self.gold as f64
        } else {
            0.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

fn overlap(a: Span, b: Span) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// One-to-one greedy matching; returns the number of matched predictions.
fn matches(pred: &[Span], gold: &[Gold], exact: bool) -> usize {
    let mut used = vec![false; gold.len()];
    let mut tp = 0;
    for &p in pred {
        let mut best: Option<(usize, usize)> = None;
        for (g, frags) in gold.iter().enumerate() {
            if used[g] {
                continue;
            }
            let env = (
                frags[0].0,
                frags.iter().map(|f| f.1).max().unwrap_or(frags[0].1),
            );
            let score = if exact {
                usize::from(env == p)
            } else {
                frags.iter().map(|&f| overlap(f, p)).sum()
            };
            if score > 0 && best.is_none_or(|(_, s)| score > s) {
                best = Some((g, score));
            }
        }
        if let Some((g, _)) = best {
            used[g] = true;
            tp += 1;
        }
    }
    tp
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(default_dir);
    let text_dir = dir.join("text");
    let ann_dir = dir.join("attributions");
    let Ok(entries) = std::fs::read_dir(&text_dir) else {
        println!(
            "skipping: no PolNeAR data at {} (set UNSPIN_DATA or pass DIR)",
            dir.display()
        );
        return;
    };
    let mut texts: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    texts.sort();
    let mut anns: Vec<String> = std::fs::read_dir(&ann_dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    anns.sort();

    let mut counts: BTreeMap<(&str, bool), Counts> = BTreeMap::new();
    let (mut docs, mut n_quotes) = (0, 0);
    let start = std::time::Instant::now();
    for t in &texts {
        let Some(stem) = t.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let prefix = format!("{stem}_");
        let Some(ann_name) = anns
            .iter()
            .find(|a| a.starts_with(&prefix) && a.ends_with(".ann") && a.len() == prefix.len() + 8)
        else {
            continue;
        };
        let (Ok(text), Ok(ann)) = (
            std::fs::read_to_string(t),
            std::fs::read_to_string(ann_dir.join(ann_name)),
        ) else {
            continue;
        };
        docs += 1;
        let gold = parse_ann(&ann);
        let quotes = extract(&text);
        n_quotes += quotes.len();
        let pred = predicted(&quotes);
        if std::env::var_os("POLNEAR_MISSES").is_some() {
            print_misses(&text, &gold, &pred);
        }
        for role in ROLES {
            let g = gold.get(role).map(Vec::as_slice).unwrap_or(&[]);
            let p = pred.get(role).map(Vec::as_slice).unwrap_or(&[]);
            for exact in [true, false] {
                let c = counts.entry((role, exact)).or_default();
                c.tp += matches(p, g, exact);
                c.pred += p.len();
                c.gold += g.len();
            }
        }
    }
    println!(
        "PolNeAR {}: {docs} documents, {n_quotes} quotes predicted in {:.2?}",
        Path::new(&dir).display(),
        start.elapsed()
    );
    println!(
        "{:<8} {:<8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "role", "match", "P", "R", "F1", "tp", "pred", "gold"
    );
    for role in ROLES {
        for exact in [true, false] {
            let c = counts.get(&(role, exact)).copied().unwrap_or_default();
            let (p, r, f) = c.prf();
            println!(
                "{:<8} {:<8} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6} {:>6}",
                role.to_lowercase(),
                if exact { "exact" } else { "overlap" },
                p,
                r,
                f,
                c.tp,
                c.pred,
                c.gold
            );
        }
    }
}

/// With `POLNEAR_MISSES` set: prints every predicted cue as `PRED tp/fp` and the gold cues no
/// prediction overlaps as `MISS` (for rule development).
fn print_misses(text: &str, gold: &BTreeMap<&str, Vec<Gold>>, pred: &BTreeMap<&str, Vec<Span>>) {
    let chars: Vec<char> = text.chars().collect();
    let slice = |(a, b): Span| {
        chars
            .get(a..b)
            .map(|c| c.iter().collect::<String>())
            .unwrap_or_default()
    };
    let p = pred.get("Cue").map(Vec::as_slice).unwrap_or(&[]);
    let gold_cues = gold.get("Cue").map(Vec::as_slice).unwrap_or(&[]);
    for &q in p {
        let hit = gold_cues
            .iter()
            .any(|g| g.iter().any(|&f| overlap(f, q) > 0));
        eprintln!(
            "PRED\t{}\t{}",
            if hit { "tp" } else { "fp" },
            slice(q).to_lowercase()
        );
    }
    for g in gold.get("Cue").map(Vec::as_slice).unwrap_or(&[]) {
        if !p.iter().any(|&q| g.iter().any(|&f| overlap(f, q) > 0)) {
            let ctx = (g[0].0.saturating_sub(60), (g[0].1 + 60).min(chars.len()));
            eprintln!(
                "MISS\t{}\t{}",
                slice(g[0]).to_lowercase(),
                slice(ctx).replace('\n', " ")
            );
        }
    }
}
