//! The check-worthy claim classifier: features, training on crafted sentences, the model file,
//! offsets on non-ASCII text, and the embedded model. None of these need the shared data; the one
//! test that does is `#[ignore]`d and skips with a message when the data is absent.

use std::path::PathBuf;
use unspin_core::segment::tokenize;
use unspin_factcheck::claims::{
    features::sentence_features, read_tsv, train_sentences, ClaimModel, ClaimsError,
    LabeledSentence, TrainOptions,
};

const CLAIMS: &[&str] = &[
    "Unemployment fell to 3.5% in 2019.",
    "Taxes rose by 12 percent last year.",
    "The deficit grew to $1.2 trillion in 2020.",
    "Crime dropped 20% since 2015.",
    "Wages increased 4 percent in 2018.",
    "We cut spending by $300 billion.",
    "Exports fell 7% in 2009.",
    "The state lost 40,000 jobs in 2016.",
    "Prices rose 9 percent in 2022.",
    "Enrollment grew by 15% in 2017.",
    "The budget doubled to $8 billion.",
    "Inflation hit 6% in 1990.",
];

const NON_CLAIMS: &[&str] = &[
    "Thank you all for coming.",
    "Good evening, everyone.",
    "Thank you very much.",
    "It is great to be here tonight.",
    "Let me finish, please.",
    "Good night and God bless.",
    "Thanks for having me.",
    "I appreciate the question.",
    "Welcome to the debate.",
    "That's a good question.",
    "Let me say this.",
    "Thank you, Jim.",
];

fn crafted() -> Vec<LabeledSentence> {
    let mut out = Vec::new();
    for (i, (list, yes)) in [(CLAIMS, true), (NON_CLAIMS, false)].iter().enumerate() {
        for (j, text) in list.iter().enumerate() {
            out.push(LabeledSentence {
                id: format!("{i}-{j}"),
                text: text.to_string(),
                yes: *yes,
            });
        }
    }
    out
}

/// Settings for two dozen sentences: a small table, big steps, many epochs.
fn tiny_options() -> TrainOptions {
    TrainOptions {
        bits: 16,
        holdout: 0.25,
        epochs: vec![20],
        learning_rates: vec![0.2],
        yes_repeats: vec![1],
        ..TrainOptions::default()
    }
}

fn tiny_model() -> ClaimModel {
    train_sentences(&crafted(), &tiny_options()).expect("crafted data trains")
}

#[test]
fn feature_hashing_is_deterministic() {
    let s = "Unemployment fell to 3.5% in 2019, said Ms. Müller.";
    let features = |s: &str| {
        let mut out = Vec::new();
        sentence_features(s, &tokenize(s), &mut out);
        out
    };
    let a = features(s);
    assert_eq!(a, features(s));
    assert!(a.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    assert_ne!(
        a,
        features("Unemployment rose to 3.5% in 2019, said Ms. Müller.")
    );
    // Appending keeps what was already in the buffer.
    let mut out = vec![7];
    sentence_features(s, &tokenize(s), &mut out);
    assert_eq!(out[0], 7);
    assert_eq!(&out[1..], &a[..]);
}

#[test]
fn training_is_deterministic_and_separates_claims() {
    let m = tiny_model();
    let again = tiny_model();
    assert_eq!(
        m.to_bytes(),
        again.to_bytes(),
        "same data and seed, same model"
    );
    let claim = m.score("Unemployment fell to 3.5% in 2019.");
    let greeting = m.score("Thank you all for coming.");
    assert!(claim > 0.8 && greeting < 0.2, "{claim} {greeting}");
    // Unseen sentences of the same two kinds.
    let unseen_claim = m.score("Spending rose 8% in 2014.");
    let unseen_greeting = m.score("Thank you, and good evening.");
    assert!(
        unseen_claim > unseen_greeting,
        "{unseen_claim} {unseen_greeting}"
    );
    assert!((0.0..=1.0).contains(&m.threshold));
}

#[test]
fn training_refuses_one_class() {
    let only_yes: Vec<LabeledSentence> = crafted().into_iter().filter(|s| s.yes).collect();
    let err = train_sentences(&only_yes, &tiny_options()).unwrap_err();
    assert!(err.contains("0 No"), "{err}");
}

#[test]
fn model_file_round_trip_and_corruption() {
    let m = tiny_model();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.unspin");
    unspin_io::write_atomic(&path, &m.to_bytes()).unwrap();
    let back = ClaimModel::load(&path).unwrap();
    assert_eq!(back.threshold, m.threshold);
    assert_eq!(back.header.epochs, m.header.epochs);
    for s in CLAIMS.iter().chain(NON_CLAIMS) {
        assert_eq!(back.score(s), m.score(s));
    }

    let bytes = m.to_bytes();
    let bad = |b: &[u8]| ClaimModel::from_bytes(b, "test").unwrap_err();
    assert!(matches!(bad(b""), ClaimsError::Magic { .. }));
    assert!(matches!(
        bad(b"UNSPIN-CLASSICAL\n\x01\0\0\0"),
        ClaimsError::Magic { .. }
    ));
    assert!(matches!(bad(&bytes[..16]), ClaimsError::Corrupt { .. }));
    assert!(matches!(
        bad(&bytes[..bytes.len() / 2]),
        ClaimsError::Corrupt { .. }
    ));
    let mut version = bytes.clone();
    version[14] = 99;
    assert!(matches!(
        bad(&version),
        ClaimsError::Version { found: 99, .. }
    ));
    // Flipping bytes anywhere in the body must give an error or a model, never a panic.
    for i in (18..bytes.len()).step_by(7) {
        let mut flipped = bytes.clone();
        flipped[i] ^= 0x5a;
        let _ = ClaimModel::from_bytes(&flipped, "test");
    }
    let missing = ClaimModel::load(&dir.path().join("absent.unspin")).unwrap_err();
    assert!(missing.to_string().contains("absent.unspin"), "{missing}");
}

#[test]
fn claims_offsets_slice_back_by_code_points() {
    let m = tiny_model();
    let text = "Café owners say: «prices rose 12% in 2023»! Thank you — 😀 bye.\n\n\
                Müller’s unemployment fell to 3.5% in 2019.";
    let claims = m.claims(text);
    let chars: Vec<char> = text.chars().collect();
    assert!(claims.len() >= 3, "{claims:#?}");
    let mut last_end = 0;
    for c in &claims {
        assert!(last_end <= c.start() && c.start() < c.end() && c.end() <= chars.len());
        let s: String = chars[c.start()..c.end()].iter().collect();
        assert_eq!(s, c.text());
        assert_eq!(c.check_worthy, c.score >= m.threshold);
        last_end = c.end();
    }
    assert_eq!(
        claims.last().unwrap().text(),
        "Müller’s unemployment fell to 3.5% in 2019."
    );
    // Serialisable, as every unspin output.
    let json = serde_json::to_string(&claims).unwrap();
    let back: Vec<unspin_factcheck::claims::Claim> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, claims);
    assert!(m.claims("").is_empty());
    assert!(m.claims(" \n\t ").is_empty());
}

