//! The consistency checks on short articles written for the purpose: what they must report,
//! what they must leave alone, offsets that survive non-ASCII text, and odd inputs.

use unspin_factcheck::consistency::{check, Finding, FindingKind};

fn place_texts(f: &Finding) -> Vec<&str> {
    f.places.iter().map(|p| p.text()).collect()
}

/// Every place slices back, by code points, to its own text.
fn assert_places_slice_back(text: &str, findings: &[Finding]) {
    let chars: Vec<char> = text.chars().collect();
    for f in findings {
        for p in &f.places {
            let (start, end) = (p.start(), p.end());
            assert!(start <= end && end <= chars.len(), "{f:?}");
            let s: String = chars[start..end].iter().collect();
            assert_eq!(s, p.text(), "{f:?}");
        }
    }
}

/// Only findings of `kind`, exactly one, and it names these places.
fn assert_one(text: &str, kind: FindingKind, places: &[&str]) -> Finding {
    let all = check(text);
    assert_places_slice_back(text, &all);
    assert_eq!(all.len(), 1, "{text}\n{all:#?}");
    assert_eq!(all[0].kind, kind, "{all:#?}");
    assert_eq!(place_texts(&all[0]), places, "{all:#?}");
    all[0].clone()
}

fn assert_none(text: &str) {
    let all = check(text);
    assert!(all.is_empty(), "{text}\n{all:#?}");
}

// ---- parts and totals: reported ----

#[test]
fn of_them_breakdown_that_does_not_add_up() {
    let f = assert_one(
        "The convoy had 300 trucks, with 120 of them in Kirkuk and 170 in Mosul.",
        FindingKind::PartsDontSumToTotal,
        &["300", "120", "170"],
    );
    assert_eq!(f.explanation, "120 + 170 = 290, but the total given is 300");
}

#[test]
fn of_the_total_breakdown() {
    assert_one(
        "Of the 120 people killed, 70 were women and 45 were men.",
        FindingKind::PartsDontSumToTotal,
        &["120", "70", "45"],
    );
}

#[test]
fn breakdown_in_the_next_sentence() {
    assert_one(
        "Police arrested 45 people on Friday. 30 were men and 20 were women.",
        FindingKind::PartsDontSumToTotal,
        &["45", "30", "20"],
    );
    assert_one(
        "The ministry counted 45 incidents. Of these, 30 were in the north and 20 in the south.",
        FindingKind::PartsDontSumToTotal,
        &["45", "30", "20"],
    );
}

#[test]
fn colon_breakdown() {
    assert_one(
        "The committee has 12 members: 5 Democrats and 8 Republicans.",
        FindingKind::PartsDontSumToTotal,
        &["12", "5", "8"],
    );
}

#[test]
fn including_more_than_the_total() {
    let f = assert_one(
        "The army sent 40 vehicles, including 12 tanks and 30 trucks.",
        FindingKind::PartsDontSumToTotal,
        &["40", "12", "30"],
    );
    assert_eq!(
        f.explanation,
        "12 + 30 = 42, more than the total of 40 they are part of"
    );
}

#[test]
fn single_part_larger_than_its_total() {
    assert_one(
        "The clinic treated 120 patients, 300 of them children.",
        FindingKind::PartsDontSumToTotal,
        &["120", "300"],
    );
}

#[test]
fn word_numbers_and_millions() {
    assert_one(
        "Twelve ships sailed, seven of them from Norway and four from Spain.",
        FindingKind::PartsDontSumToTotal,
        &["Twelve", "seven", "four"],
    );
    let f = assert_one(
        "The city has 1.5 million residents, 1,100,000 of them in the north and 700,000 in the south.",
        FindingKind::PartsDontSumToTotal,
        &["1.5 million", "1,100,000", "700,000"],
    );
    assert_eq!(
        f.explanation,
        "1,100,000 + 700,000 = 1,800,000, but the total given is 1.5 million"
    );
    // 900,000 and 700,000 are rounded to 100,000s: they may well sum to 1.5 million.
    assert_none(
        "The city has 1.5 million residents, 900,000 of them in the north and 700,000 in the south.",
    );
}

