use super::*;

fn slice(text: &str, p: &Place) -> String {
    text.chars().skip(p.start).take(p.end - p.start).collect()
}

/// Every place of every quote slices back to its text by code points.
fn check_places(text: &str, quotes: &[Quote]) {
    for q in quotes {
        let places = [
            Some(&q.content),
            q.cue.as_ref(),
            q.source.as_ref(),
            q.speaker_place.as_ref(),
        ];
        for p in places.into_iter().flatten() {
            assert_eq!(slice(text, p), p.text, "{q:?}");
            assert!(p.start < p.end, "{q:?}");
        }
    }
}

fn run(text: &str) -> Vec<Quote> {
    let q = extract(text);
    check_places(text, &q);
    q
}

fn text_of(p: &Option<Place>) -> Option<&str> {
    p.as_ref().map(|p| p.text.as_str())
}

#[test]
fn direct_quote_with_he_said_after() {
    let t = "Mayor Ann Lee spoke on Monday. “We will rebuild the bridge by next spring,” she said.";
    let q = run(t);
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(q[0].kind, QuoteKind::Direct);
    assert_eq!(
        q[0].content.text,
        "“We will rebuild the bridge by next spring,”"
    );
    assert_eq!(text_of(&q[0].cue), Some("said"));
    assert_eq!(text_of(&q[0].source), Some("she"));
    assert_eq!(q[0].speaker.as_deref(), Some("Mayor Ann Lee"));
    assert!(!q[0].unattributed);
}

#[test]
fn said_x_inversion() {
    let t = "\"The talks have failed completely,\" said Foreign Minister Jan Novak.";
    let q = run(t);
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(text_of(&q[0].cue), Some("said"));
    assert_eq!(text_of(&q[0].source), Some("Foreign Minister Jan Novak"));
}

#[test]
fn quote_across_paragraphs() {
    let t = "Smith said: “The first part of what I have to say is long.\n\n“And the second part goes on in the next paragraph,” he added.";
    let q = run(t);
    let d: Vec<&Quote> = q.iter().filter(|q| q.kind == QuoteKind::Direct).collect();
    assert_eq!(d.len(), 1, "{q:#?}");
    assert!(d[0].content.text.starts_with("“The first part"));
    assert!(d[0].content.text.ends_with("next paragraph,”"));
}

#[test]
fn according_to() {
    let t = "According to the Interior Ministry, 40 people were arrested overnight.";
    let q = run(t);
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(q[0].kind, QuoteKind::Reported);
    assert_eq!(text_of(&q[0].cue), Some("According to"));
    assert_eq!(text_of(&q[0].source), Some("the Interior Ministry"));
    assert_eq!(q[0].content.text, "40 people were arrested overnight");
    assert!(!q[0].unattributed);
}

#[test]
fn reported_speech_with_that() {
    let t = "The governor said that the budget would be balanced next year.";
    let q = run(t);
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(text_of(&q[0].source), Some("The governor"));
    assert_eq!(text_of(&q[0].cue), Some("said"));
    assert_eq!(
        q[0].content.text,
        "that the budget would be balanced next year"
    );
}

#[test]
fn partial_surname_and_pronoun_resolve_to_fullest_mention() {
    let t = "Russian Defence Ministry spokesman Igor Konashenkov spoke to reporters.\n\n\
             Konashenkov said that the strikes would continue.\n\n\
             “We have no other choice in this matter,” he said.";
    let q = run(t);
    assert_eq!(q.len(), 2, "{q:#?}");
    let full = "Russian Defence Ministry spokesman Igor Konashenkov";
    for x in &q {
        assert_eq!(x.speaker.as_deref(), Some(full), "{x:?}");
        assert_eq!(x.speaker_place.as_ref().map(|p| p.start), Some(0));
    }
    assert_eq!(text_of(&q[0].source), Some("Konashenkov"));
    assert_eq!(text_of(&q[1].source), Some("he"));
}

#[test]
fn role_description_resolves() {
    let t = "Pentagon spokeswoman Mary Baldwin declined to comment. The spokeswoman said that no \
             decision had been made.";
    let q = run(t);
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(
        q[0].speaker.as_deref(),
        Some("Pentagon spokeswoman Mary Baldwin")
    );
}

#[test]
fn unattributed_statements_are_flagged() {
    for t in [
        "Sources say the minister will resign next week.",
        "It is believed that the minister will resign next week.",
        "The minister will resign next week, a source said.",
        "Reports:\nThe minister will resign next week.",
        "Officials said that the minister will resign next week.",
    ] {
        let q = run(t);
        assert!(!q.is_empty(), "{t}");
        assert!(q.iter().all(|q| q.unattributed), "{t}: {q:#?}");
        assert!(q[0].content.text.contains("resign"), "{t}: {q:#?}");
    }
    let q = run("The prime minister said that the minister will resign next week.");
    assert!(!q[0].unattributed);
}

#[test]
fn scare_quotes_are_not_quotes() {
    let t = "The so-called \"experts\" were wrong again, and the “climate crisis” was forgotten.";
    assert!(
        run(t).iter().all(|q| q.kind != QuoteKind::Direct),
        "{:#?}",
        run(t)
    );
}

#[test]
fn offsets_are_code_points() {
    let t = "Café 🎉 news — “Élodie’s plan is a complete disaster for everyone,” said José Pérez.";
    let q = run(t);
    assert_eq!(q.len(), 1, "{q:#?}");
    let c = &q[0].content;
    assert_eq!(
        c.start,
        t.chars().position(|c| c == '“').unwrap_or(usize::MAX)
    );
    assert_eq!(text_of(&q[0].source), Some("José Pérez"));
}

#[test]
fn robust_on_odd_input() {
    for t in [
        "",
        "\"",
        "“”",
        "\"\"\"\"",
        "“ ” ‘ ’ '' `` « »",
        "He said: “This never ends",
        "“Unbalanced, he said. And ” again “ and again",
        "said",
        "according to",
        "according",
        ", said",
        "It is believed that",
        "Reports:",
        ")))) said (((( “",
    ] {
        run(t);
    }
    let big: String =
        "Konashenkov said that “the ‘quick’ brown fox, he said, jumps.” ".repeat(16_000);
    assert!(big.len() > 1_000_000);
    // Slicing every place by code points would be quadratic; check the first ones only.
    let q = extract(&big);
    assert!(q.len() > 10_000);
    check_places(&big, &q[..20]);
}

#[test]
fn quotes_serialise() {
    let q = run("The governor said that the budget would be balanced next year.");
    let json = serde_json::to_string(&q).unwrap_or_default();
    assert!(json.contains("\"kind\":\"reported\""), "{json}");
}

#[test]
fn a_clause_after_said_is_the_statement_not_an_inverted_speaker() {
    let text = "Councillor Ben Okafor, who proposed the ban, said the town had a choice: \
                act now or lose the harbour.";
    let qs = extract(text);
    assert!(
        qs.iter().all(|q| q
            .source
            .as_ref()
            .is_none_or(|s| !s.text.contains("town had"))),
        "{qs:#?}"
    );
    // The inverted form still works.
    let qs = extract("The port will stay open to ferries, said a spokesman for the council.");
    assert_eq!(qs.len(), 1, "{qs:#?}");
    assert!(qs[0]
        .source
        .as_ref()
        .unwrap()
        .text
        .starts_with("a spokesman"));
}
