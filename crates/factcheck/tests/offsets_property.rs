//! Every offset every aid reports points at exactly its text (code points, end exclusive), on
//! random articles built from awkward pieces (emoji, accents, curly and guillemet quotes,
//! numbers, names, attribution cues, line breaks, a BOM) and on real ones: the bundled
//! examples, and the PTC training articles when `../shared/data` is there.

use std::path::Path;
use std::sync::Arc;

use unspin_core::aids::Place;
use unspin_core::{Article, CharSpan, Document, PieceVectors};
use unspin_factcheck::claims::ClaimModel;
use unspin_ml::rng::SplitMix;

const PIECES: &[&str] = &[
    "The",
    "minister",
    "said",
    "\u{201c}",
    "\u{201d}",
    "\"",
    "«",
    "»",
    "'",
    "\u{2019}",
    "300",
    "120",
    "170",
    "12%",
    "3.5%",
    "$4.2 billion",
    "in",
    "Kirkuk",
    "Mosul",
    "Navalny",
    "Navalni",
    "Müller",
    "Café",
    "😀",
    "👩‍👩‍👧",
    "naïve",
    "according to",
    "told",
    "Reuters",
    "he",
    "she",
    "they",
    "added",
    ":",
    ",",
    ".",
    "!",
    "?",
    "—",
    "-",
    "(",
    ")",
    "\n",
    "\n\n",
    "\u{feff}",
    "\u{a0}",
    "\t",
    "Fact checked",
    "U.S.",
    "Dr.",
    "e.g.",
    "…",
    "of",
    "trucks",
    "total",
    "million",
    "percent",
    "Konashenkov",
    "Rudskoy",
    "Rudskoi",
    "'We will win,'",
];