#[test]
fn percentage_breakdown_over_100() {
    let f = assert_one(
        "The poll asked 300 people, 60% of them women and 50% of them men.",
        FindingKind::PartsDontSumToTotal,
        &["60%", "50%"],
    );
    assert_eq!(
        f.explanation,
        "60% + 50% = 110%, but shares of one whole should add up to 100%"
    );
}

#[test]
fn shares_of_one_whole_over_100_without_a_total() {
    let f = assert_one(
        "The city's new budget gives 60% of spending to the police, 35% to schools and 15% to parks, documents show.",
        FindingKind::PartsDontSumToTotal,
        &["60%", "35%", "15%"],
    );
    assert_eq!(
        f.explanation,
        "60% + 35% + 15% = 110%, but shares of one whole cannot add up to more than 100%"
    );
    assert_one(
        "Of the budget, 70 percent of the money goes to roads and 40 percent to rail.",
        FindingKind::PartsDontSumToTotal,
        &["70 percent", "40 percent"],
    );
}

#[test]
fn shares_of_complementary_groups_over_100() {
    let f = assert_one(
        "About half the staff were new. Of the workers, 70 percent were women and 45 percent \
         were men, the report said.",
        FindingKind::PartsDontSumToTotal,
        &["70 percent", "45 percent"],
    );
    assert!(f.explanation.contains("women and men"), "{}", f.explanation);
    assert_one(
        "In the referendum 58% voted yes and 47% voted no.",
        FindingKind::PartsDontSumToTotal,
        &["58%", "47%"],
    );
    // Beside a share of another whole; the groups a few words after the share.
    assert_one(
        "Turnout was 62 percent, with 58 percent voting yes and 47 percent voting no.",
        FindingKind::PartsDontSumToTotal,
        &["58 percent", "47 percent"],
    );
    assert_one(
        "A survey found that 70 percent of the residents were insured and 45 percent were \
         uninsured.",
        FindingKind::PartsDontSumToTotal,
        &["70 percent", "45 percent"],
    );
    // Within 100%, two wholes, hedged, or groups of two pairs: left alone.
    assert_none("Of the workers, 55 percent were women and 45 percent were men.");
    assert_none("Some 70% were women nurses and 45% of doctors were men.");
    assert_none("Of the workers, about 70 percent were women and 45 percent were men.");
    assert_none("Of the staff, 70% were women and 45% said yes.");
}

#[test]
fn a_share_and_the_share_denying_it_past_100_percent() {
    // A black-box review: a statement and its elliptic denial split one whole.
    assert_one(
        "In the poll, 65% of residents said they trusted the council and 48% said they did not.",
        FindingKind::PartsDontSumToTotal,
        &["65%", "48%"],
    );
    assert_one(
        "Of the voters asked, 61 percent support the plan, while 52 percent don't.",
        FindingKind::PartsDontSumToTotal,
        &["61 percent", "52 percent"],
    );
    // Within 100%, a denial with a verb phrase of its own, or both denied: left alone.
    assert_none("In the poll, 55% said they trusted the council and 45% said they did not.");
    assert_none("Of them, 65% trust the council and 48% did not vote at all.");
    assert_none("Of them, 65% do not trust the council and 48% did not.");
    assert_none("Some 65% trust the council and about 48% do not.");
    // Another group after the connector is another whole (a black-box read).
    assert_none("Among Republicans, 80% approve of the job, while among Democrats, 90% do not.");
    assert_none("In 2016, 65% backed it; in 2020, 48% did not.");
}

