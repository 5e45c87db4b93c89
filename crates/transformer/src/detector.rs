//! The transformer detector: an encoder from PyPI, frozen, with trained [`Heads`] on top.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use unspin_core::{
    decode, Cancel, CharSpan, DecodeOptions, DetectError, Detection, Detector, Document,
    PieceVectors, Span, TechniqueScores, TokenEvidence,
};

use crate::article::{TextEncoder, TokenSpan};
use crate::heads::Heads;
use crate::{Error, Result};

/// An article's encoder output as plain rows: what the heads read.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub tokens: Vec<TokenSpan>,
    /// `tokens.len() × hidden_size` values, row-major. Shared, not copied, with the
    /// [`PieceVectors`] a detection hands to the aids.
    pub hidden: Arc<[f32]>,
    /// Code points of the text it was computed from (a cheap check that a cached encoding
    /// belongs to the article asking for it).
    pub chars: usize,
}

impl TextEncoder {
    /// Encodes a whole article into plain rows ([`TextEncoder::encode_article`]'s output).
    pub fn encode_rows(&self, text: &str) -> Result<Encoded> {
        self.encode_rows_until(text, &Cancel::new())
    }

    /// [`TextEncoder::encode_rows`] that stops with [`Error::Cancelled`] between batches of
    /// windows once `cancel` is set: a batch takes a fraction of a second, so a long article
    /// stops that soon.
    pub fn encode_rows_until(&self, text: &str, cancel: &Cancel) -> Result<Encoded> {
        let tokens = self.tokenize(text)?;
        let h = self.config().hidden_size;
        if tokens.len() > self.max_pieces() {
            return Err(Error::TooLong {
                pieces: tokens.len(),
                max: self.max_pieces(),
                gb: (tokens.len() * h * 4) as f64 / 1e9,
            });
        }
        // The rows go straight into the shared buffer the aids will read: growing a Vec and
        // converting it would hold the article's rows twice at the peak (3 KB a token each).
        let mut hidden: Arc<[f32]> = std::iter::repeat_n(0.0, tokens.len() * h).collect();
        let rows_of = Arc::get_mut(&mut hidden)
            .ok_or_else(|| Error::Invalid("a fresh buffer was shared".into()))?;
        let mut filled = 0;
        self.encode_tokens_by_parts(&tokens, |range, rows| {
            cancel.check()?;
            let rows = rows.flatten_all()?.to_vec1::<f32>()?;
            let to = rows_of
                .get_mut(range.start * h..range.end * h)
                .filter(|to| to.len() == rows.len())
                .ok_or_else(|| Error::Invalid(format!("window rows for {range:?} do not fit")))?;
            to.copy_from_slice(&rows);
            filled += rows.len();
            Ok(())
        })?;
        cancel.check()?;
        // The windows own every token once; a gap would leave zeros the heads never saw.
        if filled != tokens.len() * h {
            return Err(Error::Invalid(format!(
                "the windows gave {filled} values for {} tokens of width {h}",
                tokens.len()
            )));
        }
        Ok(Encoded {
            hidden,
            tokens,
            chars: text.chars().count(),
        })
    }
}

/// Encodings computed ahead, by article id. Cross-validation encodes every article once and
/// trains five sets of heads on the same vectors; detection then reads them from here.
pub type EncodingCache = HashMap<String, Arc<Encoded>>;

/// A frozen encoder plus SI/TC heads, as a [`Detector`]. Cloning shares the encoder.
#[derive(Clone)]
pub struct TransformerDetector {
    name: String,
    /// What made the vectors: the base encoder's directory name, plus the adapter's digest
    /// when one was merged ([`PieceVectors::encoder`]).
    encoder_id: String,
    encoder: Arc<TextEncoder>,
    heads: Heads,
    cache: Option<Arc<EncodingCache>>,
    /// Why the encoder runs with candle rather than the int8 encoder meant for it
    /// ([`TransformerDetector::with_adapter`], [`TransformerDetector::with_backend_note`]).
    backend_note: Option<String>,
}

