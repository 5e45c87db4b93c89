//! Reading and scoring the PolNeAR attribution corpus (brat standoff), the data the quote
//! tagger is trained on and the yardstick it is measured with.
//!
//! A PolNeAR directory holds `text/<stem>.txt` and `attributions/<stem>_<XXXX>.ann`, where
//! `XXXX` names the annotator. Offsets are Unicode code points, end exclusive, like every unspin
//! offset; a discontinuous span is written `10 20;25 40`. Texts annotated by several annotators
//! (the annotator-training articles) are read with the first annotation file in name order, so
//! each text counts once.
//!
//! Scoring, per role (source, cue, content), micro-averaged over documents:
//! - **exact**: a predicted span matches a gold span with the same start and end. A
//!   discontinuous gold span is taken as its envelope.
//! - **overlap**: a predicted span matches a gold span sharing at least one code point with
//!   one of its fragments.
//!
//! Matching is one-to-one and greedy (predictions in text order, each taking the unmatched
//! gold span it overlaps most). Predicted spans are deduplicated per role, and the contents of
//! predicted quotes sharing one cue are merged into their envelope, as PolNeAR annotates
//! `“A,” he said, “B.”` as one discontinuous content.
//!
//! ```
//! use unspin_factcheck::quotes::polnear::{parse_ann, Role};
//! let gold = parse_ann("T1\tSource 0 2\tHe\nT2\tCue 3 7\tsaid\nT3\tContent 8 12;20 25\t...\n");
//! assert_eq!(gold.spans(Role::Source), &[vec![(0, 2)]]);
//! assert_eq!(gold.spans(Role::Content), &[vec![(8, 12), (20, 25)]]);
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use unspin_eval::bootstrap::{self, Draws, Interval};

use super::Quote;

/// The three parts of an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Source,
    Cue,
    Content,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Source, Role::Cue, Role::Content];

    /// The name PolNeAR gives the role.
    pub fn name(self) -> &'static str {
        match self {
            Role::Source => "Source",
            Role::Cue => "Cue",
            Role::Content => "Content",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A span as code points, end exclusive.
pub type Span = (usize, usize);

/// Gold spans of one document, per role; each span is its fragments in text order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gold {
    roles: [Vec<Vec<Span>>; 3],
}

impl Gold {
    pub fn spans(&self, role: Role) -> &[Vec<Span>] {
        &self.roles[role.index()]
    }
}

/// Reads the text-bound annotations (`T…` lines) of a brat `.ann` file; other lines, and lines
/// that do not parse, are skipped (PolNeAR also holds relations and notes).
pub fn parse_ann(ann: &str) -> Gold {
    let mut gold = Gold::default();
    for line in ann.lines() {
        let mut cols = line.split('\t');
        let (Some(id), Some(mid)) = (cols.next(), cols.next()) else {
            continue;
        };
        if !id.starts_with('T') {
            continue;
        }
        let Some((name, spans)) = mid.split_once(' ') else {
            continue;
        };
        let Some(role) = Role::ALL.into_iter().find(|r| r.name() == name) else {
            continue;
        };
        let frags: Option<Vec<Span>> = spans
            .split(';')
            .map(|f| {
                let mut it = f.split_whitespace().map(|x| x.parse::<usize>().ok());
                let (a, b) = (it.next()??, it.next()??);
                (a < b).then_some((a, b))
            })
            .collect();
        if let Some(mut frags) = frags.filter(|f| !f.is_empty()) {
            frags.sort_unstable();
            gold.roles[role.index()].push(frags);
        }
    }
    gold
}

/// One annotated text.
#[derive(Debug, Clone)]
pub struct Annotated {
    /// The text file's stem.
    pub id: String,
    pub text: String,
    pub gold: Gold,
}

/// Reads every annotated text of a PolNeAR directory (`text/`, `attributions/`), sorted by id.
/// Texts without an annotation file are skipped; an unreadable directory or file is an error
/// naming it.
pub fn load(dir: &Path) -> Result<Vec<Annotated>, String> {
    let text_dir = dir.join("text");
    let ann_dir = dir.join("attributions");
    let list = |d: &Path| -> Result<Vec<PathBuf>, String> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| format!("{}: {e}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        v.sort();
        Ok(v)
    };
    let anns = list(&ann_dir)?;
    let mut out = Vec::new();
    for t in list(&text_dir)? {
        if t.extension().is_none_or(|x| x != "txt") {
            continue;
        }
        let Some(stem) = t.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let prefix = format!("{stem}_");
        let Some(ann) = anns.iter().find(|a| {
            a.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(&prefix) && n.ends_with(".ann") && n.len() == prefix.len() + 8
            })
        }) else {
            continue;
        };
        let text = std::fs::read_to_string(&t).map_err(|e| format!("{}: {e}", t.display()))?;
        let ann = std::fs::read_to_string(ann).map_err(|e| format!("{}: {e}", ann.display()))?;
        out.push(Annotated {
            id: stem.to_string(),
            text,
            gold: parse_ann(&ann),
        });
    }
    Ok(out)
}