#[test]
fn shares_without_a_total_left_alone() {
    // The rest may go unmentioned.
    assert_none("The budget gives 60% of spending to the police and 25% to schools.");
    // Two wholes.
    assert_none("Support stands at 60% of men and 55% of women.");
    // Answers one person may give several of.
    assert_none("Asked why, 60% of voters cited cost and 45% cited taxes.");
    assert_none(
        "Asked why, 60% of respondents pointed to inflation, 45% to crime and 30% to immigration.",
    );
    // Series and opinions: shares of different wholes (found by review).
    assert_none("Turnout was 61% of registered voters in 2016, 58% in 2018 and 66% in 2020.");
    assert_none("Biden won 60% of the vote in Philadelphia, 45% in Pittsburgh and 30% in Erie.");
    assert_none(
        "60% of Democrats trust the party on health care, 48% on the economy and 40% on crime.",
    );
    assert_none("Fees were 60% of the base rate in 2019, 80% in 2020 and 70% in 2021.");
    // Changes, hedges and lists left open.
    assert_none("Fees rose by 60% of the base rate to 80% in 2020 and 70% in 2021.");
    assert_none("About 60% of funds go to roads and 45% to rail.");
    assert_none("It gives 60% of funds to roads, 45% to rail and other sums to ports.");
}

// ---- parts and totals: left alone ----

#[test]
fn correct_breakdowns() {
    assert_none("The convoy had 300 trucks, with 120 of them in Kirkuk and 180 in Mosul.");
    assert_none("Of the 120 people killed, 70 were women and 50 were men.");
    assert_none("The poll asked 300 people, 60% of them women and 40% of them men.");
}

#[test]
fn subtotal_with_a_single_part() {
    assert_none("The attack killed 120 people, 70 of them women.");
    assert_none("The attack killed 120 people, among them 70 women.");
}

#[test]
fn approximate_totals() {
    for hedge in [
        "more than",
        "over",
        "about",
        "nearly",
        "some",
        "almost",
        "around",
        "roughly",
        "at least",
        "up to",
        "an estimated",
    ] {
        assert_none(&format!(
            "There were {hedge} 11,000 trucks, with 4,530 of them in Turkey and 7,250 in Iraq."
        ));
    }
    assert_none("There were 11,000+ trucks, with 4,530 of them in Turkey and 7,250 in Iraq.");
    assert_none("There were 11,000 trucks or so, with 4,530 of them in Turkey and 7,250 in Iraq.");
}

#[test]
fn approximate_parts() {
    assert_none("There were 11,775 trucks, with about 4,500 of them in Turkey and 7,250 in Iraq.");
}

#[test]
fn rounded_figures() {
    assert_none(
        "The region has 1.5 million people, 1,200,000 of them in cities and 297,000 in villages.",
    );
    assert_none("There were 12,000 trucks, with 4,530 of them in Turkey and 7,250 in Iraq.");
    assert_none("Of those polled, 33% backed him and 33% backed her and 33% were undecided.");
}

#[test]
fn years_and_dates_are_not_totals() {
    assert_none(
        "The school had 2,000 students. In 2019, 1,200 of them were girls and 800 were boys.",
    );
    assert_none("The unit had 25 soldiers. On December 24, 10 of them left and 15 stayed.");
    assert_none("The unit had 25 soldiers. On 24 December, 10 of them left and 15 stayed.");
    assert_none("Of the 300 families, 150 arrived in 2019 and 150 in 2020.");
}

#[test]
fn incomplete_lists() {
    assert_none("The crash killed 120 people, 70 of them women, 30 children and others.");
    assert_none("The crash killed 120 people, 70 of them women and the remaining 40 men.");
    assert_none("The crash killed 120 people, 70 of them women and 40 other passengers.");
    assert_none("The army sent 40 vehicles, including 12 tanks and 20 trucks.");
    assert_none("The army sent 40 vehicles, 12 of them tanks, 20 trucks.");
}

#[test]
fn ambiguous_totals() {
    assert_none(
        "Police arrested 45 people on Friday and 12 on Saturday; 30 of them were released and 10 were fined.",
    );
    assert_none("Protesters marched in 3 cities. 40 of them were charged and 12 were released.");
}