#[test]
fn embedded_model_prefers_statistics_to_greetings() {
    let m = ClaimModel::embedded().expect("embedded model loads");
    let stat = "Unemployment fell to 3.5% in 2019, the lowest rate in 50 years.";
    let greeting = "Thank you all for coming tonight.";
    let (s, g) = (m.score(stat), m.score(greeting));
    assert!(s > g, "{s} {g}");
    assert!(
        s >= m.threshold && g < m.threshold,
        "{s} {g} {}",
        m.threshold
    );
}

#[test]
fn malformed_lines_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.tsv");
    std::fs::write(
        &path,
        "Sentence_id\tText\tclass_label\r\n\
         1\tTaxes rose 5%.\tYes\r\n\
         2\tWe grew.\tNo29286\tYou can't.\tNo\n\
         3\tHello.\tNo\n\
         4\tHello.\tMaybe\n",
    )
    .unwrap();
    let data = read_tsv(&path).unwrap();
    assert_eq!(data.sentences.len(), 2);
    assert!(data.sentences[0].yes && !data.sentences[1].yes);
    let lines: Vec<usize> = data.skipped.iter().map(|s| s.0).collect();
    assert_eq!(lines, vec![3, 5]);

    std::fs::write(&path, "1\tTaxes rose 5%.\tYes\n").unwrap();
    let err = read_tsv(&path).unwrap_err();
    assert!(matches!(err, ClaimsError::Data { .. }), "{err}");
}

