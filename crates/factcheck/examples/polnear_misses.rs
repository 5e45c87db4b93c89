//! What the quote finder misses on the held-out fifth of PolNeAR train (never dev): trains a
//! tagger on the other four fifths, then lists the most frequent words of gold cues, and the
//! shapes of gold sources and contents, that no prediction overlaps.
//!
//! ```sh
//! cargo run --release -p unspin-factcheck --example polnear_misses [-- TRAIN_DIR]
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use unspin_factcheck::quotes::polnear::{self, overlap, Annotated, Role, Span};
use unspin_factcheck::quotes::{extract_with, Diagnostics, QuoteTagger, TrainParams};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/quotes/polnear/train")
        });
    let docs = polnear::load(&dir).expect("PolNeAR train");
    let held = |d: &Annotated| unspin_ml::hash::hash_bytes(d.id.as_bytes()) % 5 == 0;
    let (valid, fit): (Vec<Annotated>, Vec<Annotated>) = docs.iter().cloned().partition(held);
    // The shipped classical tagger's thresholds.
    let params = TrainParams {
        thresholds: [0.2, 0.4, 0.7],
        ..TrainParams::default()
    };
    let tagger = QuoteTagger::train(&fit, &params);
    println!(
        "tagger (fit) + rules on the held-out fifth:\n{}",
        polnear::score(&valid, Some(&tagger)).table()
    );
    if std::env::var_os("SCORE_ONLY").is_some() {
        return;
    }
    let show = std::env::var_os("SHOW").is_some();
    let mut tally = Tally::default();
    for d in &valid {
        tally.document(d, &tagger, show);
    }
    tally.print();
}

/// Counts over the gold spans of the held-out texts, per role where indexed by role.
#[derive(Default)]
struct Tally {
    /// Missed spans by `miss_key`.
    missed: [HashMap<String, usize>; 3],
    /// All gold spans, and those missed.
    totals: [[usize; 2]; 3],
    /// Missed sources and contents by shape.
    cats: HashMap<&'static str, usize>,
    /// Gold spans by `stage`.
    stages: [[usize; 6]; 3],
    /// Misses of stage 5 printed so far (`SHOW`).
    shown: [usize; 3],
}

impl Tally {
    fn document(&mut self, d: &Annotated, tagger: &QuoteTagger, show: bool) {
        let pred = polnear::predicted(&extract_with(&d.text, Some(tagger)));
        let chars: Vec<char> = d.text.chars().collect();
        let diagnostics = tagger.token_marginals(&d.text, None).expect("no head");
        let rules = polnear::predicted(&extract_with(&d.text, None));
        for role in Role::ALL {
            let r = role.index();
            for g in d.gold.spans(role) {
                let k = stage(g, r, tagger, &diagnostics, &rules, &pred);
                self.stages[r][k] += 1;
                if k == 5 && self.shown[r] < 12 && show {
                    self.shown[r] += 1;
                    let line = in_context(&chars, g, tagger, &diagnostics);
                    println!("--- {} missed:\n{}", role.name(), line.replace('\n', " / "));
                }
                self.totals[r][0] += 1;
                if overlaps_any(&pred[r], g) {
                    continue;
                }
                self.totals[r][1] += 1;
                let t = g
                    .iter()
                    .map(|&f| text_of(&chars, f))
                    .collect::<Vec<_>>()
                    .join(" … ");
                let key = self.miss_key(role, &t);
                *self.missed[r].entry(key).or_default() += 1;
            }
        }
    }

