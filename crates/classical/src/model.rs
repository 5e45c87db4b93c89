//! The trained classical model: file format, loading (from disk or embedded in the binary) and
//! the [`Detector`] implementation.
//!
//! File layout: the magic line `UNSPIN-CLASSICAL\n`, a little-endian `u32` format version, then
//! a deflate stream of the postcard-encoded `ModelFile`. Models are data: the header records
//! the technique list and how the model was trained, and loading checks both.

use crate::container::{self, Unpack};
use crate::crf::{Crf, CrfFile, Sequence};
use crate::features::DocInfo;
use crate::lexicon::Lexicon;
use crate::logreg::LogReg;
use crate::sparse::SparseWeights;
use serde::{Deserialize, Serialize};
use std::path::Path;
use unspin_core::{
    mix_into, spans_from_token_probabilities, top_techniques, CharSpan, Detector, Document, Span,
    Technique, TechniqueScores,
};

const MAGIC: &[u8] = b"UNSPIN-CLASSICAL\n";
/// Bumped whenever features, hashing or layout change: old files are refused, not misread.
pub const FORMAT_VERSION: u32 = 1;

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: cannot read model: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not an unspin classical model (bad magic bytes)")]
    Magic { path: String },
    #[error("{path}: model format version {found}, this build reads version {expected}; retrain with `unspin train`")]
    Version {
        path: String,
        found: u32,
        expected: u32,
    },
    #[error("{path}: corrupt model: {message}")]
    Corrupt { path: String, message: String },
}

/// Where the model came from and what it decides with; shown by `unspin info`-like tooling.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub techniques: Vec<String>,
    pub created_by: String,
    /// Free text: data directory, article count, seed, commit.
    pub training: String,
}

/// Decoding knobs, stored in the model so a model and its tuned thresholds travel together.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecodeParams {
    /// A token is inside a span when its marginal probability reaches this.
    pub si_threshold: f32,
    /// Emit a second technique for a span when its probability reaches this.
    pub second_technique: f32,
}

impl Default for DecodeParams {
    fn default() -> Self {
        DecodeParams {
            si_threshold: 0.3,
            second_technique: 0.3,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    header: Header,
    decode: DecodeParams,
    lexicon: Lexicon,
    crf: CrfFile,
    taggers: Vec<TaggerFile>,
    tc: SparseWeights,
}

#[derive(Serialize, Deserialize)]
struct TaggerFile {
    technique: String,
    threshold: f32,
    crf: CrfFile,
}

/// A CRF that tags the spans of one technique directly. Short-span techniques (Loaded_Language,
/// Name_Calling) get their own tagger because the general span tagger finds propaganda
/// *regions*, whose extent rarely matches a two-word loaded phrase.
#[derive(Debug, Clone)]
pub struct Tagger {
    pub technique: Technique,
    pub threshold: f32,
    pub crf: Crf,
}

/// The classical detector: a CRF tagger for spans and a logistic-regression span classifier.
#[derive(Debug, Clone)]
pub struct ClassicalModel {
    pub header: Header,
    pub decode: DecodeParams,
    pub(crate) lexicon: Lexicon,
    pub(crate) crf: Crf,
    pub(crate) taggers: Vec<Tagger>,
    pub(crate) tc: LogReg,
}

/// The model trained on the full PTC training set, compiled into the binary.
static EMBEDDED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/classical.unspin"
));

impl ClassicalModel {
    /// The model embedded at build time.
    pub fn embedded() -> Result<Self, ModelError> {
        Self::from_bytes(EMBEDDED, "<embedded model>")
    }

    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
            path: name.clone(),
            source,
        })?;
        Self::from_bytes(&bytes, &name)
    }

    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Self, ModelError> {
        let path = name.to_string();
        let corrupt = |message: String| ModelError::Corrupt {
            path: path.clone(),
            message,
        };
        let file: ModelFile =
            container::unpack(MAGIC, FORMAT_VERSION, bytes).map_err(|e| match e {
                Unpack::Magic => ModelError::Magic { path: path.clone() },
                Unpack::Version(found) => ModelError::Version {
                    path: path.clone(),
                    found,
                    expected: FORMAT_VERSION,
                },
                Unpack::Corrupt(message) => corrupt(message),
            })?;
        let expected: Vec<&str> = Technique::ALL.iter().map(|t| t.name()).collect();
        if file.header.techniques != expected {
            return Err(corrupt("technique list differs from this build's".into()));
        }
        let mut lexicon = file.lexicon;
        lexicon.rebuild_index();
        let tc = LogReg::from_file(&file.tc).map_err(corrupt)?;
        if tc.classes != Technique::COUNT {
            return Err(corrupt(format!("TC model has {} classes", tc.classes)));
        }
        let mut taggers = Vec::new();
        for t in &file.taggers {
            taggers.push(Tagger {
                technique: t.technique.parse().map_err(|e| corrupt(format!("{e}")))?,
                threshold: t.threshold,
                crf: Crf::from_file(&t.crf).map_err(corrupt)?,
            });
        }
        Ok(ClassicalModel {
            header: file.header,
            decode: file.decode,
            lexicon,
            crf: Crf::from_file(&file.crf).map_err(corrupt)?,
            taggers,
            tc,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let file = ModelFile {
            header: self.header.clone(),
            decode: self.decode,
            lexicon: self.lexicon.clone(),
            crf: self.crf.to_file(),
            taggers: self
                .taggers
                .iter()
                .map(|t| TaggerFile {
                    technique: t.technique.name().to_string(),
                    threshold: t.threshold,
                    crf: t.crf.to_file(),
                })
                .collect(),
            tc: self.tc.to_file(),
        };
        container::pack(MAGIC, FORMAT_VERSION, &file)
    }

    /// Writes the model atomically (temp file + rename), so a crash never leaves half a model.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        container::save(path, &self.to_bytes())
    }

    /// Per-token probabilities: index 0 of being inside any propaganda span (the SI tagger),
    /// index `k + 1` of being inside a span of `taggers[k].technique`. Features are extracted
    /// once and shared by all taggers.
    pub fn token_probabilities(&self, info: &DocInfo) -> Vec<Vec<f32>> {
        let doc = info.doc;
        let n_taggers = 1 + self.taggers.len();
        let mut probs = vec![vec![0.0; doc.tokens.len()]; n_taggers];
        let mut feats = Vec::with_capacity(64);
        let mut seq = Sequence::default();
        for s in &doc.sentences {
            seq.offsets.clear();
            seq.feats.clear();
            seq.offsets.push(0);
            for i in s.tokens.clone() {
                feats.clear();
                info.token_features(i, &mut feats);
                seq.feats
                    .extend(feats.iter().map(|&f| self.crf.emit.row_of(f) as u32));
                seq.offsets.push(seq.feats.len() as u32);
            }
            for (k, crf) in std::iter::once(&self.crf)
                .chain(self.taggers.iter().map(|t| &t.crf))
                .enumerate()
            {
                probs[k][s.tokens.clone()].copy_from_slice(&crf.marginals(&seq));
            }
        }
        probs
    }

    fn scores(&self, info: &DocInfo, span: CharSpan, feats: &mut Vec<u64>) -> TechniqueScores {
        feats.clear();
        info.span_features(span, &self.lexicon, None, feats);
        let mut out = [0.0; Technique::COUNT];
        self.tc.predict_features(feats, &mut out);
        out
    }
}

