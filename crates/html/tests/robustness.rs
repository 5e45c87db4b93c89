//! Malformed, hostile and huge inputs: `extract` must return `Ok` or a clear `Err`, never
//! panic, hang or overflow the stack.

use std::time::Instant;

use unspin_html::{extract, HtmlError, MAX_NESTING};

const PARAGRAPH: &str = "The harbour commission met for the third time this month to discuss dredging the silted northern channel, which larger ferries can no longer use at low tide.";

/// Runs `extract` and accepts any outcome except a panic; returns it for further checks.
fn survives(html: &str) -> Result<unspin_html::Extracted, HtmlError> {
    let result = extract(html);
    if let Ok(article) = &result {
        assert!(!article.text.is_empty());
        assert_eq!(article.text.trim(), article.text);
    }
    result
}

#[test]
fn empty_and_blank_input_has_no_main_text() {
    for input in ["", "   \n\t ", "\u{feff}"] {
        assert!(
            matches!(survives(input), Err(HtmlError::NoMainText)),
            "{input:?}"
        );
    }
}

#[test]
fn punctuation_garbage_has_no_main_text() {
    assert!(matches!(survives("<<<>>>"), Err(HtmlError::NoMainText)));
    assert!(matches!(
        survives("<><><></></>< / >"),
        Err(HtmlError::NoMainText)
    ));
}

#[test]
fn unclosed_and_misnested_tags_are_tolerated() {
    let html = format!(
        "<html><body><div class=\"post-content\"><p>{PARAGRAPH}<p>Second paragraph <b>bold <i>both</b> italic</i> text about the same dredging plan and its costs.<div><span>never closed"
    );
    let article = survives(&html).expect("article in unclosed tags");
    assert!(article.text.contains(PARAGRAPH), "{}", article.text);

    for input in [
        "<html",
        "<div class=\"unterminated",
        "<p>text</div></span></p></p></body>",
        "<table><tr><td>cell<td>cell<tr><td>x",
        "<!-- comment never closed <p>hidden</p>",
        "<script>document.write('<p>not text</p>')",
        "<svg><foreignObject><p>odd</svg>",
        "<p>&#0; &#xD800; &#1114112; &bogus; &amp</p>",
    ] {
        let _ = survives(input);
    }
}

#[test]
fn binary_looking_text_does_not_panic() {
    // Deterministic pseudo-random characters, control characters and stray markup included.
    let mut state: u32 = 12345;
    let mut s = String::new();
    for _ in 0..50_000 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let c = char::from_u32((state >> 8) % 0x3000).unwrap_or('\u{fffd}');
        s.push(c);
        if state % 97 == 0 {
            s.push_str("<p>");
        }
    }
    let _ = survives(&s);
    let _ = survives("\u{0}\u{1}\u{2}<html>\u{0}<body>\u{7f}\u{fffd}\u{fffd}</body>");
}

#[test]
fn navigation_only_page_has_no_main_text() {
    let html = r#"<!doctype html><html><head><title>Site index</title></head><body>
        <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
        <li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>
        <li><a href="/culture">Culture</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>
        <footer>&copy; 2031 Example News</footer></body></html>"#;
    assert!(matches!(survives(html), Err(HtmlError::NoMainText)));
}

