//! Word lists for attribution: cue verbs in every inflection, the words around them, and the
//! nouns that make a source vague. Lists rather than a tagger keep the rules fast and easy to
//! audit; every entry is lowercase. Every list is sorted so lookups are binary searches; a test
//! keeps them sorted.

/// Lookup in a sorted list: the same convention (and function) as the consistency lexicons.
pub use crate::consistency::lexicon::has;

mod verbs;
pub use verbs::{CUE_VERBS, IMPERSONAL_PARTICIPLES, OBJECT_VERBS, SPEECH_VERBS, STANCE_VERBS};

/// Auxiliaries and adverbs that may stand between a source and its cue verb ("has also said").
pub const AUX: &[&str] = &[
    "again",
    "already",
    "also",
    "always",
    "are",
    "be",
    "been",
    "can",
    "could",
    "did",
    "do",
    "does",
    "earlier",
    "even",
    "firmly",
    "flatly",
    "frequently",
    "further",
    "had",
    "has",
    "have",
    "however",
    "is",
    "just",
    "later",
    "may",
    "might",
    "n't",
    "never",
    "not",
    "often",
    "once",
    "openly",
    "previously",
    "privately",
    "publicly",
    "quickly",
    "recently",
    "repeatedly",
    "reportedly",
    "should",
    "still",
    "then",
    "thus",
    "was",
    "were",
    "will",
    "would",
];

/// Words that end a backward walk for a source noun phrase: clause boundaries, conjunctions,
/// relatives and prepositions that introduce something other than the speaker.
pub const NP_STOP: &[&str] = &[
    "about",
    "after",
    "against",
    "also",
    "although",
    "amid",
    "and",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "but",
    "by",
    "during",
    "friday",
    "from",
    "here",
    "how",
    "if",
    "in",
    "into",
    "is",
    "it's",
    "last",
    "later",
    "like",
    "monday",
    "nor",
    "not",
    "on",
    "or",
    "over",
    "said",
    "saturday",
    "says",
    "since",
    "so",
    "sunday",
    "than",
    "that",
    "then",
    "there",
    "these",
    "this",
    "those",
    "though",
    "through",
    "thursday",
    "to",
    "today",
    "told",
    "tonight",
    "tuesday",
    "under",
    "unless",
    "until",
    "upon",
    "was",
    "we're",
    "wednesday",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "whom",
    "why",
    "with",
    "without",
    "yesterday",
    "yet",
];

/// Nouns ending in "-ly" that can speak: not adverbs.
pub const LY_NOUNS: &[&str] = &[
    "ally", "assembly", "daily", "family", "monthly", "rally", "weekly",
];

/// Past forms that, right after a name, start a clause rather than continue the name
/// ("Francis made the shocking comments"); beside [`AUX`].
pub const CLAUSE_VERBS: &[&str] = &[
    "brought", "came", "gave", "got", "held", "made", "put", "sent", "took", "went",
];

/// Words that open a relative clause, which describes a speaker rather than ending them
/// ("Scott, who was one of three members").
pub const RELATIVE_PRONOUNS: &[&str] = &["that", "which", "who", "whom", "whose"];

/// Days of the week, for phrases of time between a speaker and the verb
/// ([`Ctx::time_phrase_back`](super::Ctx::time_phrase_back)).
pub const WEEKDAYS: &[&str] = &[
    "friday",
    "monday",
    "saturday",
    "sunday",
    "thursday",
    "tuesday",
    "wednesday",
];

/// Titles whose name ends in "on Sunday" ("The Mail on Sunday", "The Independent on Sunday"):
/// after one of these, "on Sunday" is part of the name, not a phrase of time.
pub const ON_SUNDAY_TITLES: &[&str] = &["independent", "mail"];

/// Capitalised inside a name ("CBS This Morning"): a determiner that otherwise ends a noun
/// phrase.
pub const NAME_DETERMINERS: &[&str] = &["this"];

/// Parts of a day that follow a weekday ("Tuesday night").
pub const DAY_PARTS: &[&str] = &["afternoon", "evening", "morning", "night"];

/// Stretches of time after "this", "last" or "next" ("this week", "last spring").
pub const PERIODS: &[&str] = &[
    "afternoon",
    "autumn",
    "evening",
    "fall",
    "month",
    "morning",
    "night",
    "spring",
    "summer",
    "week",
    "weekend",
    "winter",
    "year",
];

/// Nouns ending in "-ing" that can speak ("the ruling said"): not participles.
pub const ING_NOUNS: &[&str] = &["briefing", "filing", "hearing", "meeting", "ruling"];

