use super::*;

fn values(text: &str) -> Vec<(f64, bool, QKind)> {
    let document = crate::consistency::document(text);
    let doc = Doc::of(&document);
    extract(&doc)
        .iter()
        .map(|q| (q.value, q.approx, q.kind))
        .collect()
}

#[test]
fn digits_parse_with_units_and_years() {
    assert_eq!(parse_digits("11,775"), Some((11775.0, 1.0, false)));
    assert_eq!(parse_digits("1.5"), Some((1.5, 0.1, false)));
    assert_eq!(parse_digits("12,000"), Some((12000.0, 1000.0, false)));
    assert_eq!(parse_digits("2019"), Some((2019.0, 1.0, true)));
    assert_eq!(parse_digits("1,2,3"), None);
    assert_eq!(parse_digits("1."), None);
    assert_eq!(parse_digits(",5"), None);
    assert_eq!(parse_digits("99999999999999999999999"), None);
    assert_eq!(parse_digits("١٢٣"), None);
}

#[test]
fn quantities_with_their_words() {
    use QKind::*;
    assert_eq!(values("1.5 million people"), vec![(1.5e6, false, Count)]);
    assert_eq!(
        values("45% and 45 percent and 3 per cent"),
        vec![
            (45.0, false, Percent),
            (45.0, false, Percent),
            (3.0, false, Percent)
        ]
    );
    assert_eq!(
        values("Thirty-seven wells, twenty one men, two cars"),
        vec![
            (37.0, false, Count),
            (21.0, false, Count),
            (2.0, false, Count)
        ]
    );
    assert_eq!(
        values("more than 11,000 trucks, about 5, 11,000+ men"),
        vec![
            (11000.0, true, Count),
            (5.0, true, Count),
            (11000.0, true, Count)
        ]
    );
    assert_eq!(values("$5 billion"), vec![(5e9, false, Money)]);
    assert_eq!(
        values("between 10 and 20 people, 30 to 40 cars, 5-6 days"),
        vec![
            (10.0, true, Count),
            (20.0, true, Count),
            (30.0, true, Count),
            (40.0, true, Count),
            (5.0, true, Count)
        ]
    );
}

#[test]
fn not_quantities() {
    assert!(values(
        "In 2019 and 2020, on December 25 and 3 March, at 3:30, Su-34 and Mi-8 jets, 9/11"
    )
    .is_empty());
}

#[test]
fn allocation_lists_are_sorted() {
    // `has` searches them by bisection.
    for list in [ALLOCATED, ALLOCATING] {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
    }
}

#[test]
fn denial_word_lists_are_sorted() {
    for list in [ELLIPTIC_AUX, DENIAL_CONNECTORS] {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
    }
}