/// Scores quote finding with `tagger` (`None`: the rules alone) over annotated texts.
pub fn score(docs: &[Annotated], tagger: Option<&super::QuoteTagger>) -> Scores {
    score_with_rows(docs, tagger, None)
}

/// [`score`] for a tagger with a vector head: `rows[k]` are the token vectors of `docs[k]`
/// ([`super::token_vectors`]).
pub fn score_with_rows(
    docs: &[Annotated],
    tagger: Option<&super::QuoteTagger>,
    rows: Option<&[Vec<f32>]>,
) -> Scores {
    Scores::sum(&per_document(docs, tagger, rows))
}

/// [`score_with_rows`] document by document, for [`intervals`].
pub fn per_document(
    docs: &[Annotated],
    tagger: Option<&super::QuoteTagger>,
    rows: Option<&[Vec<f32>]>,
) -> Vec<Scores> {
    docs.iter()
        .enumerate()
        .map(|(k, d)| {
            let r = rows.and_then(|r| r.get(k)).map(Vec::as_slice);
            let mut s = Scores::default();
            s.add(
                &predicted(&super::extract_with_rows(&d.text, tagger, r)),
                &d.gold,
            );
            s
        })
        .collect()
}

/// 95% intervals of F1, `[role][0]` exact and `[role][1]` overlap, from 1,000 draws of the
/// documents with replacement (seeded): how far a figure on 84 documents could move on
/// others like them. Matches are counted per document, so a draw's counts are the sums of its
/// documents'.
pub fn intervals(per_doc: &[Scores]) -> [[Interval; 2]; 3] {
    let draws = Draws::new(per_doc.len(), bootstrap::DRAWS, 42);
    let sums: Vec<Scores> = draws
        .picks()
        .iter()
        .map(|picks| {
            let drawn: Vec<Scores> = picks.iter().map(|&i| per_doc[i]).collect();
            Scores::sum(&drawn)
        })
        .collect();
    let f1 = |role: usize, k: usize| {
        Interval::of(
            &mut sums
                .iter()
                .map(|s| s.counts[role][k].prf().2)
                .collect::<Vec<_>>(),
        )
    };
    std::array::from_fn(|role| [f1(role, 0), f1(role, 1)])
}

/// [`intervals`] as lines under [`Scores::table`]'s.
pub fn interval_table(per_doc: &[Scores]) -> String {
    let iv = intervals(per_doc);
    let mut s = format!(
        "F1 95% intervals, {} draws of the {} documents with replacement:\n",
        bootstrap::DRAWS,
        per_doc.len()
    );
    for role in Role::ALL {
        let [e, o] = iv[role.index()];
        s += &format!(
            "{:<8} exact [{:.3}, {:.3}]  overlap [{:.3}, {:.3}]\n",
            role.name().to_lowercase(),
            e.lo,
            e.hi,
            o.lo,
            o.hi
        );
    }
    s
}

/// The spans a list of quotes predicts, per role, as they are scored: deduplicated, and the
/// contents of quotes sharing a cue merged into their envelope.
pub fn predicted(quotes: &[Quote]) -> [Vec<Span>; 3] {
    let mut out: [Vec<Span>; 3] = Default::default();
    let mut by_cue: BTreeMap<Span, Span> = BTreeMap::new();
    for q in quotes {
        if let Some(s) = &q.source {
            out[Role::Source.index()].push((s.start(), s.end()));
        }
        let c = (q.content.start(), q.content.end());
        match &q.cue {
            Some(cue) => {
                out[Role::Cue.index()].push((cue.start(), cue.end()));
                let e = by_cue.entry((cue.start(), cue.end())).or_insert(c);
                *e = (e.0.min(c.0), e.1.max(c.1));
            }
            None => out[Role::Content.index()].push(c),
        }
    }
    out[Role::Content.index()].extend(by_cue.into_values());
    for v in &mut out {
        v.sort_unstable();
        v.dedup();
    }
    out
}

/// Matched, predicted and gold counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub pred: usize,
    pub gold: usize,
}

impl Counts {
    /// Precision, recall and F1 (0 where undefined).
    pub fn prf(&self) -> (f64, f64, f64) {
        let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        let (p, r) = (ratio(self.tp, self.pred), ratio(self.tp, self.gold));
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }

    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.pred += o.pred;
        self.gold += o.gold;
    }
}

/// Counts per role, exact and overlap, summed over documents.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    /// `[role][0]` exact, `[role][1]` overlap.
    pub counts: [[Counts; 2]; 3],
}