#[test]
fn deep_but_supported_nesting_works_on_a_test_thread_stack() {
    // Test threads have small (2 MiB) stacks, so this also guards against deep recursion.
    let depth = MAX_NESTING - 50;
    let html = format!(
        "<html><body>{}<p>{PARAGRAPH}</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let article = survives(&html).expect("deep article");
    assert_eq!(article.text, PARAGRAPH);
}

/// Constructions whose depth a tag count gets wrong, each at a depth the parser really builds:
/// near the limit they extract on a 2 MiB test-thread stack, far past it they are refused
/// (before, each of the hostile ones overflowed a server thread's stack).
#[test]
fn hostile_constructions_are_bounded_by_the_real_depth() {
    let cases: [(&str, usize); 6] = [
        ("<div/>", 1),          // the slash of a non-void element is ignored
        ("<div></span>", 1),    // a stray end tag closes nothing
        ("<rb>", 1),            // ruby parts nest outside <ruby>
        ("<section></b>", 1),   // a stray formatting end tag
        ("<table><tr><td>", 4), // tbody is implied
        ("<ul><li>", 2),
    ];
    for (unit, levels) in cases {
        let fits = (MAX_NESTING - 40) / levels;
        let html = format!(
            "<html><body>{}<p>{PARAGRAPH}</p></body></html>",
            unit.repeat(fits)
        );
        assert!(survives(&html).is_ok(), "{unit} x {fits} should extract");
        let html = format!(
            "<html><body>{}<p>{PARAGRAPH}</p></body></html>",
            unit.repeat(20_000)
        );
        assert!(
            matches!(survives(&html), Err(HtmlError::TooDeep)),
            "{unit} x 20000 should be refused"
        );
    }
    // Formatting elements reopened inside every new block: 30 open <b>s, then 100 <div>s,
    // each of which gets the 30 again: far deeper than the 130 tags suggest.
    let html = format!(
        "<html><body>{}{}<p>{PARAGRAPH}</p></body></html>",
        "<b>".repeat(30),
        "<div>x".repeat(100)
    );
    let depth = unspin_html::parsed_depth(&html, usize::MAX).unwrap();
    assert!(depth > 130, "{depth}");
}

#[test]
fn absurd_nesting_is_refused_quickly() {
    let html = format!(
        "<html><body>{}<p>{PARAGRAPH}</p></body></html>",
        "<div>".repeat(200_000)
    );
    let start = Instant::now();
    match survives(&html) {
        Err(HtmlError::TooDeep) => {}
        other => panic!("expected TooDeep, got {other:?}"),
    }
    eprintln!("refused 200k-deep page in {:?}", start.elapsed());
}

/// One element with tens of thousands of attributes made every parse quadratic (40,000 took
/// 14 s, 200,000 over two minutes); it is refused before parsing, and a page with the most
/// attributes allowed on every element still extracts.
#[test]
fn absurdly_many_attributes_are_refused_quickly() {
    let attrs = |n: usize| -> String { (0..n).map(|k| format!(" a{k}=\"x\"")).collect() };
    let html = format!(
        "<html><body><div{}><p>{PARAGRAPH}</p></div></body></html>",
        attrs(200_000)
    );
    let start = Instant::now();
    match survives(&html) {
        Err(HtmlError::TooManyAttributes(at)) => assert_eq!(at, "<html><body>".len()),
        other => panic!("expected TooManyAttributes, got {other:?}"),
    }
    eprintln!("refused 200k attributes in {:?}", start.elapsed());
    let html = format!(
        "<html><body>{}</body></html>",
        format!("<p{}>{PARAGRAPH}</p>", attrs(unspin_html::MAX_ATTRIBUTES)).repeat(20)
    );
    assert!(survives(&html).is_ok());
}

/// A ~5 MB article page: a long report, a huge comment thread and a mega menu.
fn five_megabyte_page() -> (String, usize) {
    let mut html = String::from(
        "<!doctype html><html><head><title>The long harbour report | Herald</title></head><body><nav><ul>",
    );
    for i in 0..2_000 {
        html.push_str(&format!(
            "<li><a href=\"/section/{i}\">Section {i}</a></li>"
        ));
    }
    html.push_str("</ul></nav><article><h1>The long harbour report</h1>");
    let paragraphs = 8_000;
    for i in 0..paragraphs {
        html.push_str(&format!("<p>Paragraph {i}: {PARAGRAPH}</p>\n"));
    }
    html.push_str("</article><section id=\"comments\" class=\"comments\"><h2>Comments</h2>");
    while html.len() < 5_000_000 {
        html.push_str("<div class=\"comment\"><b>reader</b> says: I have lived by the harbour all my life and the silt gets worse every single year.</div>\n");
    }
    html.push_str("</section><footer>&copy; 2031 Herald</footer></body></html>");
    (html, paragraphs)
}

#[test]
fn five_megabyte_page_is_extracted() {
    let (html, paragraphs) = five_megabyte_page();
    let start = Instant::now();
    let article = survives(&html).expect("5 MB article");
    // Informational only (run with --nocapture, in release, for the figure): no timing asserts.
    eprintln!(
        "extracted {} bytes of HTML in {:?}",
        html.len(),
        start.elapsed()
    );
    assert_eq!(article.title.as_deref(), Some("The long harbour report"));
    let blocks: Vec<&str> = article.text.split("\n\n").collect();
    assert_eq!(blocks.len(), paragraphs, "one block per paragraph");
    assert_eq!(blocks[0], format!("Paragraph 0: {PARAGRAPH}"));
    assert_eq!(
        blocks[paragraphs - 1],
        format!("Paragraph {}: {PARAGRAPH}", paragraphs - 1)
    );
    assert!(!article.text.contains("Section 1"));
    assert!(!article.text.contains("silt gets worse"));
}