impl TransformerDetector {
    /// Loads the heads at `heads_path` and the base encoder they were trained on from
    /// `encoders_dir` (where `scripts/setup-models.sh` installs it).
    pub fn load(encoders_dir: &Path, heads_path: &Path) -> Result<Self> {
        let heads = Heads::load(heads_path)?;
        let encoder = TextEncoder::load_with(
            &encoders_dir.join(&heads.meta.encoder),
            None,
            crate::BackendKind::from_env()?,
        )?;
        Self::new(encoder, heads)
    }

    /// Loads a fine-tuned model directory as `training/finetune.py` writes it:
    /// `heads.safetensors`, plus `adapter.safetensors` (LoRA updates merged into the base
    /// encoder named by the heads) when the encoder was fine-tuned. Named `<encoder>-ft` then,
    /// so reports tell it from the frozen encoder's heads.
    pub fn load_dir(encoders_dir: &Path, dir: &Path) -> Result<Self> {
        Self::load_dir_with(encoders_dir, dir, Heads::load_dir(dir)?)
    }

    /// [`TransformerDetector::load_dir`] with the directory's heads already loaded (by a
    /// caller that looks at them before the encoder loads).
    pub fn load_dir_with(encoders_dir: &Path, dir: &Path, heads: Heads) -> Result<Self> {
        let adapter_path = dir.join("adapter.safetensors");
        let adapter = adapter_path
            .exists()
            .then(|| crate::lora::Adapter::load(&adapter_path))
            .transpose()?;
        Self::with_adapter(encoders_dir, heads, adapter.as_ref())
    }

    /// The base encoder the heads name, from `encoders_dir`, with `adapter` merged in.
    ///
    /// Which backend runs it: `$UNSPIN_BACKEND` when set ([`crate::BackendKind::requested`];
    /// `ort`, the fp32 graph, exists only for base encoders); otherwise, for a fine-tuned
    /// model, the int8 encoder built for this adapter when it is installed
    /// (`encoders_dir/<encoder>+lora-<digest>/model.int8.onnx`, run by onnxruntime: 1.45x
    /// faster than candle at the same held-out scores for the default MPNet), else candle on the
    /// base weights with the adapter merged. When an installed int8 encoder will not load,
    /// [`TransformerDetector::backend_note`] says why. Either way the vectors carry the same
    /// [`TransformerDetector::encoder_id`]: they come from the same weights, and the models
    /// that read them were measured on both.
    pub fn with_adapter(
        encoders_dir: &Path,
        heads: Heads,
        adapter: Option<&crate::lora::Adapter>,
    ) -> Result<Self> {
        let dir = encoders_dir.join(&heads.meta.encoder);
        let requested = crate::BackendKind::requested()?;
        let Some(adapter) = adapter else {
            let encoder = TextEncoder::load_with(&dir, None, requested.unwrap_or_default())?;
            return Self::new(encoder, heads);
        };
        let id = format!(
            "{}+lora-{}",
            heads.meta.encoder,
            adapter.digest.as_deref().unwrap_or("unknown")
        );
        let merged = encoders_dir.join(&id);
        let mut note = None;
        let encoder = match requested {
            Some(crate::BackendKind::Candle) => TextEncoder::load_adapted(&dir, Some(adapter))?,
            Some(crate::BackendKind::OrtInt8) => {
                TextEncoder::load_with(&merged, None, crate::BackendKind::OrtInt8)?
            }
            // Setup builds no fp32 graph of a fine-tuned encoder.
            Some(kind @ crate::BackendKind::Ort) => {
                return Err(Error::Invalid(format!(
                    "the {} backend runs exported base encoders only; a fine-tuned model runs with candle or ort-int8",
                    kind.name()
                )))
            }
            None => match Self::int8_merged(&merged) {
                Ok(encoder) => encoder,
                Err(why) => {
                    note = why;
                    TextEncoder::load_adapted(&dir, Some(adapter))?
                }
            },
        };
        let mut detector = Self::new(encoder, heads)?;
        detector.name.push_str("-ft");
        detector.encoder_id = id;
        detector.backend_note = note;
        Ok(detector)
    }