#[test]
fn model_names_and_codes() {
    assert_none(
        "The task force included over 50 aircraft, including Su-34 and Su-24M bombers and Mi-8 helicopters.",
    );
    assert_none("The group has 40 members, including 12 on the G-20 desk and 28 at F-16 bases.");
}

// ---- percentages over 100 ----

#[test]
fn share_over_100_percent() {
    assert_one(
        "A poll found that 120% of voters backed the plan.",
        FindingKind::PercentOver100,
        &["120%"],
    );
    assert_one(
        "Asked about the plan, 130 percent said yes.",
        FindingKind::PercentOver100,
        &["130 percent"],
    );
    assert_one(
        "The survey found 105.5% of all registered voters undecided.",
        FindingKind::PercentOver100,
        &["105.5%"],
    );
}

#[test]
fn changes_and_ratios_over_100_percent() {
    assert_none("Exports rose 150% last year.");
    assert_none("Prices saw an increase of 150 percent.");
    assert_none("Public debt reached 120% of GDP.");
    assert_none("Turnout was up 200 per cent on 2015.");
    assert_none("Support is 60% of voters.");
}

// ---- one quantity, two values ----

#[test]
fn quantity_referred_back_with_another_value() {
    let f = assert_one(
        "The ministry said 300 soldiers crossed the border on Monday. Officials later said the 350 soldiers had returned.",
        FindingKind::ConflictingValues,
        &["300 soldiers", "350 soldiers"],
    );
    assert!(f.explanation.contains("300 soldiers"), "{}", f.explanation);
}

#[test]
fn a_count_with_its_digits_in_another_order() {
    let f = assert_one(
        "She said the city would hire 4,530 new teachers over five years. Later she promised: \
         we will bring 4,350 new teachers into our classrooms.",
        FindingKind::ConflictingValues,
        &["4,530 new teachers", "4,350 new teachers"],
    );
    assert!(f.explanation.contains("same digits"), "{}", f.explanation);
    // The noun phrases may differ before their last word; one pair, one finding.
    assert_one(
        "The storm destroyed 4,530 homes. Rebuilding the 4,350 destroyed homes will take years.",
        FindingKind::ConflictingValues,
        &["4,530 homes", "4,350 destroyed homes"],
    );
    // Referred back with "the" and near: the one finding of a value changed.
    let f = assert_one(
        "The ministry said 450 soldiers crossed. Officials later said the 540 soldiers returned.",
        FindingKind::ConflictingValues,
        &["450 soldiers", "540 soldiers"],
    );
    assert!(
        f.explanation.contains("seem to be the same"),
        "{}",
        f.explanation
    );
    // Other digits, hedged figures, scale words, other nouns and tables are left alone.
    assert_none("The storm destroyed 4,530 homes. Rebuilding 4,320 homes will take years.");
    assert_none("About 4,530 homes were lost. Rebuilding 4,350 homes will take years.");
    assert_none("It cost 4.53 million dollars. Another 5.34 million dollars came later.");
    assert_none("The storm destroyed 4,530 homes. It damaged 4,350 cars.");
    assert_none(
        "North had 1,234 cases, South 1,324 cases, East 2,134 cases, West 2,314 cases and \
         the centre 3,124 cases.",
    );
    // Fewer digits with the same noun phrase and the same event (a shared past form, or the
    // same three words after the noun), and money referred back ("the $5.4 million").
    assert_one(
        "The fire destroyed 34 homes in the Elm district. Later, officials confirmed that 43 \
         homes in the Elm district were destroyed by the fire.",
        FindingKind::ConflictingValues,
        &["34 homes", "43 homes"],
    );
    assert_one(
        "The bill was backed by 62 senators from both parties. In the end 26 senators from \
         both parties voted no.",
        FindingKind::ConflictingValues,
        &["62 senators", "26 senators"],
    );
    assert_one(
        "The board approved a $4.5 million expansion of Mercy Hospital. Construction of the \
         $5.4 million expansion will start in May.",
        FindingKind::ConflictingValues,
        &["$4.5 million expansion", "$5.4 million expansion"],
    );
    // ... but not two events, two periods, money not referred back, or a decimal slip's size.
    assert_none("The attack left 25 people killed. Officials said 52 people were injured.");
    assert_none("The city spent $4.5 million on parks. It will spend $5.4 million on parks.");
    assert_none("A $4.5 million grant came in May. The $45 million grant came in June.");
    assert_none("The state recorded 34 deaths in 2022. It recorded 43 deaths in 2023.");
    // A shared verb is not the same event (a diff review): days and places differ.
    assert_none("The county reported 34 new cases on Monday. On Tuesday it reported 43 new cases.");
    assert_none(
        "A car bomb killed 34 people in Kabul on Monday. A similar attack in March killed 43 people.",
    );
    // Short counts do not make a noun's four-digit counts look like a table.
    assert_one(
        "The flood displaced 4,530 people. 25 people died, 60 people were injured and 300 people \
         are missing. Aid reached the 4,350 people displaced by Friday.",
        FindingKind::ConflictingValues,
        &["4,530 people", "4,350 people"],
    );
    // Three digits, one sentence, another noun phrase not referred back, a subgroup.
    assert_none("Police recorded 136 homicides in 2022. They recorded 163 homicides in 2023.");
    assert_none("In all 1,234 soldiers were killed and 1,324 soldiers were wounded.");
    assert_none("The firm hired 1,450 engineers. It lost 1,540 contract engineers.");
    assert_none("The firm hired 1,450 engineers. Another 1,540 engineers left.");
}