/// A second opinion for [`ClassicalModel::detect_blended`]: another model's per-token span
/// probabilities and technique scores, mixed linearly with the classical model's own.
pub struct Blend<'a> {
    /// P(inside a propaganda span) for each of `doc.tokens`.
    pub si: &'a [f32],
    /// Weight of `si` against the CRF marginals: 0 keeps the classical model's, 1 the other's.
    pub si_weight: f32,
    /// The token threshold for the mixed probabilities (replaces the model's own).
    pub si_threshold: f32,
    /// The other model's technique scores for the given spans.
    pub classify: &'a dyn Fn(&[CharSpan]) -> Vec<TechniqueScores>,
    /// Weight of the other model's technique scores.
    pub tc_weight: f32,
}

impl ClassicalModel {
    /// Finds technique spans, optionally blending in a second model ([`Blend`]). The dedicated
    /// taggers (Loaded_Language, Name_Calling) stay classical: their spans are tighter than
    /// any region tagger's.
    pub fn detect_blended(&self, doc: &Document, blend: Option<&Blend>) -> Vec<Span> {
        let info = DocInfo::new(doc, &self.lexicon, None);
        let mut probs = self.token_probabilities(&info);
        let mut out = Vec::new();
        for (t, pr) in self.taggers.iter().zip(&probs[1..]) {
            for (span, conf) in spans_from_token_probabilities(doc, pr, t.threshold) {
                out.push(Span {
                    start: span.start,
                    end: span.end,
                    technique: t.technique,
                    confidence: conf,
                });
            }
        }
        let mut threshold = self.decode.si_threshold;
        if let Some(b) = blend {
            mix_into(&mut probs[0], b.si, b.si_weight);
            threshold = b.si_threshold;
        }
        let regions = spans_from_token_probabilities(doc, &probs[0], threshold);
        if blend.is_some_and(|b| b.si_weight > 0.0) {
            // Blended, a dedicated tagger's span stands only where the blended evidence marks
            // propaganda too: alone, the taggers mark place names and aircraft lists that a
            // fine-tuned encoder knows are not loaded language. (With no weight on the other
            // model there is no new evidence, and the blend is the classical model exactly.)
            out.retain(|s| regions.iter().any(|(r, _)| r.overlap(&s.chars()) > 0));
        }
        let mut feats = Vec::with_capacity(256);
        let mut scores: Vec<TechniqueScores> = regions
            .iter()
            .map(|&(span, _)| self.scores(&info, span, &mut feats))
            .collect();
        if let Some(b) = blend.filter(|b| b.tc_weight > 0.0 && !regions.is_empty()) {
            let spans: Vec<CharSpan> = regions.iter().map(|r| r.0).collect();
            for (own, other) in scores.iter_mut().zip((b.classify)(&spans)) {
                mix_into(own, &other, b.tc_weight);
            }
        }
        let n_tagged = out.len();
        for ((span, conf), p) in regions.into_iter().zip(&scores) {
            for (technique, pk) in top_techniques(p, self.decode.second_technique) {
                // Where a dedicated tagger found this technique inside the region, its tighter
                // spans stand for it; the region itself would only dilute precision.
                let covered = out[..n_tagged]
                    .iter()
                    .any(|s| s.technique == technique && s.chars().overlap(&span) > 0);
                if !covered {
                    out.push(Span {
                        start: span.start,
                        end: span.end,
                        technique,
                        confidence: conf * pk,
                    });
                }
            }
        }
        out
    }
}

impl Detector for ClassicalModel {
    fn name(&self) -> &str {
        "classical"
    }

    fn detect(&self, doc: &Document) -> Vec<Span> {
        self.detect_blended(doc, None)
    }

    fn classify(&self, doc: &Document, spans: &[CharSpan]) -> Vec<TechniqueScores> {
        let info = DocInfo::new(doc, &self.lexicon, None);
        let mut feats = Vec::with_capacity(256);
        spans
            .iter()
            .map(|&s| self.scores(&info, s, &mut feats))
            .collect()
    }
}