    /// The int8 encoder with an adapter merged in, at `merged`; else why not, as a note for
    /// the user when there is something to tell: an int8 encoder that is there but will not
    /// load. One that is not installed says nothing here: whether setup should have built it
    /// is for the caller to know (`unspin`'s models do).
    fn int8_merged(merged: &Path) -> std::result::Result<TextEncoder, Option<String>> {
        if !crate::ORT_BUILT || !merged.join("model.int8.onnx").is_file() {
            return Err(None);
        }
        TextEncoder::load_with(merged, None, crate::BackendKind::OrtInt8).map_err(|e| {
            Some(format!(
                "the int8 encoder would not load ({e}): running candle, slower"
            ))
        })
    }

    /// Sets the note [`TransformerDetector::backend_note`] returns (a caller that knows more
    /// about how the encoders were set up than this crate does).
    pub fn with_backend_note(mut self, note: Option<String>) -> Self {
        self.backend_note = note;
        self
    }

    /// Puts an encoder and heads together, checking they fit.
    pub fn new(encoder: TextEncoder, heads: Heads) -> Result<Self> {
        Self::from_parts(Arc::new(encoder), heads)
    }

    /// As [`TransformerDetector::new`], sharing an encoder with other detectors.
    pub fn from_parts(encoder: Arc<TextEncoder>, heads: Heads) -> Result<Self> {
        let h = encoder.config().hidden_size;
        if h != heads.meta.hidden_size {
            return Err(Error::Invalid(format!(
                "heads for hidden size {} ({}), encoder has {h}",
                heads.meta.hidden_size, heads.meta.encoder
            )));
        }
        Ok(TransformerDetector {
            name: crate::short_name(&heads.meta.encoder),
            encoder_id: heads.meta.encoder.clone(),
            encoder,
            heads,
            cache: None,
            backend_note: None,
        })
    }