fn data_dir() -> PathBuf {
    match std::env::var_os("UNSPIN_DATA") {
        Some(dir) => PathBuf::from(dir).join("checkworthy"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/checkworthy"),
    }
}

/// The embedded model on the CheckThat! 2024 English dev set (`cargo test -- --ignored`).
#[test]
#[ignore = "needs the CheckThat! data in ../shared/data/checkworthy or $UNSPIN_DATA"]
fn embedded_model_dev_f1() {
    let path = data_dir().join("dev.tsv");
    if !path.is_file() {
        eprintln!("skipping: {} not found", path.display());
        return;
    }
    let dev = read_tsv(&path).unwrap();
    let e = ClaimModel::embedded().unwrap().evaluate(&dev.sentences);
    println!("dev: {e:?}");
    assert!(e.scores.f1 >= 0.75, "dev F1 {:.3}", e.scores.f1);
}

#[test]
fn headlines_and_labels_are_never_check_worthy() {
    let m = ClaimModel::embedded().expect("the embedded claim model loads");
    let text = "Unemployment Fell To 3.5% In 2019, Ministry Says\n\n\
                Fact checked\n\n\
                Unemployment fell to 3.5% in 2019, the ministry said.\n\
                Unemployment fell to 3.5% in 2019, the ministry said in \u{201c}its report\u{201d}";
    let claims = m.claims(text);
    let by_text = |t: &str| {
        claims
            .iter()
            .find(|c| c.text() == t)
            .unwrap_or_else(|| panic!("no sentence {t:?} in {claims:#?}"))
    };
    for label in [
        "Unemployment Fell To 3.5% In 2019, Ministry Says",
        "Fact checked",
    ] {
        let c = by_text(label);
        // The model alone would tick both (0.92 and 0.65 against 0.42), so this checks the rule.
        assert!(
            c.score >= m.threshold,
            "{c:?}: pick a label the model scores high"
        );
        assert!(!c.check_worthy, "{label:?} is a label");
    }
    // A statement keeps the model's verdict, also at the very end of the text.
    let statement = by_text("Unemployment fell to 3.5% in 2019, the ministry said.");
    assert_eq!(statement.check_worthy, statement.score >= m.threshold);
    assert!(statement.check_worthy, "{statement:?}");
}

/// The embedded vector model stacks the n-gram model's logit with a weight learned for that
/// model's scale: retraining `models/claims.unspin` without rerunning `claims_embed.py --stack`
/// (training/README.md) would mis-weigh it, so the digest it was trained beside must match.
#[test]
fn the_embedded_vector_model_was_stacked_on_the_embedded_ngram_model() {
    use sha2::{Digest, Sha256};
    let m = ClaimModel::embedded().unwrap();
    let stacked = m
        .on_vectors
        .unwrap()
        .stacked
        .expect("a stacked model ships");
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/claims.unspin"
    ))
    .unwrap();
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(stacked.ngram_model_sha256, digest);
}

#[test]
fn page_furniture_is_never_check_worthy() {
    let mut m = ClaimModel::embedded().expect("the embedded claim model loads");
    // The n-gram model scores these low; the default's vector model of 2026-12-04 ticked the
    // first and third at 0.33 (its threshold 0.32). A threshold of 0 ticks every sentence, so
    // only the rule is left to keep them out.
    m.threshold = 0.0;
    // The end of the seed sample (a page saved as text), and furniture of other pages.
    let furniture = [
        "Your email address will not be published.",
        "This site uses Akismet to reduce spam.",
        "Learn how your comment data is processed.",
        "We use cookies to improve your experience on our site.",
        "\u{a9} 2017 Example News.",
        "Copyright \u{a9} 2017 Example News.",
        "(c) 2017 Example News.",
        "\u{a9}2017 Example News.",
        "All rights reserved.",
        // Spaced oddly, as pasted pages are.
        "Your email  address will not\u{a0}be published.",
    ];
    let claims = m.claims(&furniture.join("\n\n"));
    let texts: Vec<&str> = claims.iter().map(|c| c.text()).collect();
    assert_eq!(texts, furniture);
    for c in &claims {
        assert!(!c.check_worthy, "{c:?} is page furniture");
    }
    // The same words in statements keep the model's verdict.
    let said = m.claims(
        "Your email address will be published by the ministry, the minister said. \
         All rights were reserved to the state in 2019. \
         By continuing to use this loophole, the firm saved $4 million in 2019. \
         Copyright law was changed in 2017, the court said.",
    );
    assert_eq!(said.len(), 4, "{said:#?}");
    assert!(said.iter().all(|c| c.check_worthy), "{said:#?}");
}

#[test]
fn labels_links_and_bylines_are_never_check_worthy() {
    let mut m = ClaimModel::embedded().expect("the embedded claim model loads");
    // Only the rule keeps these out at a threshold of 0 (seen ticked in PTC train and PolNeAR
    // dev by a black-box review: live-blog times, list numbers, credits, lead-ins, bylines).
    m.threshold = 0.0;
    let labels = [
        "6:05 p.m.",
        "1.",
        "Getty/Instagram.",
        "@Fred_945.",
        "WaPo reports:",
        "Follow him on Twitter: @AWRHawkins.",
        "John Smith is a reporter covering city hall for the Springfield Gazette.",
        "Jane Doe is the Gazette's senior correspondent in Paris.",
    ];
    let claims = m.claims(&labels.join("\n\n"));
    let texts: Vec<&str> = claims.iter().map(|c| c.text()).collect();
    assert_eq!(texts, labels);
    for c in &claims {
        assert!(!c.check_worthy, "{c:?} is no statement");
    }
    // Short statements, a colon inside, and a person who is not a journalist keep the verdict.
    let said = m.claims(
        "Now, it's $4.00 a gallon.\n\nBut I don't know Putin.\n\nCrime rose 20%.\n\n\
         The mayor said one thing: taxes will rise by 4% in 2025.\n\n\
         John Smith is a banker who lost $3 million in 2019.",
    );
    assert_eq!(said.len(), 5, "{said:#?}");
    assert!(said.iter().all(|c| c.check_worthy), "{said:#?}");
}