#[test]
fn different_groups_are_not_conflicts() {
    assert_none("300 soldiers were killed and 350 soldiers were wounded.");
    assert_none("The ministry said 300 soldiers crossed. Later the 300 soldiers returned.");
    assert_none("About 300 soldiers crossed. Later the 350 soldiers returned.");
    assert_none("300 soldiers went north and 350 soldiers went south. The 350 soldiers returned.");
    assert_none("The trip took 3 days. It felt longer than the 10 days of the last one.");
}

#[test]
fn one_statement_repeated_with_another_figure() {
    let f = assert_one(
        "Violent crime in the city rose by 12% last year, police said. The mayor disputes it. \
         But violent crime in the city rose by 21% last year, police said.",
        FindingKind::ConflictingValues,
        &["12%", "21%"],
    );
    assert!(
        f.explanation.contains("12%") && f.explanation.contains("21%"),
        "{}",
        f.explanation
    );
}

#[test]
fn like_statements_about_different_things_are_not_repeated() {
    // Told apart by a place, an ordinal, a year, a word before the figure, or anywhere else.
    assert_none("In Ohio, the party won 45% of the vote. In Iowa, the party won 52% of the vote.");
    assert_none("In the first quarter sales rose by 5% from a year ago. In the second quarter sales rose by 7% from a year ago.");
    assert_none(
        "In 2019 crime had risen by 12% on the year. In 2020 crime had risen by 21% on the year.",
    );
    assert_none("Food prices rose by 2% last month. Fuel prices rose by 9% last month.");
    assert_none("For women, the unemployment rate fell to 3.6% in May. For men, the unemployment rate fell to 4.1% in May.");
    assert_none("If the bill passes, prices would rise by 5% next year. If it fails, prices would rise by 2% next year.");
    assert_none("Last year, the jobless rate rose to 5.1% in the region. This year, the jobless rate rose to 6.3% in the region.");
    // A claim and its correction.
    assert_none("He said the economy grew by 4.1% last quarter. Official figures show the economy grew by 3.5% last quarter.");
    // A frame of little words.
    assert_none("Among men, she is at minus 40. Among women, she is at minus nine.");
    assert_none(
        "Mr. President, they gave you $5 million. Mr. President, they gave you $2 million.",
    );
    // A live-updated article: a time stamp on its own line between a figure and its update.
    assert_none("7:55 p.m.\nTrump leads the race for delegates with 61.\n\n6:10 p.m.\nTrump leads the race for delegates with 55.");
    // Two breakdowns of several figures: two sets of data.
    assert_none("Of the voters, 78 percent were white, while 16 percent were Latino and 3 percent were black. \
                 Of the voters, 67 percent were white, while 17 percent were Latino and 16 percent were black.");
    // What follows in the clause differs.
    assert_none("The union said wages had risen by 3% for nurses. The union said wages had risen by 5% for doctors.");
    // Hedged, or within rounding, or one sentence.
    assert_none("Crime had risen by about 12% last year. Crime had risen by 21% last year.");
    assert_none("Crime had risen by 12% last year. Crime had risen by 12.2% last year.");
    assert_none("Crime had risen by 12% last year and crime had risen by 21% last year.");
    // Money referred back with another value is left to this rule: amounts change over time.
    assert_none("Missouri approved a $12 minimum wage in 2018. Democrats want the $15 minimum wage nationally.");
    assert_none("He bought 40 tickets for the family. The $50 tickets were gone in minutes.");
}

