use super::*;
use crate::labels::{parse_labels, read_labels, read_labels_auto, LabelFormat};
use std::path::{Path, PathBuf};
use Technique::*;

fn si(article: &str, start: usize, end: usize) -> Label {
    Label::new(article, None, start, end)
}

fn tc(article: &str, t: Technique, start: usize, end: usize) -> Label {
    Label::new(article, Some(t), start, end)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[track_caller]
fn assert_prf(prf: Prf, p: f64, r: f64, f: f64) {
    assert!(
        close(prf.precision, p) && close(prf.recall, r) && close(prf.f1, f),
        "got {prf:?}, expected P {p} R {r} F1 {f}"
    );
}

fn row(s: &Scores, t: Technique) -> &TechniqueRow {
    &s.per_technique[t.index()]
}

#[test]
fn si_exact_match() {
    let gold = [si("a", 0, 10), si("a", 20, 30), si("b", 5, 6)];
    let s = score_si(&gold, &gold);
    assert_prf(s.overall, 1.0, 1.0, 1.0);
    assert_eq!((s.n_gold, s.n_pred), (3, 3));
    assert!(s.per_technique.is_empty());
    assert!(s.unknown_articles.is_empty());
}

#[test]
fn si_partial_overlap() {
    // gold [0,10), pred [5,25): |s∩t| = 5.
    // P = 5/20 = 0.25, R = 5/10 = 0.5, F1 = 2·0.25·0.5/0.75 = 1/3.
    let s = score_si(&[si("a", 0, 10)], &[si("a", 5, 25)]);
    assert_prf(s.overall, 0.25, 0.5, 1.0 / 3.0);
}

#[test]
fn si_one_pred_over_two_gold_and_back() {
    // gold [0,10) and [20,30), pred [5,25): overlaps 5 and 5.
    // P = (5/20 + 5/20)/1 = 0.5; R = (5/10 + 5/10)/2 = 0.5; F1 = 0.5.
    let s = score_si(&[si("a", 0, 10), si("a", 20, 30)], &[si("a", 5, 25)]);
    assert_prf(s.overall, 0.5, 0.5, 0.5);
    // Swapped roles swap P and R.
    let s = score_si(&[si("a", 5, 25)], &[si("a", 0, 10), si("a", 20, 30)]);
    assert_prf(s.overall, 0.5, 0.5, 0.5);
    // gold [0,10) and [20,30), pred [8,22): overlaps 2 and 2.
    // P = (2/14 + 2/14)/1 = 2/7; R = (2/10 + 2/10)/2 = 1/5;
    // F1 = 2·(2/7)(1/5)/(2/7 + 1/5) = (4/35)/(17/35) = 4/17.
    let s = score_si(&[si("a", 0, 10), si("a", 20, 30)], &[si("a", 8, 22)]);
    assert_prf(s.overall, 2.0 / 7.0, 0.2, 4.0 / 17.0);
}

#[test]
fn si_nested_predictions_are_merged_first() {
    // pred [0,20) ⊃ [5,10) merge to [0,20); gold [0,10): overlap 10.
    // P = 10/20 = 0.5 over 1 merged span (not 2); R = 10/10 = 1; F1 = 2·0.5/1.5 = 2/3.
    let s = score_si(&[si("a", 0, 10)], &[si("a", 0, 20), si("a", 5, 10)]);
    assert_eq!(s.n_pred, 1);
    assert_prf(s.overall, 0.5, 1.0, 2.0 / 3.0);
}

#[test]
fn si_overlapping_gold_is_merged() {
    // gold [0,10) ∪ [5,20) = [0,20); pred [0,10): overlap 10.
    // P = 10/10 = 1; R = 10/20 = 0.5 over 1 merged gold span; F1 = 2/3.
    let s = score_si(&[si("a", 0, 10), si("a", 5, 20)], &[si("a", 0, 10)]);
    assert_eq!(s.n_gold, 1);
    assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
}

#[test]
fn si_touching_spans_are_not_merged() {
    // pred [0,5) and [5,8) touch but share no character: 2 spans. gold [0,10).
    // P = (5/5 + 3/3)/2 = 1; R = (5/10 + 3/10)/1 = 0.8; F1 = 1.6/1.8 = 8/9.
    let s = score_si(&[si("a", 0, 10)], &[si("a", 0, 5), si("a", 5, 8)]);
    assert_eq!(s.n_pred, 2);
    assert_prf(s.overall, 1.0, 0.8, 8.0 / 9.0);
    // Same on the gold side: gold [0,5), [5,10); pred [0,10).
    // P = (5/10 + 5/10)/1 = 1; R = (5/5 + 5/5)/2 = 1.
    let s = score_si(&[si("a", 0, 5), si("a", 5, 10)], &[si("a", 0, 10)]);
    assert_eq!(s.n_gold, 2);
    assert_prf(s.overall, 1.0, 1.0, 1.0);
}

#[test]
fn si_duplicates_collapse() {
    // Identical spans share all their characters, so they merge into one on each side;
    // a gold span carrying two techniques is one SI span.
    let gold = [
        si("a", 0, 10),
        si("a", 0, 10),
        tc("a", Doubt, 20, 30),
        tc("a", Slogans, 20, 30),
    ];
    let pred = [
        si("a", 0, 10),
        si("a", 0, 10),
        si("a", 0, 10),
        si("a", 20, 30),
    ];
    let s = score_si(&gold, &pred);
    assert_eq!((s.n_gold, s.n_pred), (2, 2));
    assert_prf(s.overall, 1.0, 1.0, 1.0);
}

#[test]
fn si_article_without_predictions_lowers_recall() {
    // gold a[0,10), b[0,10); pred a[0,10).
    // P = 1/1 = 1; R = (1 + 0)/2 = 0.5; F1 = 2/3.
    let s = score_si(&[si("a", 0, 10), si("b", 0, 10)], &[si("a", 0, 10)]);
    assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
    assert!(s.unknown_articles.is_empty());
}

#[test]
fn si_unknown_article_lowers_precision_and_is_listed() {
    // gold a[0,10); pred a[0,10), z[0,4), y[3,4), z[10,12): 4 predicted spans, 1 right.
    // P = (1 + 0 + 0 + 0)/4 = 0.25; R = 1; F1 = 2·0.25/1.25 = 0.4.
    let pred = [
        si("a", 0, 10),
        si("z", 0, 4),
        si("y", 3, 4),
        si("z", 10, 12),
    ];
    let s = score_si(&[si("a", 0, 10)], &pred);
    assert_eq!(s.n_pred, 4);
    assert_prf(s.overall, 0.25, 1.0, 0.4);
    assert_eq!(s.unknown_articles, vec!["y", "z"]);
    let table = s.to_string();
    assert!(
        table.contains("2 predicted article(s) have no gold labels"),
        "{table}"
    );
    assert!(table.contains(": y, z"), "{table}");
}

#[test]
fn empty_spans_are_dropped() {
    // pred [3,3) is no prediction at all: P = 10/10 = 1 over 1 span, R = 1.
    let s = score_si(
        &[si("a", 0, 10), si("a", 4, 4)],
        &[si("a", 0, 10), si("a", 3, 3)],
    );
    assert_eq!((s.n_gold, s.n_pred), (1, 1));
    assert_prf(s.overall, 1.0, 1.0, 1.0);
    let s = score_flc(&[tc("a", Doubt, 4, 4)], &[tc("b", Doubt, 3, 3)]);
    assert_eq!((s.n_gold, s.n_pred), (0, 0));
    assert!(s.unknown_articles.is_empty());
}

#[test]
fn empty_inputs_score_zero_without_panicking() {
    let some_gold = [tc("a", Doubt, 0, 10)];
    for task in [Task::Si, Task::Tc, Task::Flc] {
        for (gold, pred) in [
            (&[][..], &[][..]),
            (&some_gold[..], &[][..]),
            (&[][..], &some_gold[..]),
        ] {
            let s = score(task, gold, pred);
            assert_eq!(s.task, task);
            assert_prf(s.overall, 0.0, 0.0, 0.0);
            for row in &s.per_technique {
                assert_prf(row.prf, 0.0, 0.0, 0.0);
            }
            let _ = s.to_string();
            let _ = serde_json::to_string(&s).unwrap();
        }
    }
    // Predicting into an empty gold lists the article.
    assert_eq!(score_si(&[], &some_gold).unknown_articles, vec!["a"]);
    assert_eq!(score_tc(&[], &some_gold).unknown_articles, vec!["a"]);
    assert_eq!(score_flc(&[], &some_gold).unknown_articles, vec!["a"]);
}

#[test]
fn si_per_technique_recall_when_gold_has_techniques() {
    // gold Loaded [0,10), Doubt [5,25); pred [0,10).
    // Overall: gold merged [0,25); P = 10/10 = 1; R = 10/25 = 0.4; F1 = 0.8/1.4 = 4/7.
    // Loaded: covered 10/10 -> R = 1. Doubt: covered [5,10) = 5/20 -> R = 0.25.
    let gold = [tc("a", LoadedLanguage, 0, 10), tc("a", Doubt, 5, 25)];
    let s = score_si(&gold, &[si("a", 0, 10)]);
    assert_prf(s.overall, 1.0, 0.4, 4.0 / 7.0);
    assert_eq!(s.per_technique.len(), Technique::COUNT);
    assert_prf(row(&s, LoadedLanguage).prf, 0.0, 1.0, 0.0);
    assert_prf(row(&s, Doubt).prf, 0.0, 0.25, 0.0);
    assert_eq!(row(&s, Doubt).n_gold, 1);
    assert_eq!(row(&s, Doubt).n_pred, 0);
    assert_eq!(row(&s, Slogans).n_gold, 0);
    // Rows use unmerged gold spans: Doubt [0,10) and [5,25), pred [0,4) and [8,12).
    // Span [0,10): overlaps 4 + 2 = 6 -> 6/10. Span [5,25): [8,12) gives 4 -> 4/20.
    // R = (0.6 + 0.2)/2 = 0.4.
    let gold = [tc("a", Doubt, 0, 10), tc("a", Doubt, 5, 25)];
    let s = score_si(&gold, &[si("a", 0, 4), si("a", 8, 12)]);
    assert_prf(row(&s, Doubt).prf, 0.0, 0.4, 0.0);
    let table = s.to_string();
    assert!(table.contains("Doubt"), "{table}");
}

#[test]
fn flc_wrong_technique_gets_no_credit() {
    // Same span, different technique: nothing overlaps within a technique.
    let s = score_flc(
        &[tc("a", LoadedLanguage, 0, 10)],
        &[tc("a", NameCallingLabeling, 0, 10)],
    );
    assert_prf(s.overall, 0.0, 0.0, 0.0);
    assert_eq!((s.n_gold, s.n_pred), (1, 1));
    assert_eq!(
        (
            row(&s, LoadedLanguage).n_gold,
            row(&s, LoadedLanguage).n_pred
        ),
        (1, 0)
    );
    assert_eq!(
        (
            row(&s, NameCallingLabeling).n_gold,
            row(&s, NameCallingLabeling).n_pred
        ),
        (0, 1)
    );
    // The same data is a perfect SI answer.
    let s = score_si(
        &[tc("a", LoadedLanguage, 0, 10)],
        &[tc("a", NameCallingLabeling, 0, 10)],
    );
    assert_prf(s.overall, 1.0, 1.0, 1.0);
}

#[test]
fn flc_merges_per_technique() {
    // gold: Loaded [0,10) ∪ [5,15) -> [0,15); Doubt [5,12) stays apart (other technique).
    // pred: Loaded [0,15); Doubt [0,6).
    //   Loaded: overlap 15 -> P credit 15/15 = 1, R credit 15/15 = 1.
    //   Doubt:  overlap [5,6) = 1 -> P credit 1/6, R credit 1/7.
    // n_gold = n_pred = 2. P = (1 + 1/6)/2 = 7/12; R = (1 + 1/7)/2 = 4/7;
    // F1 = 2·(7/12)(4/7)/(7/12 + 4/7) = (2/3)/(97/84) = 56/97.
    let gold = [
        tc("a", LoadedLanguage, 0, 10),
        tc("a", LoadedLanguage, 5, 15),
        tc("a", Doubt, 5, 12),
    ];
    let pred = [tc("a", LoadedLanguage, 0, 15), tc("a", Doubt, 0, 6)];
    let s = score_flc(&gold, &pred);
    assert_eq!((s.n_gold, s.n_pred), (2, 2));
    assert_prf(s.overall, 7.0 / 12.0, 4.0 / 7.0, 56.0 / 97.0);
    assert_prf(row(&s, LoadedLanguage).prf, 1.0, 1.0, 1.0);
    // Doubt: P = 1/6, R = 1/7, F1 = 2·(1/42)/(13/42) = 2/13.
    assert_prf(row(&s, Doubt).prf, 1.0 / 6.0, 1.0 / 7.0, 2.0 / 13.0);
    assert_eq!((row(&s, Doubt).n_gold, row(&s, Doubt).n_pred), (1, 1));
    assert_prf(row(&s, Slogans).prf, 0.0, 0.0, 0.0);
    // As SI, all of it merges to [0,15) on both sides.
    assert_prf(score_si(&gold, &pred).overall, 1.0, 1.0, 1.0);
}

#[test]
fn flc_ignores_labels_without_technique() {
    // The technique-less pred [20,30) neither helps nor hurts: P = R = 1.
    let s = score_flc(
        &[tc("a", Doubt, 0, 10)],
        &[tc("a", Doubt, 0, 10), si("a", 20, 30)],
    );
    assert_eq!(s.n_pred, 1);
    assert_prf(s.overall, 1.0, 1.0, 1.0);
}

#[test]
fn tc_two_gold_techniques_need_two_predictions() {
    let gold = [
        tc("a", LoadedLanguage, 0, 10),
        tc("a", NameCallingLabeling, 0, 10),
        tc("a", Doubt, 20, 30),
    ];
    // One prediction for the double span: correct = 1 (there) + 1 (Doubt) = 2.
    // P = 2/2 = 1; R = 2/3; F1 = 2·(2/3)/(5/3) = 4/5.
    let pred = [tc("a", LoadedLanguage, 0, 10), tc("a", Doubt, 20, 30)];
    let s = score_tc(&gold, &pred);
    assert_eq!((s.n_gold, s.n_pred), (3, 2));
    assert_prf(s.overall, 1.0, 2.0 / 3.0, 0.8);
    assert_prf(row(&s, LoadedLanguage).prf, 1.0, 1.0, 1.0);
    assert_prf(row(&s, NameCallingLabeling).prf, 0.0, 0.0, 0.0);
    assert_eq!(row(&s, NameCallingLabeling).n_gold, 1);

    // Both techniques predicted, in any order: everything right.
    let pred = [
        tc("a", Doubt, 20, 30),
        tc("a", NameCallingLabeling, 0, 10),
        tc("a", LoadedLanguage, 0, 10),
    ];
    assert_prf(score_tc(&gold, &pred).overall, 1.0, 1.0, 1.0);

    // The same technique twice on the double span: min(1, 2) = 1 correct there.
    // correct = 1 + 1 = 2 of 3 predicted and 3 gold: P = R = F1 = 2/3.
    let pred = [
        tc("a", LoadedLanguage, 0, 10),
        tc("a", LoadedLanguage, 0, 10),
        tc("a", Doubt, 20, 30),
    ];
    let s = score_tc(&gold, &pred);
    assert_prf(s.overall, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0);
    // Loaded: 1 correct of 2 predicted, 1 gold: P = 0.5, R = 1, F1 = 2/3.
    assert_prf(row(&s, LoadedLanguage).prf, 0.5, 1.0, 2.0 / 3.0);
}

#[test]
fn tc_duplicate_gold_lines_are_a_multiset() {
    // The same gold line twice needs two predictions; one gets R = 1/2, P = 1.
    let gold = [tc("a", Doubt, 0, 10), tc("a", Doubt, 0, 10)];
    let s = score_tc(&gold, &[tc("a", Doubt, 0, 10)]);
    assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
}

#[test]
fn tc_prediction_for_span_not_in_gold_is_wrong() {
    // gold a[0,10) Loaded. pred: a[0,10) Loaded (right), a[40,50) Loaded (no such span),
    // a[0,9) Loaded (offsets must match exactly), z[0,10) Loaded (unknown article).
    // correct = 1: P = 1/4, R = 1/1, F1 = 2·0.25/1.25 = 0.4.
    let gold = [tc("a", LoadedLanguage, 0, 10)];
    let pred = [
        tc("a", LoadedLanguage, 0, 10),
        tc("a", LoadedLanguage, 40, 50),
        tc("a", LoadedLanguage, 0, 9),
        tc("z", LoadedLanguage, 0, 10),
    ];
    let s = score_tc(&gold, &pred);
    assert_prf(s.overall, 0.25, 1.0, 0.4);
    assert_eq!(s.unknown_articles, vec!["z"]);
}

#[test]
fn tc_question_marks_are_abstentions() {
    // pred "?" on the second span is ignored: P = 1/1, R = 1/2, F1 = 2/3.
    let gold = [tc("a", Doubt, 0, 10), tc("a", Slogans, 20, 30)];
    let pred = [tc("a", Doubt, 0, 10), si("a", 20, 30)];
    let s = score_tc(&gold, &pred);
    assert_eq!(s.n_pred, 1);
    assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
}

#[test]
fn score_dispatches_and_task_names() {
    let gold = [tc("a", Doubt, 0, 10)];
    let pred = [tc("a", Slogans, 0, 10)];
    assert_prf(score(Task::Si, &gold, &pred).overall, 1.0, 1.0, 1.0);
    assert_prf(score(Task::Tc, &gold, &pred).overall, 0.0, 0.0, 0.0);
    assert_prf(score(Task::Flc, &gold, &pred).overall, 0.0, 0.0, 0.0);
    assert_eq!("FLC".parse::<Task>(), Ok(Task::Flc));
    assert_eq!("si".parse::<Task>(), Ok(Task::Si));
    assert!("x".parse::<Task>().is_err());
    assert_eq!(Task::Tc.to_string(), "TC");
    assert_eq!(serde_json::to_string(&Task::Flc).unwrap(), "\"FLC\"");
}

#[test]
fn display_is_an_aligned_table() {
    let gold = [
        tc("a", Doubt, 0, 10),
        tc("a", WhataboutismStrawMenRedHerring, 20, 30),
    ];
    let pred = [tc("a", Doubt, 0, 10)];
    let table = score_flc(&gold, &pred).to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("FLC overall: P 1.0000  R 0.5000  F1 0.6667"),
        "{table}"
    );
    assert!(lines[0].contains("(2 gold spans, 1 predicted)"), "{table}");
    // Header plus 14 rows, all the same width.
    let rows = &lines[2..];
    assert_eq!(rows.len(), 1 + Technique::COUNT, "{table}");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{table}");
    assert!(rows[1 + Doubt.index()].starts_with("Doubt "), "{table}");
    let si_table = score_si(&gold, &pred).to_string();
    assert!(si_table
        .lines()
        .any(|l| l.starts_with("Doubt") && l.contains(" -")));
}

