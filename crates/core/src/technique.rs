//! The 14 propaganda techniques of the Propaganda Techniques Corpus (SemEval-2020 Task 11).
//!
//! The PTC names (with their commas and hyphens) are the wire format: label files, JSON and the
//! HTTP API all use [`Technique::name`], so a file written by unspin is read by the official scorer.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One of the 14 PTC techniques. The discriminant order is the alphabetical order of
/// `techniques.txt`, which is also the class order inside trained models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Technique {
    AppealToAuthority,
    AppealToFearPrejudice,
    BandwagonReductioAdHitlerum,
    BlackAndWhiteFallacy,
    CausalOversimplification,
    Doubt,
    ExaggerationMinimisation,
    FlagWaving,
    LoadedLanguage,
    NameCallingLabeling,
    Repetition,
    Slogans,
    ThoughtTerminatingCliches,
    WhataboutismStrawMenRedHerring,
}

/// Static facts about a technique, kept in one table so names, definitions and colours never drift.
struct Info {
    name: &'static str,
    short: &'static str,
    /// At most six characters: a column heading in narrow terminal tables.
    code: &'static str,
    definition: &'static str,
    color: &'static str,
}

const INFO: [Info; 14] = [
    Info {
        name: "Appeal_to_Authority",
        short: "Authority",
        code: "Auth",
        definition: "Treats a claim as true because an expert, official or famous person said so, \
                     instead of showing the evidence.",
        color: "#1d4ed8",
    },
    Info {
        name: "Appeal_to_fear-prejudice",
        short: "Fear",
        code: "Fear",
        definition:
            "Tries to win support by making the reader afraid of something, or by playing on \
                     an existing prejudice against a group.",
        color: "#b91c1c",
    },
    Info {
        name: "Bandwagon,Reductio_ad_hitlerum",
        short: "Bandwagon",
        code: "Bandw",
        definition: "Urges the reader to agree because everyone else does, or to reject an idea \
                     because a hated group holds it.",
        color: "#7e22ce",
    },
    Info {
        name: "Black-and-White_Fallacy",
        short: "Black&White",
        code: "B&W",
        definition:
            "Presents two options as the only ones possible when more exist, or announces one \
                     option as the only choice.",
        color: "#525252",
    },
    Info {
        name: "Causal_Oversimplification",
        short: "Causal",
        code: "Causal",
        definition:
            "Blames one cause for an outcome that has many, or shifts the whole blame onto one \
                     person or group.",
        color: "#92400e",
    },
    Info {
        name: "Doubt",
        short: "Doubt",
        code: "Doubt",
        definition:
            "Questions the credibility of a person or institution to undermine them, without \
                     engaging with what they say.",
        color: "#be185d",
    },
    Info {
        name: "Exaggeration,Minimisation",
        short: "Exaggeration",
        code: "Exagg",
        definition: "Makes something look much bigger, better or worse than it is, or plays down \
                     something that matters.",
        color: "#a16207",
    },
    Info {
        name: "Flag-Waving",
        short: "Flag",
        code: "Flag",
        definition: "Appeals to national or group pride and identity to justify an idea or action.",
        color: "#0e7490",
    },
    Info {
        name: "Loaded_Language",
        short: "Loaded",
        code: "Loaded",
        definition: "Uses words or phrases with strong emotional charge to sway the reader rather \
                     than inform.",
        color: "#c2410c",
    },
    Info {
        name: "Name_Calling,Labeling",
        short: "Name-calling",
        code: "Name",
        definition:
            "Attaches a label to a person or group that the audience fears, hates or loves, \
                     in place of an argument.",
        color: "#15803d",
    },
    Info {
        name: "Repetition",
        short: "Repetition",
        code: "Repet",
        definition:
            "Says the same message again and again so that the audience comes to accept it.",
        color: "#4338ca",
    },
    Info {
        name: "Slogans",
        short: "Slogan",
        code: "Slogan",
        definition:
            "A short, striking phrase that stands in for an argument, often with labels or \
                     stereotypes.",
        color: "#a21caf",
    },
    Info {
        name: "Thought-terminating_Cliches",
        short: "Cliche",
        code: "Cliche",
        definition: "A stock phrase that discourages further thought or discussion, such as \
                     \"it is what it is\".",
        color: "#4d7c0f",
    },
    Info {
        name: "Whataboutism,Straw_Men,Red_Herring",
        short: "Whataboutism",
        code: "Whatab",
        definition: "Deflects criticism by pointing at the opponent's faults, attacks a distorted \
                     version of their view, or changes the subject.",
        color: "#0f766e",
    },
];

