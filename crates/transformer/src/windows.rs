//! Splitting a long token sequence into windows, and choosing which window each token's
//! vector is taken from.
//!
//! An encoder sees at most 512 tokens, and a token near a window's edge sees context on one
//! side only. Windows may therefore overlap, each token taken from the window where it is most
//! central (the one with the most context on its poorer side). By default they do not: the
//! fine-tuned models were trained on windows without overlap and score the same either way
//! (see [`WindowConfig::default`]), so the article is cut into the fewest windows of equal
//! length and each token is encoded once.

use crate::{Error, Result};

/// How articles are cut into windows and batched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowConfig {
    /// Tokens per window, the two special tokens (`[CLS]`/`[SEP]`, `<s>`/`</s>`) included.
    pub max_tokens: usize,
    /// Content tokens between the starts of consecutive windows. Smaller strides mean more
    /// overlap (better context at the edges) and more windows to run.
    pub stride: usize,
    /// Windows run through the encoder together in one batch.
    pub batch_size: usize,
}

impl Default for WindowConfig {
    /// Windows of up to 512 tokens without overlap, one at a time. Batching buys nothing on a
    /// CPU (a 512-token window already fills the matrix products) and costs memory: over the
    /// first 100 PTC training articles the default (int8 MPNet ensemble, every aid) ran in
    /// 113 s at 603 MB peak RSS one window at a time, against 112 s at 729 MB two at a time
    /// and 114 s at 855 MB four at a time (2026-12-04). One at a time also makes a window's
    /// vectors independent of its neighbours: the int8 encoder quantises its activations
    /// with one scale per batch. On the held-out PTC split the ensemble scored the same
    /// (cross-fitted SI/TC/FLC 0.448/0.698/0.269 against 0.449/0.697/0.274 four at a time).
    ///
    /// Overlap buys tokens near a window's edge context on both sides, but the fine-tuned
    /// models were trained on windows without overlap, and on the held-out PTC split windows
    /// overlapping by half scored the same as these (cross-fitted ensemble SI/TC/FLC
    /// 0.426/0.697/0.252 against 0.427/0.694/0.251) for twice the encoder time.
    fn default() -> Self {
        WindowConfig {
            max_tokens: 512,
            stride: 510,
            batch_size: 1,
        }
    }
}

impl WindowConfig {
    /// The default settings, with windows shortened to the model's longest sequence when it
    /// is below 512 tokens.
    pub fn for_model(model_max: usize) -> Self {
        let d = WindowConfig::default();
        if model_max >= d.max_tokens {
            return d;
        }
        let max_tokens = model_max.max(3);
        WindowConfig {
            max_tokens,
            stride: max_tokens - 2,
            ..d
        }
    }

    /// Content tokens per window (the window minus its two special tokens).
    pub fn content_len(&self) -> usize {
        self.max_tokens.saturating_sub(2)
    }

    /// Checks the settings against each other and against the model's longest sequence.
    pub fn validate(&self, model_max: usize) -> Result<()> {
        if self.max_tokens < 3 {
            return Err(Error::Invalid(format!(
                "windows of {} tokens leave no room for text (at least 3)",
                self.max_tokens
            )));
        }
        if self.max_tokens > model_max {
            return Err(Error::Invalid(format!(
                "windows of {} tokens exceed the model's {model_max}",
                self.max_tokens
            )));
        }
        if self.stride == 0 || self.stride > self.content_len() {
            return Err(Error::Invalid(format!(
                "stride {} must be between 1 and the window's {} content tokens",
                self.stride,
                self.content_len()
            )));
        }
        if self.batch_size == 0 {
            return Err(Error::Invalid("batch size must be at least 1".into()));
        }
        Ok(())
    }
}

/// One window: content tokens `start..end` of the article, and the sub-range `own_start..
/// own_end` of them whose vectors are taken from this window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub own_start: usize,
    pub own_end: usize,
}