/// The data directory: `$UNSPIN_DATA`, else `shared/data` next to the repository (the
/// project convention, `../shared/data` from the repository root) or inside it.
fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("UNSPIN_DATA") {
        return Some(PathBuf::from(dir));
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../../../shared/data", "../../shared/data"]
        .iter()
        .map(|rel| crate_dir.join(rel))
        .find(|dir| dir.join("ptc-train").is_dir())
}

#[test]
fn ptc_train_gold_scores_perfectly_against_itself() {
    let Some(data) = data_dir() else {
        println!("skipping: PTC data not found (set UNSPIN_DATA to the shared/data directory)");
        return;
    };
    let ptc = data.join("ptc-train");
    let (tc_path, si_path) = (ptc.join("labels.tc.tsv"), ptc.join("labels.si.tsv"));
    if !tc_path.is_file() || !si_path.is_file() {
        println!("skipping: {} has no PTC label files", ptc.display());
        return;
    }
    let tc_gold = read_labels(&tc_path, LabelFormat::Tc).unwrap();
    let si_gold = read_labels(&si_path, LabelFormat::Si).unwrap();
    assert_eq!(tc_gold.len(), 6128);
    assert_eq!(si_gold.len(), 5468);
    assert_eq!(read_labels_auto(&tc_path).unwrap(), tc_gold);
    assert_eq!(read_labels_auto(&si_path).unwrap(), si_gold);
    assert_eq!(
        parse_labels(
            std::fs::read(&tc_path).unwrap().as_slice(),
            &tc_path,
            LabelFormat::TcTemplate
        )
        .unwrap(),
        tc_gold
    );

    // Every span lies inside its article.
    let articles = ptc.join("articles");
    if articles.is_dir() {
        let mut lengths = HashMap::new();
        for entry in std::fs::read_dir(&articles).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            lengths.insert(
                unspin_core::Article::id_from_path(&path),
                text.chars().count(),
            );
        }
        crate::labels::check_ranges(&tc_gold, &lengths, &tc_path).unwrap();
        crate::labels::check_ranges(&si_gold, &lengths, &si_path).unwrap();
    }

    for (task, gold) in [
        (Task::Si, &si_gold),
        (Task::Tc, &tc_gold),
        (Task::Flc, &tc_gold),
    ] {
        let s = score(task, gold, gold);
        assert_prf(s.overall, 1.0, 1.0, 1.0);
        assert!(s.unknown_articles.is_empty());
    }
    // SI from the TC file too (techniques ignored, per-technique recall all 1).
    let s = score_si(&tc_gold, &tc_gold);
    assert_prf(s.overall, 1.0, 1.0, 1.0);
    assert!(s
        .per_technique
        .iter()
        .all(|r| r.n_gold == 0 || close(r.prf.recall, 1.0)));
    assert_eq!(
        s.per_technique.iter().map(|r| r.n_gold).sum::<usize>(),
        tc_gold.len()
    );
}
