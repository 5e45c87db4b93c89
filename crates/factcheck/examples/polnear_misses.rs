//! What the quote finder misses on the held-out fifth of PolNeAR train (never dev): trains a
//! tagger on the other four fifths, then lists the most frequent words of gold cues, and the
//! shapes of gold sources and contents, that no prediction overlaps.
//!
//! ```sh
//! cargo run --release -p unspin-factcheck --example polnear_misses [-- TRAIN_DIR]
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use unspin_factcheck::quotes::polnear::{self, overlap, Annotated, Role};
use unspin_factcheck::quotes::{extract_with, QuoteTagger, TrainParams};

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
    let mut missed: [HashMap<String, usize>; 3] = Default::default();
    let mut totals = [[0usize; 2]; 3];
    let mut cats: HashMap<&'static str, usize> = HashMap::new();
    // Per role: found by the rules; else tagged and output; tagged, lost in linking; output
    // though no token was tagged; neither.
    let mut stages = [[0usize; 6]; 3];
    let mut shown = [0usize; 3];
    for d in &valid {
        let pred = polnear::predicted(&extract_with(&d.text, Some(&tagger)));
        let chars: Vec<char> = d.text.chars().collect();
        let text =
            |(a, b): (usize, usize)| -> String { chars[a..b.min(chars.len())].iter().collect() };
        let (spans, marg, stmts) = tagger.token_marginals(&d.text, None).expect("no head");
        let rules = polnear::predicted(&extract_with(&d.text, None));
        for role in Role::ALL {
            for g in d.gold.spans(role) {
                let r = role.index();
                let tagged = spans.iter().zip(&marg[r]).any(|(&s, &p)| {
                    p >= tagger.thresholds[r] && g.iter().any(|&f| overlap(f, s) > 0)
                });
                let by_rules = rules[r]
                    .iter()
                    .any(|&p| g.iter().any(|&f| overlap(f, p) > 0));
                let hit = pred[r]
                    .iter()
                    .any(|&p| g.iter().any(|&f| overlap(f, p) > 0));
                let in_stmt = stmts[r]
                    .iter()
                    .any(|&p| g.iter().any(|&f| overlap(f, p) > 0));
                let k = match (by_rules, tagged, hit) {
                    (true, _, _) => 0,
                    (false, true, true) => 1,
                    (false, true, false) if in_stmt => 2,
                    (false, true, false) => 5,
                    (false, false, true) => 3,
                    (false, false, false) => 4,
                };
                stages[r][k] += 1;
                if k == 5 && shown[r] < 12 && std::env::var_os("SHOW").is_some() {
                    shown[r] += 1;
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
                    println!("--- {} missed:\n{}", role.name(), line.replace('\n', " / "));
                }
                totals[role.index()][0] += 1;
                let hit = pred[role.index()]
                    .iter()
                    .any(|&p| g.iter().any(|&f| overlap(f, p) > 0));
                if hit {
                    continue;
                }
                totals[role.index()][1] += 1;
                let t = g.iter().map(|&f| text(f)).collect::<Vec<_>>().join(" … ");
                let key = match role {
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
                        *cats.entry(c).or_default() += 1;
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
                        *cats.entry(c).or_default() += 1;
                        c.to_string()
                    }
                };
                *missed[role.index()].entry(key).or_default() += 1;
            }
        }
    }
    for role in Role::ALL {
        let [all, miss] = totals[role.index()];
        println!("\n{}: {miss} of {all} gold spans missed", role.name());
        let mut v: Vec<_> = missed[role.index()].iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (k, n) in v.into_iter().take(60) {
            print!("{n} {k:?}; ");
        }
        println!();
    }
    println!("\n{cats:?}");
    println!("rules / tagged+out / tagged, in a tagged statement, lost in merge / out-untagged / none / tagged, not linked");
    for role in Role::ALL {
        println!("{:<8} {:?}", role.name(), stages[role.index()]);
    }
}