// ---- names ----

#[test]
fn name_spelled_two_ways() {
    let f = assert_one(
        "The opposition leader Alexei Navalny spoke on Monday. Supporters of Navalni gathered outside.",
        FindingKind::NameSpelledTwoWays,
        &["Navalny", "Navalni"],
    );
    assert!(f.explanation.contains("\"Navalny\""), "{}", f.explanation);
    assert_one(
        "Reporters asked Mr Mueller about it. Later Muller's office declined to comment.",
        FindingKind::NameSpelledTwoWays,
        &["Mueller", "Muller"],
    );
    assert_one(
        "Viktor Orbán spoke. The government of Orban said no.",
        FindingKind::NameSpelledTwoWays,
        &["Orbán", "Orban"],
    );
}

#[test]
fn a_spelling_seen_only_at_sentence_starts_pairs_with_one_seen_inside() {
    // A black-box review: the second spelling only ever opened a sentence.
    assert_one(
        "Senator Jane Murkowsky said the bill was dead. Murkowski added that talks would go on.",
        FindingKind::NameSpelledTwoWays,
        &["Murkowsky", "Murkowski"],
    );
    // Two words that only open sentences are no pair, nor is a sentence-case word.
    assert_none("Harlan spoke first. Harlen spoke next.");
    assert_none("Three men came. He said There was no reason to stay.");
    // An adverb opening a sentence is no spelling of a name (a black-box review).
    assert_none("Hardly anyone came to the rally. Thomas Hardy, the organiser, blamed rain.");
    // A surname in "-ly" that only opens sentences still pairs.
    assert_one(
        "Rep. Gerry Connolly spoke first. Connelly added that talks would go on.",
        FindingKind::NameSpelledTwoWays,
        &["Connolly", "Connelly"],
    );
}

#[test]
fn a_role_before_a_name_does_not_make_two_people() {
    // "Councilor" is a role, not a first name beside another ("Ben"): one person.
    assert_one(
        "Councillor Ben Kowalczyk proposed the ban. Councilor Kowalcyzk added that ferries could stay.",
        FindingKind::NameSpelledTwoWays,
        &["Kowalczyk", "Kowalcyzk"],
    );
}

#[test]
fn different_people_with_similar_names() {
    assert_none("Donald Trump met Ronald Reagan's widow. Later Donald Trump left.");
    assert_none("Mark Andersen and Gillian Anderson spoke. Andersen said no.");
    assert_none("Dick Durbin was in Durban with Price, who won a Prize.");
}

#[test]
fn distinct_names_and_word_forms() {
    assert_none("Officials from Iran and Iraq met. The talks between Iran and Iraq went well.");
    assert_none("Leaders of Gambia and Zambia met in Lusaka with Gambian and Zambian ministers.");
    assert_none(
        "He said Russia and the Russian army and Russia's allies in Syria and the Syrian army.",
    );
    assert_none("The Russian Defence Ministry and the Russian Defense Ministry and the Labour and Labor parties.");
    assert_none("The Islamic State militants and ISIS and ISIL fighters.");
    assert_none("The Police said the Policy would change.");
    assert_none("The Americas and the American interests and the Iraqi and the Iraqs.");
}

