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
    decode, spans_from_token_probabilities, Cancel, CharSpan, DecodeOptions, DetectError,
    Detection, Detector, Document, Span, Technique, TechniqueScores, TokenEvidence,
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

/// The classical model's view of one document: features extracted once, for the evidence
/// and for scoring spans. An ensemble takes both and mixes in another model's.
pub struct ClassicalView<'a> {
    model: &'a ClassicalModel,
    info: DocInfo<'a>,
}

impl ClassicalModel {
    /// Extracts the features of `doc` for [`ClassicalView::evidence`] and
    /// [`ClassicalView::classify`].
    pub fn view<'a>(&'a self, doc: &'a Document) -> ClassicalView<'a> {
        ClassicalView {
            model: self,
            info: DocInfo::new(doc, &self.lexicon, None),
        }
    }

    /// How this model's evidence is decoded on its own.
    pub fn decode_options(&self) -> DecodeOptions {
        DecodeOptions {
            second_technique: self.decode.second_technique,
            ..DecodeOptions::plain(self.decode.si_threshold)
        }
    }
}

impl ClassicalView<'_> {
    /// The SI tagger's marginals, and the spans of the dedicated taggers (Loaded_Language,
    /// Name_Calling), whose spans are tighter than any region tagger's.
    pub fn evidence(&self) -> TokenEvidence {
        let doc = self.info.doc;
        let mut probs = self.model.token_probabilities(&self.info);
        let mut tagged = Vec::new();
        for (t, pr) in self.model.taggers.iter().zip(&probs[1..]) {
            for (span, conf) in spans_from_token_probabilities(doc, pr, t.threshold) {
                tagged.push(Span {
                    start: span.start,
                    end: span.end,
                    technique: t.technique,
                    confidence: conf,
                });
            }
        }
        TokenEvidence {
            si: std::mem::take(&mut probs[0]),
            tagged,
        }
    }

    /// Technique scores for each of `spans`.
    pub fn classify(&self, spans: &[CharSpan]) -> Vec<TechniqueScores> {
        let mut feats = Vec::with_capacity(256);
        spans
            .iter()
            .map(|&s| self.model.scores(&self.info, s, &mut feats))
            .collect()
    }

    /// Spans from this model alone.
    pub fn detect(&self) -> Vec<Span> {
        let decoded = decode(
            self.info.doc,
            self.evidence(),
            self.model.decode_options(),
            |spans| Ok::<_, std::convert::Infallible>(self.classify(spans)),
        );
        match decoded {
            Ok(spans) => spans,
            Err(never) => match never {},
        }
    }
}

impl Detector for ClassicalModel {
    fn name(&self) -> &str {
        "classical"
    }

    fn detect(&self, doc: &Document, cancel: &Cancel) -> Result<Detection, DetectError> {
        cancel.check()?;
        Ok(Detection::from_spans(self.view(doc).detect()))
    }

    fn classify(
        &self,
        doc: &Document,
        spans: &[CharSpan],
        cancel: &Cancel,
    ) -> Result<Vec<TechniqueScores>, DetectError> {
        cancel.check()?;
        Ok(self.view(doc).classify(spans))
    }
}