impl Technique {
    /// All techniques in class order.
    pub const ALL: [Technique; 14] = [
        Technique::AppealToAuthority,
        Technique::AppealToFearPrejudice,
        Technique::BandwagonReductioAdHitlerum,
        Technique::BlackAndWhiteFallacy,
        Technique::CausalOversimplification,
        Technique::Doubt,
        Technique::ExaggerationMinimisation,
        Technique::FlagWaving,
        Technique::LoadedLanguage,
        Technique::NameCallingLabeling,
        Technique::Repetition,
        Technique::Slogans,
        Technique::ThoughtTerminatingCliches,
        Technique::WhataboutismStrawMenRedHerring,
    ];

    /// Number of techniques.
    pub const COUNT: usize = 14;

    /// Position in [`Technique::ALL`]; the class index used by models.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Inverse of [`Technique::index`].
    pub fn from_index(i: usize) -> Option<Technique> {
        Self::ALL.get(i).copied()
    }

    fn info(self) -> &'static Info {
        &INFO[self.index()]
    }

    /// The PTC label name, e.g. `Name_Calling,Labeling`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// A short display name for legends.
    pub fn short_name(self) -> &'static str {
        self.info().short
    }

    /// A column heading of at most six characters, for terminal tables (`Loaded`, `B&W`).
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// A one-line definition in plain language.
    pub fn definition(self) -> &'static str {
        self.info().definition
    }

    /// A CSS hex colour, distinct per technique, for highlighting. Every colour has at least
    /// 4.5:1 contrast against white (WCAG AA for text, and well over the 3:1 for the underlines
    /// and swatches it draws), so no technique's mark is too faint to see; the two most frequent,
    /// Loaded and Name-calling, sit far apart (orange and green).
    pub fn color(self) -> &'static str {
        self.info().color
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A technique name that is not one of the 14. Its message quotes a long name in part
/// ([`crate::quote_field`]): it may come from a corrupt file's megabyte-long field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown technique {} (expected one of the 14 PTC technique names)",
    crate::quote_field(.0)
)]
pub struct UnknownTechnique(pub String);

impl FromStr for Technique {
    type Err = UnknownTechnique;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        INFO.iter()
            .position(|i| i.name == s)
            .and_then(Technique::from_index)
            .ok_or_else(|| UnknownTechnique(s.to_string()))
    }
}

impl Serialize for Technique {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Technique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// In the OpenAPI document a technique is what it is on the wire: a string, one of the 14 PTC
/// names. Written by hand because the derive would describe the Rust variant names instead.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Technique {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .enum_values(Some(Technique::ALL.iter().map(|t| t.name())))
            .description(Some("One of the 14 PTC technique names."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Technique {}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2 relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }

    #[test]
    fn colours_are_distinct_and_legible_on_white() {
        let mut seen = std::collections::HashSet::new();
        for t in Technique::ALL {
            let contrast = 1.05 / (luminance(t.color()) + 0.05);
            assert!(
                contrast >= 4.5,
                "{t}: {} has contrast {contrast:.2}:1",
                t.color()
            );
            assert!(seen.insert(t.color()), "{t}: colour used twice");
        }
    }

    #[test]
    fn names_round_trip_and_match_ptc_order() {
        let mut names: Vec<&str> = Technique::ALL.iter().map(|t| t.name()).collect();
        for (i, t) in Technique::ALL.iter().enumerate() {
            assert_eq!(t.index(), i);
            assert_eq!(t.name().parse::<Technique>().unwrap(), *t);
        }
        let sorted = {
            let mut s = names.clone();
            s.sort();
            s
        };
        assert_eq!(
            names, sorted,
            "class order must be the sorted order of techniques.txt"
        );
        names.dedup();
        assert_eq!(names.len(), 14);
    }

    #[test]
    fn column_codes_are_short_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for t in Technique::ALL {
            assert!(t.code().chars().count() <= 6, "{t}: code {:?}", t.code());
            assert!(seen.insert(t.code()), "{t}: code used twice");
        }
    }

    #[test]
    fn unknown_name_is_an_error() {
        assert!("Loaded_language".parse::<Technique>().is_err());
        assert!("".parse::<Technique>().is_err());
    }

    #[test]
    fn serde_uses_ptc_names() {
        let j = serde_json::to_string(&Technique::NameCallingLabeling).unwrap();
        assert_eq!(j, "\"Name_Calling,Labeling\"");
        let t: Technique = serde_json::from_str(&j).unwrap();
        assert_eq!(t, Technique::NameCallingLabeling);
    }
}