/// Plans windows of at most `content_len` tokens over `n_tokens`, starting every `stride`
/// tokens; the last window is aligned to the end of the text so no window is short unless the
/// whole text is. Ownership goes to the most central window: the owned ranges partition
/// `0..n_tokens`, in order. `stride` must be in `1..=content_len` (see
/// [`WindowConfig::validate`]); out-of-range values are clamped. With `stride == content_len`
/// (no overlap) the text is instead cut into the fewest windows of equal length.
///
/// ```
/// use unspin_transformer::plan_windows;
/// // 600 tokens without overlap: two windows of 300, not 510 plus an end-aligned 510.
/// let w = plan_windows(600, 510, 510);
/// assert_eq!((w[0].start, w[0].end, w[1].start, w[1].end), (0, 300, 300, 600));
/// // Half-overlapping windows: the second is end-aligned, ownership switches mid-overlap.
/// let w = plan_windows(600, 510, 255);
/// assert_eq!((w[1].start, w[0].own_end), (90, 300));
/// ```
pub fn plan_windows(n_tokens: usize, content_len: usize, stride: usize) -> Vec<Window> {
    if n_tokens == 0 {
        return Vec::new();
    }
    let content_len = content_len.max(1);
    let stride = stride.clamp(1, content_len);
    if n_tokens <= content_len {
        return vec![Window {
            start: 0,
            end: n_tokens,
            own_start: 0,
            own_end: n_tokens,
        }];
    }
    if stride == content_len {
        // No overlap: as few windows as fit, all the same length (±1 token), each owning all
        // of its tokens. An end-aligned last window would run up to a window's worth of
        // tokens twice (a 600-token text: 2 × 510 instead of 2 × 300).
        let k = n_tokens.div_ceil(content_len);
        let (base, extra) = (n_tokens / k, n_tokens % k);
        let mut start = 0;
        return (0..k)
            .map(|i| {
                let end = start + base + usize::from(i < extra);
                let w = Window {
                    start,
                    end,
                    own_start: start,
                    own_end: end,
                };
                start = end;
                w
            })
            .collect();
    }
    let mut starts: Vec<usize> = (0..)
        .map(|i| i * stride)
        .take_while(|&s| s + content_len < n_tokens)
        .collect();
    starts.push(n_tokens - content_len);
    starts.dedup();
    let mut windows: Vec<Window> = starts
        .iter()
        .map(|&s| Window {
            start: s,
            end: s + content_len,
            own_start: 0,
            own_end: 0,
        })
        .collect();
    // Between consecutive windows a and b (a.start < b.start < a.end), token i has context
    // min(i - a.start, a.end - 1 - i) in a and min(i - b.start, b.end - 1 - i) in b; the
    // switch from a to b is the midpoint of the overlap, where the two are equal.
    let mut own_start = 0;
    for i in 0..windows.len() {
        windows[i].own_start = own_start;
        let own_end = match windows.get(i + 1) {
            Some(next) => (next.start + windows[i].end).div_ceil(2),
            None => n_tokens,
        };
        windows[i].own_end = own_end;
        own_start = own_end;
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_partition(ws: &[Window], n: usize, content_len: usize) {
        assert_eq!(ws.first().unwrap().own_start, 0);
        assert_eq!(ws.last().unwrap().own_end, n);
        for w in ws {
            assert!(w.end - w.start <= content_len);
            assert!(w.start <= w.own_start && w.own_start < w.own_end && w.own_end <= w.end);
        }
        for pair in ws.windows(2) {
            assert_eq!(pair[0].own_end, pair[1].own_start);
        }
    }

    #[test]
    fn short_text_is_one_window() {
        let ws = plan_windows(10, 510, 255);
        assert_eq!(
            ws,
            vec![Window {
                start: 0,
                end: 10,
                own_start: 0,
                own_end: 10
            }]
        );
        assert!(plan_windows(0, 510, 255).is_empty());
        assert_eq!(plan_windows(510, 510, 255).len(), 1);
    }

    #[test]
    fn windows_cover_and_own_the_most_central_tokens() {
        for &(n, len, stride) in &[
            (511, 510, 255),
            (1000, 510, 255),
            (1021, 510, 255),
            (5000, 510, 100),
            (37, 8, 3),
            (9, 8, 7),
        ] {
            let ws = plan_windows(n, len, stride);
            check_partition(&ws, n, len);
            assert_eq!(ws.last().unwrap().end, n, "last window is end-aligned");
            // Every token is owned by a window in which its context is maximal.
            for i in 0..n {
                let ctx = |w: &Window| (i - w.start).min(w.end - 1 - i);
                let owner = ws
                    .iter()
                    .find(|w| w.own_start <= i && i < w.own_end)
                    .unwrap();
                let best = ws
                    .iter()
                    .filter(|w| w.start <= i && i < w.end)
                    .map(ctx)
                    .max()
                    .unwrap();
                assert_eq!(ctx(owner), best, "token {i} of {n} ({len}/{stride})");
            }
        }
    }

    #[test]
    fn without_overlap_windows_are_few_and_even() {
        for &(n, len) in &[
            (511, 510),
            (600, 510),
            (1021, 510),
            (5000, 510),
            (37, 8),
            (9, 8),
        ] {
            let ws = plan_windows(n, len, len);
            check_partition(&ws, n, len);
            assert_eq!(ws.len(), n.div_ceil(len), "{n}/{len}");
            let sizes: Vec<usize> = ws.iter().map(|w| w.end - w.start).collect();
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "{n}/{len}: {sizes:?}");
            for w in &ws {
                assert_eq!((w.own_start, w.own_end), (w.start, w.end));
            }
        }
    }

    #[test]
    fn validate_refuses_bad_settings() {
        let ok = WindowConfig::default();
        assert!(ok.validate(512).is_ok());
        assert!(ok.validate(256).is_err());
        assert!(WindowConfig { stride: 0, ..ok }.validate(512).is_err());
        assert!(WindowConfig { stride: 511, ..ok }.validate(512).is_err());
        assert!(WindowConfig {
            max_tokens: 2,
            ..ok
        }
        .validate(512)
        .is_err());
        assert!(WindowConfig {
            batch_size: 0,
            ..ok
        }
        .validate(512)
        .is_err());
    }
}