    /// A cue is counted by its words, a source by its last word, a content by its shape; the
    /// words of sources and contents are too varied to group, hence their shapes in `cats`.
    fn miss_key(&mut self, role: Role, t: &str) -> String {
        match role {
            Role::Cue => t.to_lowercase(),
            Role::Source => {
                let low = t.to_lowercase();
                let c = if [
                    "he", "she", "they", "it", "i", "we", "you", "his", "her", "their",
                ]
                .contains(&low.as_str())
                {
                    "pronoun"
                } else if t.chars().next().is_some_and(char::is_uppercase) {
                    "capitalised"
                } else {
                    "lowercase np"
                };
                *self.cats.entry(c).or_default() += 1;
                low.split_whitespace().last().unwrap_or("").to_string()
            }
            Role::Content => {
                let q = t.contains('"') || t.contains('“') || t.contains('”');
                let w = t.split_whitespace().count();
                let c = match (q, w) {
                    (true, _) => "content with quote marks",
                    (false, 0..=5) => "content ≤5 words",
                    (false, 6..=20) => "content 6-20 words",
                    _ => "content >20 words",
                };
                *self.cats.entry(c).or_default() += 1;
                c.to_string()
            }
        }
    }

    fn print(&self) {
        for role in Role::ALL {
            let [all, miss] = self.totals[role.index()];
            println!("\n{}: {miss} of {all} gold spans missed", role.name());
            let mut v: Vec<_> = self.missed[role.index()].iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (k, n) in v.into_iter().take(60) {
                print!("{n} {k:?}; ");
            }
            println!();
        }
        println!("\n{:?}", self.cats);
        println!("rules / tagged+out / tagged, in a tagged statement, lost in merge / out-untagged / none / tagged, not linked");
        for role in Role::ALL {
            println!("{:<8} {:?}", role.name(), self.stages[role.index()]);
        }
    }
}

/// Where gold span `g` of role `r` is found or lost: 0 found by the rules; else 1 tagged and
/// output; 2 tagged, in a tagged statement, lost in the merge; 3 output though no token was
/// tagged; 4 neither; 5 tagged, but not linked into a statement.
fn stage(
    g: &[Span],
    r: usize,
    tagger: &QuoteTagger,
    (spans, marg, stmts): &Diagnostics,
    rules: &[Vec<Span>; 3],
    pred: &[Vec<Span>; 3],
) -> usize {
    let tagged = spans
        .iter()
        .zip(&marg[r])
        .any(|(&s, &p)| p >= tagger.thresholds[r] && g.iter().any(|&f| overlap(f, s) > 0));
    let by_rules = overlaps_any(&rules[r], g);
    let hit = overlaps_any(&pred[r], g);
    let in_stmt = overlaps_any(&stmts[r], g);
    match (by_rules, tagged, hit) {
        (true, _, _) => 0,
        (false, true, true) => 1,
        (false, true, false) if in_stmt => 2,
        (false, true, false) => 5,
        (false, false, true) => 3,
        (false, false, false) => 4,
    }
}

/// Whether any of `found` shares a character with any fragment of gold span `g`.
fn overlaps_any(found: &[Span], g: &[Span]) -> bool {
    found.iter().any(|&p| g.iter().any(|&f| overlap(f, p) > 0))
}

/// Gold span `g` in `[[…]]` with 150 characters either side, each token the tagger tagged
/// preceded by its role's letter (`S|`, `C|`, `T|`), to read why it was not linked.
fn in_context(
    chars: &[char],
    g: &[Span],
    tagger: &QuoteTagger,
    (spans, marg, _): &Diagnostics,
) -> String {
    let (a, b) = (g[0].0, g.last().map_or(g[0].1, |f| f.1));
    let lo = a.saturating_sub(150);
    let hi = (b + 150).min(chars.len());
    let mut line = String::new();
    for (i, c) in chars.iter().enumerate().take(hi).skip(lo) {
        if i == a {
            line.push_str("[[");
        }
        for (rr, tag) in [(0, 'S'), (1, 'C'), (2, 'T')] {
            for (ti, &(ts, _)) in spans.iter().enumerate() {
                if ts == i && marg[rr][ti] >= tagger.thresholds[rr] {
                    line.push(tag);
                    line.push('|');
                }
            }
        }
        line.push(*c);
        if i + 1 == b {
            line.push_str("]]");
        }
    }
    line
}

fn text_of(chars: &[char], (a, b): Span) -> String {
    chars[a..b.min(chars.len())].iter().collect()
}
