//! Extraction from realistic (invented) news pages under `tests/fixtures/`: every article
//! paragraph must come out whole, in order, as its own block; no boilerplate may leak; the
//! title must be found and not repeated at the top of the text.

use unspin_html::{extract, looks_like_html, Extracted};

fn fixture(name: &str) -> Extracted {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let html = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(looks_like_html(&html), "{name} should sniff as HTML");
    extract(&html).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Checks the shape promised by `Extracted::text` and that `paragraphs` are exactly its
/// blocks, in order (nothing else in between is allowed either).
fn assert_paragraphs(name: &str, got: &Extracted, paragraphs: &[&str]) {
    let text = &got.text;
    assert_eq!(text.trim(), text, "{name}: untrimmed text");
    assert!(!text.contains("\n\n\n"), "{name}: more than one blank line");
    assert!(!text.contains("  "), "{name}: uncollapsed spaces");
    assert!(
        !text.contains('\u{a0}'),
        "{name}: no-break space left in text"
    );
    assert!(
        !text.contains("&amp;") && !text.contains("&#"),
        "{name}: undecoded entity"
    );
    let blocks: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(
        blocks, paragraphs,
        "{name}: blocks differ;\n--- text ---\n{text}"
    );
}

fn assert_no_boilerplate(name: &str, got: &Extracted, boilerplate: &[&str]) {
    for b in boilerplate {
        assert!(
            !got.text.contains(b),
            "{name}: boilerplate {b:?} leaked into:\n{}",
            got.text
        );
    }
}

fn assert_title(name: &str, got: &Extracted, title: &str) {
    assert_eq!(got.title.as_deref(), Some(title), "{name}: title");
    assert!(
        !got.text.starts_with(title),
        "{name}: title repeated at the top of the text"
    );
}

#[test]
fn wordpress_blog_with_sidebar_share_bar_and_comments() {
    let name = "wordpress_blog.html";
    let got = fixture(name);
    assert_title(name, &got, "Town Council Votes to Close Riverside Library");
    assert_paragraphs(name, &got, &[
        "The Millbrook town council voted five to two on Tuesday night to close the Riverside branch library at the end of the fiscal year, ending more than sixty years of service on the east bank.",
        "Council members who supported the closure said the building needs a new roof and heating system that would cost far more than the branch’s annual budget. “We cannot keep pouring money into a building that leaks every spring,” said council member Dora Quill.",
        "Opponents packed the meeting room for nearly three hours. Several parents described the branch as the only quiet place within walking distance where their children can do homework after school.",
        "What happens to the collection",
        "The library director told the council that most of the branch’s books will be moved to the main library downtown, and that a weekly book bus will stop near the old building on Saturdays.",
        "A group of residents has already started collecting signatures for a ballot question that would fund repairs through a small property tax increase.",
    ]);
    assert_no_boilerplate(
        name,
        &got,
        &[
            "Skip to content",
            "Local news, since forever",
            "Council Watch",
            "School Board Beat",
            "About the Gazette",
            "Contact Us",
            "Posted on",
            "Hollis Carver",
            "Share this",
            "Share on Facebook",
            "Tweet",
            "Email this story",
            "READ MORE",
            "Library budget shortfall grows to half a million",
            "Tagged",
            "Previous post",
            "Bridge inspection finds rusted bolts",
            "thoughts on",
            "My grandmother learned to read",
            "somebody had to make the hard call",
            "Leave a comment",
            "Your email address will not be published",
            "Post Comment",
            "Search for",
            "Recent Posts",
            "Farmers market moves to the fairgrounds",
            "Archives",
            "March 2031",
            "All rights reserved",
            "Proudly powered by WordPress",
            "wpData",
            "--wp--preset",
        ],
    );
}

#[test]
fn big_outlet_with_mega_nav_cookie_banner_rails_and_newsletter() {
    let name = "big_outlet.html";
    let got = fixture(name);
    assert_title(
        name,
        &got,
        "Ports brace for longest dockworker strike in decades",
    );
    assert_paragraphs(name, &got, &[
        "Container terminals along the northern coast are preparing for a strike that union leaders say could last well into the autumn, after a final round of talks with port operators ended without agreement on Sunday evening.",
        "The union, which represents about eighteen thousand crane operators, lashers and checkers, wants a guarantee that no jobs will be cut when automated stacking cranes are installed at three of the largest terminals over the next four years.",
        "Port operators have offered a wage increase of four percent a year but say they cannot promise that every role will survive the transition. They argue that without automation the terminals will lose business to rival ports across the strait.",
        "Economists warn that a long stoppage would hit retailers first. Goods that normally take two days to clear customs could sit on ships anchored offshore for weeks, and some perishable cargo may have to be destroyed.",
        "A spokesperson for the transport ministry said the government was monitoring the situation closely and urged both sides to return to the table before the first walkout begins next Monday.",
    ]);
    assert_no_boilerplate(
        name,
        &got,
        &[
            "We use cookies",
            "Accept all cookies",
            "Manage preferences",
            "Advertisement",
            "Zephyr X9",
            "QuickLoan",
            "Luxury cruises",
            "Subscribe for $1 a week",
            "Sign in",
            "Asia Pacific",
            "Markets",
            "Culture & Lifestyle",
            "Crosswords",
            "Breaking:",
            "Live updates",
            "Home",
            "Ingrid Valcourt",
            "Share on Facebook",
            "Share on X",
            "Save article",
            "Idle cranes",
            "Read more",
            "Robots on the quay",
            "Subscribe to our newsletter",
            "Morning Briefing",
            "Sign me up",
            "Strikes",
            "Most read",
            "Summer festival announces surprise headliners",
            "Related articles",
            "Freight rates climb as shipping lanes grow crowded",
            "Dockworkers' union votes overwhelmingly",
            "Canal authority raises transit fees",
            "Work for us",
            "Privacy policy",
            "Continental Herald Media Group",
            "All rights reserved",
            "__PRELOADED_STATE__",
            "dataLayer",
        ],
    );
}

#[test]
fn schema_org_article_keeps_headings_and_list_items() {
    let name = "schema_article.html";
    let got = fixture(name);
    assert_title(name, &got, "Heatwave pushes regional grid to the brink");
    assert_paragraphs(name, &got, &[
        "The regional grid operator asked households on Monday to delay running washing machines and dishwashers until after nine in the evening, as a third day of record temperatures pushed electricity demand to its highest level ever recorded.",
        "Demand peaked at just over twenty-one gigawatts shortly after four in the afternoon, the operator said, leaving a reserve margin of less than two percent. Two gas-fired plants were forced offline over the weekend because the river water used to cool them had grown too warm.",
        "How to cut demand at home",
        "The operator published a short list of steps that it says could lower the evening peak if enough households follow them:",
        "Set air conditioners two degrees higher than usual.\nCharge electric cars after midnight.\nClose curtains on sun-facing windows during the day.",
        "Hospitals on alert",
        "Hospitals across the region have activated their heat plans, moving elderly patients to cooler wards and adding extra staff to emergency departments. Health officials said admissions for heat exhaustion had doubled since Friday.",
        "Forecasters expect temperatures to ease slightly on Wednesday, when a weak cold front is due to cross the coast, but they warned that another spell of extreme heat could follow next week.",
    ]);
    assert_no_boilerplate(
        name,
        &got,
        &[
            "NewsArticle",
            "@context",
            "Obituaries",
            "Classifieds",
            "E-Edition",
            "By Rafael Okonjo",
            "Share on Facebook",
            "Tweet",
            "Share on WhatsApp",
            "Spotted an error",
            "Report a correction",
            "Read more",
            "Water restrictions extended",
            "Wildfire risk rated extreme",
            "Northfield Publishing",
            "Terms of use",
            "Advertise with us",
        ],
    );
}

#[test]
fn div_soup_without_semantic_tags() {
    let name = "div_soup.html";
    let got = fixture(name);
    // The <title> is "Headline :: Site"; the site name and the dangling separator are cut.
    assert_title(name, &got, "Quarry expansion approved despite objections");
    assert_paragraphs(name, &got, &[
        "The county planning board approved a request on Thursday to expand the Hollow Creek limestone quarry by another forty acres, despite more than two hundred written objections from nearby residents.",
        "Residents of the Cedar Ridge neighborhood told the board that blasting at the quarry already cracks plaster in their homes and sends clouds of dust across their gardens during dry weather.",
        "The quarry's owner agreed to limit blasting to weekday mornings, to plant a row of trees along the eastern boundary, and to pay for an independent study of groundwater in the area every two years.",
        "Board chairman Walter Brisco said the board had no legal grounds to reject an application that met every requirement of the county zoning code. Opponents said they would consider an appeal to the state environmental court.",
    ]);
    assert_no_boilerplate(
        name,
        &got,
        &[
            "_gaq",
            "font-size",
            "Front Page",
            "High School Sports",
            "Letters to the Editor",
            "Advertise",
            "Latest Headlines",
            "Fire department gets new ladder truck",
            "Sponsors",
            "Posted by",
            "Staff Writer",
            "Share on Facebook",
            "Tweet",
            "Email to a friend",
            "Print this story",
            "Reader Comments",
            "quarryneighbor77",
            "the dust is unbearable",
            "Leave a comment",
            "Submit comment",
            "About Us",
            "Copyright",
            "Pixelworks",
        ],
    );
}

#[test]
fn entities_curly_quotes_accents_and_emoji() {
    let name = "entities_unicode.html";
    let got = fixture(name);
    assert_title(
        name,
        &got,
        "Café owners & bakers protest “dawn tax” in Saint-Étienne",
    );
    assert_paragraphs(name, &got, &[
        "More than two hundred café owners & bakers marched through the centre of Saint-Étienne on Saturday to protest a new municipal fee on businesses that open before six in the morning, which critics have nicknamed the “dawn tax”.",
        "“We’ve opened at five o’clock for three generations,” said Amélie Grünwald, whose family runs a boulangerie near the Place Jean\u{2011}Jaurès. “Now the city wants us to pay for the privilege of getting up early.”",
        // `&nbsp;&mdash;&nbsp;` becomes a plain space, an em dash and a plain space.
        "The mayor’s office says the fee — €120 a month — pays for extra street cleaning & lighting in the early hours. Deputy mayor François Ndiaye called the protest ‘understandable but misinformed’.",
        "Some marchers carried croissants on sticks 🥐 and hand-painted signs reading “Pas de taxe à l’aube!” 😤 The march ended peacefully outside the town hall shortly after noon.",
        "Economists at the Université Jean-Monnet estimate that fewer than 5% of affected businesses would close because of the fee, though they noted that margins for small bakeries are < 10% in most years.",
    ]);
    assert_no_boilerplate(
        name,
        &got,
        &[
            "cookies",
            "OK, got it",
            "Accueil",
            "Économie",
            "Zoé Lefèvre-Núñez",
            "Partager",
            "Share on Facebook",
            "Tweet",
            "LinkedIn",
            "Subscribe to our newsletter",
            "Recevez",
            "S’inscrire",
            "À lire aussi",
            "village bakeries are closing",
            "Night market returns",
            "Tous droits réservés",
            "Le Petit Observateur",
        ],
    );
}