impl Scores {
    /// Adds one document's predictions against its gold spans.
    pub fn add(&mut self, pred: &[Vec<Span>; 3], gold: &Gold) {
        for role in Role::ALL {
            let (p, g) = (&pred[role.index()], gold.spans(role));
            for (k, exact) in [true, false].into_iter().enumerate() {
                self.counts[role.index()][k].add(Counts {
                    tp: matches(p, g, exact),
                    pred: p.len(),
                    gold: g.len(),
                });
            }
        }
    }

    /// The counts of all of `per_doc` together.
    pub fn sum(per_doc: &[Scores]) -> Scores {
        let mut s = Scores::default();
        for d in per_doc {
            s.merge(d);
        }
        s
    }

    /// Adds another set of documents' counts.
    pub fn merge(&mut self, o: &Scores) {
        for (mine, theirs) in self.counts.iter_mut().zip(&o.counts) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                m.add(*t);
            }
        }
    }

    pub fn get(&self, role: Role, exact: bool) -> Counts {
        self.counts[role.index()][usize::from(!exact)]
    }

    /// The scores as a Markdown-ish table, one line per role and match.
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:<8} {:<8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
            "role", "match", "P", "R", "F1", "tp", "pred", "gold"
        );
        for role in Role::ALL {
            for exact in [true, false] {
                let c = self.get(role, exact);
                let (p, r, f) = c.prf();
                s += &format!(
                    "{:<8} {:<8} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6} {:>6}\n",
                    role.name().to_lowercase(),
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
        s
    }
}

/// Code points shared by two spans.
pub fn overlap(a: Span, b: Span) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// One-to-one greedy matching; returns the number of matched predictions.
fn matches(pred: &[Span], gold: &[Vec<Span>], exact: bool) -> usize {
    let mut used = vec![false; gold.len()];
    let mut tp = 0;
    for &p in pred {
        let mut best: Option<(usize, usize)> = None;
        for (g, frags) in gold.iter().enumerate() {
            if used[g] || frags.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_come_from_draws_of_whole_documents() {
        // Document 0 all right, document 1 all wrong (one gold cue each): F1 0.5 over both,
        // and draws of mostly one or mostly the other stretch the interval.
        let gold = parse_ann("T1\tCue 0 4\tsaid\n");
        let (mut right, mut wrong) = (Scores::default(), Scores::default());
        right.add(&[vec![], vec![(0, 4)], vec![]], &gold);
        wrong.add(&[vec![], vec![(5, 9)], vec![]], &gold);
        let per_doc = vec![right, wrong];
        let total = Scores::sum(&per_doc);
        assert_eq!(total.get(Role::Cue, true).tp, 1);
        assert_eq!(total.get(Role::Cue, true).gold, 2);
        let iv = intervals(&per_doc)[Role::Cue.index()];
        let f1 = total.get(Role::Cue, true).prf().2;
        for i in iv {
            assert!(i.lo < f1 && f1 < i.hi, "{i:?} around {f1}");
            // With two documents a draw is both (0.5), one twice (1 or 0).
            assert_eq!((i.lo, i.hi), (0.0, 1.0));
        }
        // Nothing predicted or gold for sources: 0 in every draw.
        let s = intervals(&per_doc)[Role::Source.index()];
        assert_eq!((s[0].lo, s[0].hi), (0.0, 0.0));
        assert!(interval_table(&per_doc).contains("cue      exact [0.000, 1.000]"));
    }

    #[test]
    fn exact_takes_the_envelope_and_overlap_any_fragment() {
        let gold = parse_ann("T1\tContent 0 5;10 15\tab\nT2\tCue 6 9\tsaid\nR1\tx\n");
        let mut s = Scores::default();
        let pred: [Vec<Span>; 3] = [vec![], vec![(6, 9)], vec![(0, 15)]];
        s.add(&pred, &gold);
        assert_eq!(s.get(Role::Content, true).tp, 1);
        assert_eq!(s.get(Role::Cue, true).tp, 1);
        let mut s = Scores::default();
        let pred: [Vec<Span>; 3] = [vec![(1, 2)], vec![], vec![(12, 13), (11, 12)]];
        s.add(&pred, &gold);
        // One gold content, two overlapping predictions: one match only.
        assert_eq!(
            s.get(Role::Content, false),
            Counts {
                tp: 1,
                pred: 2,
                gold: 1
            }
        );
        assert_eq!(s.get(Role::Content, true).tp, 0);
        assert_eq!(
            s.get(Role::Source, false),
            Counts {
                tp: 0,
                pred: 1,
                gold: 0
            }
        );
    }

    #[test]
    fn bad_lines_are_skipped() {
        let gold = parse_ann("T1\tSource x 5\tab\nT2\tCue 9 3\tz\nT3\tContent\nT4\tSource 1 2\ta");
        assert_eq!(gold.spans(Role::Source), &[vec![(1, 2)]]);
        assert!(gold.spans(Role::Cue).is_empty());
    }
}