    /// Another name in reports (two runs of one encoder side by side).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Reads encodings from `cache` (by article id) instead of running the encoder.
    pub fn with_cache(mut self, cache: Arc<EncodingCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    pub fn heads(&self) -> &Heads {
        &self.heads
    }

    /// Which backend runs the encoder.
    pub fn backend(&self) -> crate::BackendKind {
        self.encoder.backend()
    }

    /// Why the encoder runs with candle when an int8 encoder should have run it (not
    /// installed, or it failed to load), for the user to read; `None` when all is as set up.
    pub fn backend_note(&self) -> Option<&str> {
        self.backend_note.as_deref()
    }

    /// What identifies this detector's vectors: "all-mpnet-base-v2", or with an adapter
    /// merged `"all-mpnet-base-v2+lora-<digest>"`.
    pub fn encoder_id(&self) -> &str {
        &self.encoder_id
    }

    /// An encoding in the form the aids read: the pieces' spans and their rows, labelled with
    /// [`TransformerDetector::encoder_id`].
    pub fn piece_vectors(&self, enc: &Encoded) -> PieceVectors {
        PieceVectors {
            encoder: self.encoder_id.clone(),
            pieces: enc
                .tokens
                .iter()
                .map(|t| CharSpan::new(t.start, t.end))
                .collect(),
            width: self.heads.meta.hidden_size,
            rows: Arc::clone(&enc.hidden),
        }
    }

    /// The document's encoding: from the cache when it holds this article, else computed.
    pub fn encode(&self, doc: &Document) -> Result<Arc<Encoded>> {
        self.encode_until(doc, &Cancel::new())
    }

    /// [`TransformerDetector::encode`] that stops once `cancel` is set.
    pub fn encode_until(&self, doc: &Document, cancel: &Cancel) -> Result<Arc<Encoded>> {
        let chars = doc.article.len_chars();
        if let Some(e) = self
            .cache
            .as_ref()
            .and_then(|c| c.get(&doc.article.id))
            .filter(|e| e.chars == chars)
        {
            return Ok(e.clone());
        }
        Ok(Arc::new(
            self.encoder.encode_rows_until(doc.text(), cancel)?,
        ))
    }

    /// P(inside a propaganda span) for each of `doc.tokens`: the mean over the encoder tokens
    /// (word pieces) that overlap it, so the probabilities line up with the classical model's.
    pub fn token_probabilities(&self, doc: &Document, enc: &Encoded) -> Result<Vec<f32>> {
        let pieces = self
            .heads
            .token_probabilities(&enc.hidden, enc.tokens.len())?;
        Ok(to_document_tokens(doc, &enc.tokens, &pieces))
    }

    /// Technique scores for `spans` from an encoding.
    pub fn classify_encoded(
        &self,
        enc: &Encoded,
        spans: &[CharSpan],
    ) -> Result<Vec<TechniqueScores>> {
        self.heads.classify(&enc.hidden, &enc.tokens, spans)
    }

    /// How this model's evidence is decoded on its own: the thresholds stored in its heads.
    pub fn decode_options(&self) -> DecodeOptions {
        DecodeOptions {
            second_technique: self.heads.meta.second_technique,
            ..DecodeOptions::plain(self.heads.meta.si_threshold)
        }
    }

    /// Technique spans from an encoding: regions from the SI head, each labelled by the TC head.
    pub fn detect_encoded(&self, doc: &Document, enc: &Encoded) -> Result<Vec<Span>> {
        let evidence = TokenEvidence::regions(self.token_probabilities(doc, enc)?);
        decode(doc, evidence, self.decode_options(), |spans| {
            self.classify_encoded(enc, spans)
        })
    }

    /// This detector's error for `doc` in the seam's terms.
    fn seam_error(&self, doc: &Document, e: Error) -> DetectError {
        match e {
            Error::Cancelled(c) => DetectError::Cancelled(c),
            e => DetectError::failed(&self.name, doc, e),
        }
    }
}

impl Detector for TransformerDetector {
    fn name(&self) -> &str {
        &self.name
    }

    fn detect(
        &self,
        doc: &Document,
        cancel: &Cancel,
    ) -> std::result::Result<Detection, DetectError> {
        self.encode_until(doc, cancel)
            .and_then(|enc| {
                Ok(Detection {
                    spans: self.detect_encoded(doc, &enc)?,
                    notes: Vec::new(),
                    vectors: Some(Arc::new(self.piece_vectors(&enc))),
                })
            })
            .map_err(|e| self.seam_error(doc, e))
    }

    fn classify(
        &self,
        doc: &Document,
        spans: &[CharSpan],
        cancel: &Cancel,
    ) -> std::result::Result<Vec<TechniqueScores>, DetectError> {
        self.encode_until(doc, cancel)
            .and_then(|enc| self.classify_encoded(&enc, spans))
            .map_err(|e| self.seam_error(doc, e))
    }
}

/// Maps word-piece values onto the document's tokens: each token gets the mean over the pieces
/// that overlap it (0 where none does).
pub fn to_document_tokens(doc: &Document, pieces: &[TokenSpan], values: &[f32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(doc.tokens.len());
    let mut first = 0;
    for t in &doc.tokens {
        while first < pieces.len() && pieces[first].end <= t.span.start {
            first += 1;
        }
        let (mut sum, mut n) = (0.0, 0);
        let mut i = first;
        while i < pieces.len() && pieces[i].start < t.span.end {
            sum += values[i];
            n += 1;
            i += 1;
        }
        out.push(if n > 0 { sum / n as f32 } else { 0.0 });
    }
    out
}
