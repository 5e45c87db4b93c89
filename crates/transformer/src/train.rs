//! Training [`Heads`] on encoded articles with gold spans.

use serde::{Deserialize, Serialize};
use unspin_core::{CharSpan, Technique};

use crate::detector::Encoded;
use crate::heads::{
    span_dim, token_features, train_head, BlendParams, HeadOptions, Heads, HeadsMeta, HEADS_VERSION,
};
use crate::{Error, Result};

/// One training article: its encoding and gold labels.
pub struct HeadExample<'a> {
    pub enc: &'a Encoded,
    /// Gold propaganda spans (SI).
    pub spans: &'a [CharSpan],
    /// Gold technique spans (TC); a span with two techniques appears twice.
    pub techniques: &'a [(CharSpan, Technique)],
}

/// Settings for [`train_heads`]; the defaults are what `unspin train --model` uses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeadsTrainOptions {
    pub si: HeadOptions,
    pub tc: HeadOptions,
    pub context: usize,
    pub span_context: usize,
    pub si_threshold: f32,
    pub second_technique: f32,
    pub blend: BlendParams,
}

impl Default for HeadsTrainOptions {
    fn default() -> Self {
        HeadsTrainOptions {
            si: HeadOptions::default(),
            // One hidden layer helps TC (0.577 against 0.552 in a linear probe of MiniLM) but
            // not SI (0.320 against 0.328), and SI has 60 times more rows to train on.
            tc: HeadOptions {
                hidden: 256,
                epochs: 30,
                ..HeadOptions::default()
            },
            context: 16,
            span_context: 24,
            si_threshold: 0.2,
            second_technique: 0.3,
            blend: BlendParams::default(),
        }
    }
}

/// Trains the SI and TC heads for `encoder` (its directory name) with hidden size `h`.
pub fn train_heads(
    examples: &[HeadExample],
    encoder: &str,
    h: usize,
    opts: &HeadsTrainOptions,
    seed: u64,
    training: &str,
) -> Result<Heads> {
    let (mut si_x, mut si_y) = (Vec::new(), Vec::new());
    let (mut tc_x, mut tc_y) = (Vec::new(), Vec::new());
    for ex in examples {
        let n = ex.enc.tokens.len();
        if ex.enc.hidden.len() != n * h {
            return Err(Error::Invalid(format!(
                "an encoding has {} values for {n} tokens of width {h}",
                ex.enc.hidden.len()
            )));
        }
        si_x.extend(token_features(&ex.enc.hidden, n, h, opts.context));
        // A word piece is inside when its middle is: pieces cut by a span edge go to the side
        // holding most of them.
        si_y.extend(ex.enc.tokens.iter().map(|t| {
            let mid2 = t.start + t.end;
            u32::from(
                ex.spans
                    .iter()
                    .any(|s| 2 * s.start <= mid2 && mid2 < 2 * s.end),
            )
        }));
        for &(span, technique) in ex.techniques {
            crate::heads::span_features(
                &ex.enc.hidden,
                &ex.enc.tokens,
                h,
                opts.span_context,
                span,
                &mut tc_x,
            );
            tc_y.push(technique.index() as u32);
        }
    }
    let si = train_head(&si_x, 2 * h, &si_y, 2, &opts.si, seed)?;
    drop(si_x);
    let tc = train_head(
        &tc_x,
        span_dim(h),
        &tc_y,
        Technique::COUNT,
        &opts.tc,
        seed.wrapping_add(1),
    )?;
    Ok(Heads {
        meta: HeadsMeta {
            version: HEADS_VERSION,
            encoder: encoder.to_string(),
            hidden_size: h,
            context: opts.context,
            span_context: opts.span_context,
            si_threshold: opts.si_threshold,
            second_technique: opts.second_technique,
            techniques: Technique::ALL
                .iter()
                .map(|t| t.name().to_string())
                .collect(),
            blend: opts.blend,
            partner_blend: None,
            training: training.to_string(),
        },
        si,
        tc,
        si_crf: None,
    })
}