fn random_text(rng: &mut SplitMix) -> String {
    let n = 1 + (rng.next_u64() % 120) as usize;
    let mut out = String::new();
    for _ in 0..n {
        let piece = PIECES[(rng.next_u64() % PIECES.len() as u64) as usize];
        if rng.next_u64() % 4 != 0 {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

fn assert_place(chars: &[char], p: &Place, what: &str, text: &str) {
    assert!(
        p.start() <= p.end() && p.end() <= chars.len(),
        "{what} {}..{} out of 0..{} in {text:?}",
        p.start(),
        p.end(),
        chars.len()
    );
    let got: String = chars[p.start()..p.end()].iter().collect();
    assert_eq!(
        got,
        p.text(),
        "{what} {}..{} in {text:?}",
        p.start(),
        p.end()
    );
}

/// Runs all the aids on `text` and checks every offset; returns how many places it checked
/// for claims, quotes and findings.
fn check_all(model: &ClaimModel, text: &str) -> [usize; 3] {
    check_all_with(model, text, None)
}

/// How [`fake_vectors`] breaks the detector's vectors.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Well formed: pieces in order, some tokens split in two, some left without a piece.
    None,
    /// NaN and infinite values among the rows.
    NonFinite,
    /// Fewer rows than pieces.
    ShortRows,
    /// Pieces out of order, one over the whole text, one past its end.
    Disorder,
}

/// Vectors the embedded vector quote tagger reads (its encoder and width), with seeded
/// random rows, so that its head scores every token and its CRFs tag runs.
fn fake_vectors(doc: &Document, rng: &mut SplitMix, fault: Fault) -> PieceVectors {
    let tagger = unspin_factcheck::quotes::embedded_vectors().expect("the vector tagger loads");
    let head = tagger.head.as_ref().expect("it has a head");
    let mut pieces = Vec::new();
    for t in &doc.tokens {
        let (a, b) = (t.span.start, t.span.end);
        match rng.next_u64() % 8 {
            0 => {}
            1 if b - a >= 2 => {
                let m = a + (b - a) / 2;
                pieces.push(CharSpan::new(a, m));
                pieces.push(CharSpan::new(m, b));
            }
            _ => pieces.push(CharSpan::new(a, b)),
        }
    }
    let n_chars = doc.article.text().chars().count();
    if let Fault::Disorder = fault {
        pieces.reverse();
        pieces.insert(0, CharSpan::new(0, n_chars));
        pieces.push(CharSpan::new(n_chars, n_chars + 5));
    }
    let w = head.width;
    let mut rows: Vec<f32> = (0..pieces.len() * w)
        .map(|_| ((rng.next_u64() % 2001) as f32 / 1000.0 - 1.0) * 0.5)
        .collect();
    match fault {
        Fault::NonFinite => {
            for (k, x) in rows.iter_mut().enumerate() {
                if k % 97 == 0 {
                    *x = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][k % 3];
                }
            }
        }
        Fault::ShortRows => rows.truncate(rows.len() / 2),
        _ => {}
    }
    PieceVectors {
        encoder: head.encoder.clone(),
        pieces,
        width: w,
        rows: Arc::from(rows),
    }
}

/// [`check_all`] with the detector's vectors, when given: the vector quote tagger runs.
fn check_all_with(model: &ClaimModel, text: &str, fault: Option<(Fault, u64)>) -> [usize; 3] {
    let doc = Document::new(Article::new("x", text));
    let vectors = fault.map(|(f, seed)| fake_vectors(&doc, &mut SplitMix::new(seed), f));
    let aids = unspin_factcheck::run(model, &doc, vectors.as_ref());
    let chars: Vec<char> = text.chars().collect();
    let mut n = [0; 3];
    for c in &aids.claims {
        assert!(
            c.start() <= c.end() && c.end() <= chars.len(),
            "claim {c:?}"
        );
        let got: String = chars[c.start()..c.end()].iter().collect();
        assert_eq!(got, c.text(), "claim in {text:?}");
        n[0] += 1;
    }
    for (i, q) in aids.quotes.iter().enumerate() {
        assert_place(&chars, &q.content, "quote content", text);
        n[1] += 1;
        // A statement reported inside another lies in that one's content, and is smaller.
        if let Some(j) = q.within {
            let outer = aids.quotes.get(j).expect("within points into the list");
            assert_ne!(i, j, "a statement within itself in {text:?}");
            assert!(q.lies_within(outer), "{q:?} is not inside {outer:?}");
        }
        for (what, p) in [
            ("quote cue", &q.cue),
            ("quote source", &q.source),
            ("speaker place", &q.speaker_place),
        ] {
            if let Some(p) = p {
                assert_place(&chars, p, what, text);
                n[1] += 1;
            }
        }
    }
    for f in &aids.findings {
        for p in &f.places {
            assert_place(&chars, p, "finding place", text);
            n[2] += 1;
        }
    }
    n
}

#[test]
fn random_articles_offsets_point_at_their_text() {
    let model = ClaimModel::embedded().expect("the embedded claim model loads");
    let mut rng = SplitMix::new(20261203);
    let mut places = [0; 3];
    for _ in 0..400 {
        let n = check_all(&model, &random_text(&mut rng));
        (0..3).for_each(|k| places[k] += n[k]);
    }
    eprintln!("places checked: {places:?} (claims, quotes, findings)");
    // The pieces are chosen so that every aid fires: a test that checked nothing would pass.
    assert!(
        places.iter().all(|&n| n >= 50),
        "too few places of some aid checked: {places:?}"
    );
}

#[test]
fn random_articles_offsets_point_at_their_text_with_vectors() {
    let model = ClaimModel::embedded().expect("the embedded claim model loads");
    let mut rng = SplitMix::new(20261204);
    let faults = [
        Fault::None,
        Fault::NonFinite,
        Fault::ShortRows,
        Fault::Disorder,
    ];
    let mut quotes = [0; 4];
    for i in 0..200 {
        let text = random_text(&mut rng);
        let k = i % faults.len();
        quotes[k] += check_all_with(&model, &text, Some((faults[k], i as u64)))[1];
    }
    eprintln!("quote places checked with vectors: {quotes:?} (well formed, non-finite, short, disordered)");
    assert!(
        quotes.iter().all(|&n| n >= 20),
        "too few quote places with vectors: {quotes:?}"
    );
}

/// One endless sentence of statements stays linear in its output on the vector path too: the
/// statements the vector tagger links from many cues at once are bounded.
#[test]
fn an_endless_sentence_stays_linear_with_vectors() {
    let model = ClaimModel::embedded().expect("the embedded claim model loads");
    let text = format!(
        "{}\u{201d} {}",
        "he said \u{201c}".repeat(3000),
        "😀 ".repeat(3000)
    );
    let doc = Document::new(Article::new("x", text.as_str()));
    let v = fake_vectors(&doc, &mut SplitMix::new(7), Fault::None);
    let t0 = std::time::Instant::now();
    let aids = unspin_factcheck::run(&model, &doc, Some(&v));
    let bytes: usize = aids
        .quotes
        .iter()
        .map(|q| {
            q.content.text().len()
                + q.source.as_ref().map_or(0, |p| p.text().len())
                + q.cue.as_ref().map_or(0, |p| p.text().len())
        })
        .sum();
    eprintln!(
        "{} quotes, {bytes} bytes of text, {:.1} s",
        aids.quotes.len(),
        t0.elapsed().as_secs_f64()
    );
    // At most 200 tokens of content (a few bytes each) per reported statement, and sources
    // bounded too; a direct quote keeps its marks' bounds, and here the one quotation runs
    // from the first mark to the last, the text once. Far below the input's size times the
    // number of statements either way. (With the vector head of 2026-12-04 the tagger links
    // none of these fake statements, so that quotation is all there is.)
    assert!(
        bytes <= text.len() + aids.quotes.len().max(1) * 200 * 16,
        "{bytes} bytes for {} quotes",
        aids.quotes.len()
    );
}

#[test]
fn real_articles_offsets_point_at_their_text() {
    let model = ClaimModel::embedded().expect("the embedded claim model loads");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut texts: Vec<(String, String)> = ["article1001.txt", "article1002.txt"]
        .iter()
        .map(|f| {
            let p = root.join("examples").join(f);
            (
                f.to_string(),
                std::fs::read_to_string(&p).expect("bundled example"),
            )
        })
        .collect();
    let ptc = std::env::var_os("UNSPIN_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"))
        .join("ptc-train/articles");
    match std::fs::read_dir(&ptc) {
        Ok(dir) => {
            let mut paths: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).expect("PTC article is UTF-8");
                texts.push((p.display().to_string(), text));
            }
        }
        Err(_) => eprintln!(
            "note: no {} (set UNSPIN_DATA); only the bundled examples are checked",
            ptc.display()
        ),
    }
    let mut places = [0; 3];
    for (name, text) in &texts {
        let n = check_all(&model, text);
        assert!(n[0] > 0, "{name}: not even a sentence scored");
        (0..3).for_each(|k| places[k] += n[k]);
    }
    eprintln!(
        "{} articles, places checked: {places:?} (claims, quotes, findings)",
        texts.len()
    );
}