#[test]
fn sentence_case_and_headlines_are_not_names() {
    // "There"/"Where" only ever start sentences; the headline capitalises everything.
    assert_none("There was rain. Where was he? There it is.");
    assert_none("Russia Accuses Rebels Of Faking Fights\n\nThe rebels said the fights were real.");
}

// ---- offsets ----

#[test]
fn offsets_are_code_points_after_non_ascii_text() {
    let text = "Café “owner” é 😀 said: the convoy had 300 trucks, with 120 of them in Kirkuk and 170 in Mosul. \
                Naïve 😀 Alexei Navalny spoke. Supporters of Navalni “gathered”.";
    let all = check(text);
    assert_places_slice_back(text, &all);
    assert_eq!(all.len(), 2, "{all:#?}");
    let chars: Vec<char> = text.chars().collect();
    let pos = |needle: &str| {
        let b = text.find(needle).unwrap();
        text[..b].chars().count()
    };
    let sums = &all[0];
    assert_eq!(sums.kind, FindingKind::PartsDontSumToTotal);
    assert_eq!(sums.places[0].start(), pos("300"));
    assert_eq!(sums.places[0].end(), pos("300") + 3);
    assert_ne!(
        sums.places[0].start(),
        text.find("300").unwrap(),
        "bytes are not code points here"
    );
    let names = &all[1];
    assert_eq!(names.places[1].start(), pos("Navalni"));
    assert_eq!(chars[names.places[1].start()], 'N');
}

#[test]
fn findings_serialise_to_json_and_back() {
    let text = "The convoy had 300 trucks, with 120 of them in Kirkuk and 170 in Mosul.";
    let all = check(text);
    let json = serde_json::to_string(&all).unwrap();
    assert!(
        json.contains("\"kind\":\"parts_dont_sum_to_total\""),
        "{json}"
    );
    let back: Vec<Finding> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, all);
}

// ---- robustness ----

#[test]
fn odd_inputs_do_not_panic() {
    let inputs = [
        "",
        " ",
        "\n\n\n",
        "12345",
        "1,2,3,,,",
        "99999999999999999999999",
        "99999999999999999999999 people, 1 of them and 2",
        "1,000,000,000,000,000,000 people, 5 of them here and 6 there",
        "%%%",
        "١٢٣ ٤٥٦ of them ١ and ٢",
        "٣٠٠ soldiers, ١٢٠ of them",
        "😀",
        "\u{feff}",
        "of them",
        "Of the",
        "Of the 5,",
        "5 of them and",
        "and 5",
        ": 5 and 6",
        "5 were",
        "the 5",
        "120%",
        "120% of",
        "Thirty-",
        "-5 - -6",
        "1.2.3 and 4..5 and .5 and 5.",
        "Zzzzz Zzzzy Zzzzz's ’s 's",
        "É É É Ééééé Éééée",
    ];
    for t in inputs {
        let all = check(t);
        assert_places_slice_back(t, &all);
    }
}

#[test]
fn random_token_soup_does_not_panic() {
    let pieces = [
        "120",
        "4,530",
        "1.5",
        "million",
        "%",
        "percent",
        "of",
        "them",
        "which",
        "including",
        "and",
        ",",
        ".",
        ":",
        "the",
        "Of",
        "were",
        "more",
        "than",
        "about",
        "-",
        "/",
        "Su",
        "Rudskoy",
        "Rudskoi",
        "Iran",
        "Iraq",
        "😀",
        "é",
        "“",
        "”",
        "\n",
        "2019",
        "December",
        "others",
        "$",
        "seven",
        "Thirty",
        "soldiers",
        "The",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..60 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let piece = pieces[(seed >> 33) as usize % pieces.len()];
            text.push_str(piece);
            if (seed >> 20) % 3 != 0 {
                text.push(' ');
            }
        }
        let all = check(&text);
        assert_places_slice_back(&text, &all);
    }
}