/// Whether lowercase `w` reads as a present participle ("denying"): long enough to be more
/// than "sing" or "thing", and not one of [`ING_NOUNS`].
pub fn is_participle(w: &str) -> bool {
    w.len() > 5 && w.ends_with("ing") && !has(ING_NOUNS, w)
}

/// Lowercase words that are never a source alone: prepositions and adverbs the vector tagger
/// has marked as one. (Not every word of [`NP_STOP`]: "which" and "those" are sources in
/// PolNeAR, "a report, which said …".)
pub const NOT_SOURCES: &[&str] = &["despite", "for", "now", "please", "together", "worth"];

/// Personal pronouns that stand for a person speaker.
pub const PERSON_PRONOUNS: &[&str] = &["he", "her", "him", "she"];

/// Pronouns that can be a source but name nobody by themselves.
pub const OTHER_PRONOUNS: &[&str] = &["i", "it", "them", "they", "us", "we", "you"];

/// Head nouns of a source that names nobody: statements from these are unattributed.
pub const VAGUE_HEADS: &[&str] = &[
    "activists",
    "aide",
    "aides",
    "analyst",
    "analysts",
    "authorities",
    "circles",
    "commentators",
    "critic",
    "critics",
    "diplomat",
    "diplomats",
    "everybody",
    "everyone",
    "expert",
    "experts",
    "insider",
    "insiders",
    "journalists",
    "lawmakers",
    "many",
    "media",
    "observer",
    "observers",
    "official",
    "officials",
    "others",
    "outlets",
    "people",
    "person",
    "pundits",
    "quarters",
    "report",
    "reporters",
    "reports",
    "researchers",
    "resident",
    "residents",
    "rumors",
    "rumours",
    "scientists",
    "some",
    "somebody",
    "someone",
    "source",
    "sources",
    "spokesmen",
    "studies",
    "witness",
    "witnesses",
];

/// Role nouns that make a capitalised name into a full speaker description
/// ("Defence Ministry spokesman Igor Konashenkov"), and that a definite description
/// ("the spokesman") refers back by.
pub const ROLE_NOUNS: &[&str] = &[
    "activist",
    "admiral",
    "adviser",
    "advisor",
    "ambassador",
    "analyst",
    "attorney",
    "author",
    "businessman",
    "businesswoman",
    "candidate",
    "captain",
    "ceo",
    "chair",
    "chairman",
    "chairwoman",
    "chancellor",
    "chief",
    "colonel",
    "columnist",
    "commander",
    "congressman",
    "congresswoman",
    "correspondent",
    "deputy",
    "diplomat",
    "director",
    "economist",
    "editor",
    "envoy",
    "expert",
    "founder",
    "general",
    "gov.",
    "governor",
    "head",
    "host",
    "judge",
    "king",
    "lawmaker",
    "lawyer",
    "leader",
    "lieutenant",
    "major",
    "manager",
    "mayor",
    "minister",
    "nominee",
    "officer",
    "official",
    "pollster",
    "premier",
    "president",
    "prince",
    "professor",
    "prosecutor",
    "queen",
    "rep.",
    "reporter",
    "representative",
    "secretary",
    "sen.",
    "senator",
    "sergeant",
    "spokesman",
    "spokesperson",
    "spokeswoman",
    "strategist",
    "writer",
];

/// Role nouns that refer to the same office: "the spokesperson" may be "spokesman X".
pub fn same_role(a: &str, b: &str) -> bool {
    const SPOKES: &[&str] = &["spokesman", "spokesperson", "spokeswoman"];
    a == b || (has(SPOKES, a) && has(SPOKES, b))
}

/// Capitalised words that start sentences or titles without being names.
pub const NOT_NAMES: &[&str] = &[
    "a",
    "according",
    "after",
    "all",
    "also",
    "although",
    "an",
    "and",
    "april",
    "as",
    "at",
    "august",
    "because",
    "before",
    "but",
    "by",
    "december",
    "dr",
    "fact",
    "february",
    "for",
    "friday",
    "from",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "it",
    "its",
    "january",
    "july",
    "june",
    "last",
    "many",
    "march",
    "may",
    "meanwhile",
    "monday",
    "most",
    "mr",
    "mrs",
    "ms",
    "my",
    "next",
    "no",
    "not",
    "november",
    "october",
    "of",
    "officials",
    "on",
    "one",
    "or",
    "our",
    "read",
    "reports",
    "saturday",
    "september",
    "she",
    "since",
    "so",
    "some",
    "source",
    "sources",
    "still",
    "sunday",
    "that",
    "the",
    "their",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "three",
    "thursday",
    "to",
    "tuesday",
    "two",
    "we",
    "wednesday",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "with",
    "yet",
    "you",
    "your",
];
