//! Python bindings of unspin: the `unspin` module, built with maturin.
//!
//! The point of the module is to run the analysis inside a distributed engine (a Ray Data or
//! PySpark UDF) and get *exactly* what `unspin batch` writes. So nothing here analyses or
//! serialises on its own: a record becomes a report through `unspin_corpus::source`
//! ([`InputRecord::into_article`] then [`analyze_article`], the two halves of `analyze_record`,
//! which batch calls), and a report becomes a Python dict by parsing the same compact
//! `serde_json` text that batch writes as a shard line. Parsing that text with Python's `json`
//! (rather than building dicts field by field) is what makes the floats equal: confidences are
//! `f32`, written as their shortest decimal form, and a direct `f32 -> float` conversion would
//! give `0.7200000286102295` where the JSON line says `0.72`.
//!
//! The code is split in two: [`analyze_records`] is plain Rust (records in, JSON lines or
//! reasons out, on all cores) and is what the Rust tests exercise; the `#[pyfunction]`s only
//! convert Python objects into records and results back.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFloat, PyList, PyMapping, PyString};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ffi::CString;
use std::sync::{Arc, LazyLock, Mutex};
use unspin::{Analyzer, ModelChoice, Technique};
use unspin_corpus::source::{analyze_article, guarded, InputRecord};

/// The analyzers, loaded on first use and kept for the life of the process: loading the
/// embedded models takes a fraction of a second (the ensemble's encoder, a few seconds), far
/// more than analysing a short article, and a UDF is called once per batch. One per `model=` and
/// `aids` setting, since the claim model is only loaded when the aids are on (as
/// `unspin batch --no-aids` does). A failed load is not kept: the next call tries again.
static ANALYZERS: LazyLock<Mutex<HashMap<AnalyzerKey, Loaded>>> = LazyLock::new(Default::default);

/// `model=` as given (`None`: the best installed) and `aids`.
type AnalyzerKey = (Option<String>, bool);

/// A loaded analyzer, and the notes the CLI prints on stderr when it loads: why another model
/// runs than the best one, why the encoder runs slower than setup installs it to.
#[derive(Clone)]
pub struct Loaded {
    pub analyzer: Arc<Analyzer>,
    pub notes: Vec<String>,
}

/// The shared analyzer for a `model=` (`None`: the best installed, as `unspin analyze` picks it)
/// and `aids` setting, loading it the first time. `model` is a `--model` value: a name
/// (`classical`, `ensemble`, ...) or the path of a model file or directory.
pub fn analyzer(model: Option<&str>, aids: bool) -> Result<Loaded, String> {
    let key = (model.map(str::to_string), aids);
    // Held while loading, so that concurrent first calls load once rather than race.
    let mut cache = ANALYZERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(loaded) = cache.get(&key) {
        return Ok(loaded.clone());
    }
    let encoders = unspin::transformer::default_cache_dir();
    let unspin::Loaded {
        detector,
        fallback,
        backend_note,
    } = match model {
        None => unspin::load_best(&encoders).map_err(|e| cannot_load(&e))?,
        Some(name) => {
            let choice: ModelChoice = name.parse()?;
            unspin::load_model(&choice, &encoders).map_err(|e| cannot_load(&e))?
        }
    };
    let analyzer = Analyzer::new(detector, aids).map_err(|e| cannot_load(&e))?;
    let notes = [
        fallback.map(|why| format!("{why} (model= silences this)")),
        backend_note.map(|why| format!("{why} (UNSPIN_BACKEND=candle silences this)")),
    ];
    let loaded = Loaded {
        analyzer: Arc::new(analyzer),
        notes: notes.into_iter().flatten().collect(),
    };
    cache.insert(key, loaded.clone());
    Ok(loaded)
}

fn cannot_load(e: &impl std::fmt::Display) -> String {
    format!("cannot load the unspin model: {e:#}")
}

/// A record that was refused, with its id when the input had a readable one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub id: Option<String>,
    pub reason: String,
}

impl Rejection {
    fn new(id: Option<String>, reason: impl Into<String>) -> Self {
        Rejection {
            id,
            reason: reason.into(),
        }
    }
}

/// What to do with a record that cannot be analysed (the `errors=` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Raise `ValueError` for the first bad item, before anything is analysed.
    Raise,
    /// Put `None` in its place.
    Skip,
    /// Put `{"error": reason, "id"?: id}` in its place.
    Return,
}

impl OnError {
    fn parse(s: &str) -> PyResult<OnError> {
        match s {
            "raise" => Ok(OnError::Raise),
            "skip" => Ok(OnError::Skip),
            "return" => Ok(OnError::Return),
            other => Err(PyValueError::new_err(format!(
                "errors must be \"raise\", \"skip\" or \"return\", not {other:?}"
            ))),
        }
    }
}

/// Analyses records on all cores (rayon's global pool: `RAYON_NUM_THREADS` caps it) and returns,
/// in input order, each report as the compact JSON line `unspin batch` writes for it, or why it
/// was refused.
///
/// With [`OnError::Raise`] the articles are all built first (cheap next to the analysis) and the
/// first refusal comes back as `Err((index, why))`, so a bad item fails the call without waiting
/// for the analysis of the rest.
///
/// Like `unspin batch`, a panic while handling one record costs that record (with batch's
/// message), not the whole call: one odd article must not kill a long distributed job.
pub fn analyze_records(
    analyzer: &Analyzer,
    records: Vec<Result<InputRecord, Rejection>>,
    on_error: OnError,
) -> Result<Vec<Result<String, Rejection>>, (usize, Rejection)> {
    let articles: Vec<_> = records
        .into_par_iter()
        .map(|record| {
            let record = record?;
            let id = record.id.clone();
            guarded(|| record.into_article()).map_err(|e| Rejection::new(Some(id), e.0))
        })
        .collect();
    if on_error == OnError::Raise {
        if let Some((index, Err(first))) = articles.iter().enumerate().find(|(_, a)| a.is_err()) {
            return Err((index, first.clone()));
        }
    }
    Ok(articles
        .into_par_iter()
        .map(|article| {
            let (article, meta) = article?;
            let id = article.id.clone();
            let report = guarded(|| analyze_article(analyzer, article, meta))
                .map_err(|e| Rejection::new(Some(id.clone()), e.0))?;
            // The words of batch's own message, so error files of the two paths compare equal.
            serde_json::to_string(&report)
                .map_err(|e| Rejection::new(Some(id), format!("cannot serialize the report: {e}")))
        })
        .collect())
}

/// A dict item's optional string field. Missing, `None` and a float NaN (how pandas marks a
/// missing value, e.g. in `DataFrame.to_dict("records")`) all mean absent.
fn optional_field(dict: &Bound<'_, PyDict>, key: &str) -> Result<Option<String>, String> {
    let value = match dict.get_item(key) {
        Ok(Some(v)) => v,
        Ok(None) => return Ok(None),
        Err(e) => return Err(format!("cannot read \"{key}\": {e}")),
    };
    if value.is_none() {
        return Ok(None);
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        if f.value().is_nan() {
            return Ok(None);
        }
    }
    if !value.is_instance_of::<PyString>() {
        return Err(format!(
            "\"{key}\" must be a string, not {}",
            type_name(&value)
        ));
    }
    // Fails for strings with lone surrogates, which have no UTF-8 form: the Python analogue of
    // the invalid UTF-8 that batch refuses in a JSONL line.
    value
        .extract::<String>()
        .map(Some)
        .map_err(|e| format!("\"{key}\" is not valid Unicode: {e}"))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// One item of `analyze`: a str is the text of an article whose id is its position; a mapping
/// has the fields of a JSONL record (`id`, `text` | `html`, `source`, `url`, `date`; other keys
/// are ignored, as batch ignores unknown JSON fields). A wrong kind of item is a `TypeError`
/// (a programming mistake, never skipped); a record with bad fields is refused like a bad line.
fn record_from_item(
    py: Python<'_>,
    index: usize,
    item: &Bound<'_, PyAny>,
) -> PyResult<Result<InputRecord, Rejection>> {
    if item.is_instance_of::<PyString>() {
        let id = index.to_string();
        return Ok(match item.extract::<String>() {
            Ok(text) => Ok(InputRecord {
                id,
                text: Some(text),
                ..InputRecord::default()
            }),
            Err(e) => Err(Rejection::new(
                Some(id),
                format!("text is not valid Unicode: {e}"),
            )),
        });
    }
    let dict = if let Ok(d) = item.cast::<PyDict>() {
        d.clone()
    } else if let Ok(m) = item.cast::<PyMapping>() {
        let d = PyDict::new(py);
        d.update(m)?;
        d
    } else {
        return Err(PyTypeError::new_err(format!(
            "item {index}: expected a str or a dict, not {}",
            type_name(item)
        )));
    };
    let id = match dict.get_item("id")? {
        None => return Ok(Err(Rejection::new(None, "no \"id\""))),
        Some(v) if !v.is_instance_of::<PyString>() => {
            return Ok(Err(Rejection::new(
                None,
                format!("\"id\" must be a string, not {}", type_name(&v)),
            )))
        }
        Some(v) => match v.extract::<String>() {
            Ok(id) => id,
            Err(e) => {
                return Ok(Err(Rejection::new(
                    None,
                    format!("\"id\" is not valid Unicode: {e}"),
                )))
            }
        },
    };
    let mut fields =
        ["text", "html", "source", "url", "date"].map(|key| optional_field(&dict, key));
    if let Some(Err(reason)) = fields.iter().find(|f| f.is_err()) {
        return Ok(Err(Rejection::new(Some(id), reason.clone())));
    }
    let mut take = |i: usize| std::mem::replace(&mut fields[i], Ok(None)).unwrap_or_default();
    Ok(Ok(InputRecord {
        text: take(0),
        html: take(1),
        source: take(2),
        url: take(3),
        date: take(4),
        id,
    }))
}

/// One item of `analyze_jsonl`: a JSONL line as bytes (the exact bytes batch reads, so invalid
/// UTF-8 is refused the same way) or str, parsed by the very function batch uses.
fn record_from_line(
    _py: Python<'_>,
    index: usize,
    item: &Bound<'_, PyAny>,
) -> PyResult<Result<InputRecord, Rejection>> {
    let parse =
        |bytes: &[u8]| InputRecord::from_json_line(bytes).map_err(|e| Rejection::new(None, e.0));
    if let Ok(b) = item.cast::<PyBytes>() {
        return Ok(parse(b.as_bytes()));
    }
    if let Ok(b) = item.cast::<PyByteArray>() {
        return Ok(parse(&b.to_vec()));
    }
    if item.is_instance_of::<PyString>() {
        return Ok(match item.extract::<String>() {
            Ok(s) => parse(s.as_bytes()),
            Err(e) => Err(Rejection::new(None, format!("not valid Unicode: {e}"))),
        });
    }
    Err(PyTypeError::new_err(format!(
        "line {index}: expected bytes or str, not {}",
        type_name(item)
    )))
}

/// Turns the item at an index into a record, or a refusal; `Err` is a Python exception (a wrong
/// type of item), raised whatever `errors=` says.
type Convert<'py> =
    fn(Python<'py>, usize, &Bound<'py, PyAny>) -> PyResult<Result<InputRecord, Rejection>>;

/// Reads the items (any iterable), analyses them with the GIL released and builds the results.
fn run<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyAny>,
    model: Option<&str>,
    aids: bool,
    errors: &str,
    as_json: bool,
    convert: Convert<'py>,
) -> PyResult<Bound<'py, PyList>> {
    let on_error = OnError::parse(errors)?;
    if let Some(name) = model {
        // A typo is the caller's ValueError, raised before any item is read.
        name.parse::<ModelChoice>().map_err(PyValueError::new_err)?;
    }
    if items.is_instance_of::<PyString>() || items.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "items must be a list (or other iterable) of items, not a single str or bytes; \
             wrap it in a list",
        ));
    }
    let mut records = Vec::new();
    for (index, item) in items.try_iter()?.enumerate() {
        records.push(convert(py, index, &item?)?);
    }
    let results = py.detach(|| -> Result<_, String> {
        let loaded = analyzer(model, aids)?;
        Ok((
            analyze_records(&loaded.analyzer, records, on_error),
            loaded.notes,
        ))
    });
    let (results, notes) = results.map_err(PyRuntimeError::new_err)?;
    for why in notes {
        // The CLI's stderr notes, as Python warnings: shown once per call site by default, and
        // a caller can turn them into errors or silence them.
        let message = CString::new(format!("unspin: {why}"))
            .unwrap_or_else(|_| c"unspin: not the best model".to_owned());
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 1)?;
    }
    let results = results.map_err(|(index, why)| PyValueError::new_err(describe(index, &why)))?;

    let loads = py.import("json")?.getattr("loads")?;
    let mut out = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        let value = match result {
            Ok(line) if as_json => PyString::new(py, &line).into_any(),
            Ok(line) => loads.call1((line,))?,
            Err(rejection) => match on_error {
                OnError::Raise => return Err(PyValueError::new_err(describe(index, &rejection))),
                OnError::Skip => py.None().into_bound(py),
                OnError::Return => {
                    let d = PyDict::new(py);
                    d.set_item("error", &rejection.reason)?;
                    if let Some(id) = &rejection.id {
                        d.set_item("id", id)?;
                    }
                    d.into_any()
                }
            },
        };
        out.push(value);
    }
    PyList::new(py, out)
}

/// The `ValueError` message: `item 3 (id "x"): empty text`.
fn describe(index: usize, rejection: &Rejection) -> String {
    match &rejection.id {
        Some(id) => format!("item {index} (id {id:?}): {}", rejection.reason),
        None => format!("item {index}: {}", rejection.reason),
    }
}

/// Finds propaganda techniques in articles; returns one report per item, in order.
///
/// items: an iterable of str (each the text of an article; its id is its position, "0", "1",
/// ...) or of dicts shaped like a line of a JSONL corpus: {"id": str, "text": str} or
/// {"id": str, "html": str} (a web page; its main text is extracted and analysed), plus
/// optional "source", "url", "date" strings copied onto the report. Other keys are ignored.
///
/// Each report is a dict equal to json.loads of the line `unspin batch` (or
/// `unspin analyze --format jsonl`) writes for the same input: id, length, detector, spans
/// (start/end in code points, so text[start:end] == span["text"]), claims, quotes, findings.
/// as_json=True returns that line itself (a str) instead, which is cheaper to write out.
///
/// model: None (default) runs the most accurate installed model, as `unspin analyze` does:
/// the ensemble of the classical model and fine-tuned MPNet once `scripts/setup-models.sh` has
/// installed the base encoders, else the classical model with a UserWarning saying why (and a
/// UserWarning when its MPNet runs on candle because setup's int8 encoder is missing). Else
/// one of "classical" (about 100 times faster; `unspin batch`'s default), "minilm", "mpnet",
/// "minilm-frozen", "mpnet-frozen", "ensemble", "ensemble-both" (fine-tuned MiniLM beside
/// MPNet), "ensemble-minilm", or the path of a model file or directory; anything else is a
/// ValueError listing the names.
///
/// aids=False skips the fact-checking aids (claims, quotes, findings stay empty).
///
/// errors: what to do with an item that cannot be analysed (no id, no text, empty text,
/// both text and html, a page without article text, a field that is not a string):
/// "raise" (default) raises ValueError naming the first bad item's index and the reason,
/// before analysing anything; "skip" puts None in its place; "return" puts
/// {"error": reason, "id": id} in its place ("id" only when the item had one). An item that is
/// neither a str nor a dict is always a TypeError.
///
/// The analysis runs on all cores with the GIL released; RAYON_NUM_THREADS (read when the
/// module first analyses) caps the threads. The models load on the first call and stay loaded;
/// analyze([]) loads them without analysing anything (in a UDF's constructor, say).
#[pyfunction]
#[pyo3(signature = (items, *, model = None, aids = true, errors = "raise", as_json = false))]
fn analyze<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyAny>,
    model: Option<&str>,
    aids: bool,
    errors: &str,
    as_json: bool,
) -> PyResult<Bound<'py, PyList>> {
    run(py, items, model, aids, errors, as_json, record_from_item)
}

/// Like analyze, but each item is one line of a JSONL corpus, as bytes (or str), parsed exactly
/// as `unspin batch` parses it: a line that is not valid UTF-8 or not a valid record is refused
/// with batch's own message. This is the function for a distributed job that must give the same
/// results, errors included, as `unspin batch` on the same files. Pass the lines as batch sees
/// them: without their line ending, and leaving out blank lines (which batch skips), and the
/// model batch runs: model="classical" unless batch was given `--model`.
#[pyfunction]
#[pyo3(signature = (lines, *, model = None, aids = true, errors = "raise", as_json = false))]
fn analyze_jsonl<'py>(
    py: Python<'py>,
    lines: &Bound<'py, PyAny>,
    model: Option<&str>,
    aids: bool,
    errors: &str,
    as_json: bool,
) -> PyResult<Bound<'py, PyList>> {
    run(py, lines, model, aids, errors, as_json, record_from_line)
}

/// The names of the 14 propaganda techniques, in the PTC order the models use; a span's
/// "technique" is one of them.
#[pyfunction]
fn techniques() -> Vec<&'static str> {
    Technique::ALL.iter().map(|t| t.name()).collect()
}

/// Finds propaganda techniques in news articles (the unspin library, compiled from Rust).
///
/// analyze(texts_or_records) returns one report dict per article, the same JSON as
/// `unspin batch` writes; analyze_jsonl(lines) reads raw JSONL lines exactly as batch does.
#[pymodule(name = "unspin")]
fn unspin_python(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(techniques, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, text: &str) -> Result<InputRecord, Rejection> {
        Ok(InputRecord {
            id: id.into(),
            text: Some(text.into()),
            ..InputRecord::default()
        })
    }

    #[test]
    fn reports_are_batch_lines_in_input_order() {
        let analyzer = &analyzer(Some("classical"), false).unwrap().analyzer;
        let text = "They are traitors and cowards. We must act now, before it is too late!";
        let out = analyze_records(
            analyzer,
            vec![record("a", text), record("b", "Plain words.")],
            OnError::Skip,
        )
        .unwrap();
        let expected = serde_json::to_string(
            &unspin_corpus::source::analyze_record(analyzer, record("a", text).unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(out[0].as_ref().unwrap(), &expected);
        assert!(out[1].as_ref().unwrap().starts_with("{\"id\":\"b\""));
    }

    #[test]
    fn refusals_keep_their_place_or_come_first_when_raising() {
        let analyzer = &analyzer(Some("classical"), false).unwrap().analyzer;
        let items = || {
            vec![
                record("a", "Fine text."),
                record("b", "   "),
                Err(Rejection::new(None, "not valid UTF-8 (byte 3 of the line)")),
            ]
        };
        let out = analyze_records(analyzer, items(), OnError::Skip).unwrap();
        assert_eq!(out.len(), 3);
        assert!(out[0].is_ok());
        assert_eq!(out[1], Err(Rejection::new(Some("b".into()), "empty text")));
        assert!(out[2].is_err());
        let raised = analyze_records(analyzer, items(), OnError::Raise);
        assert_eq!(
            raised,
            Err((1, Rejection::new(Some("b".into()), "empty text")))
        );
    }

    #[test]
    fn a_model_loads_once_and_a_typo_lists_the_names() {
        let first = analyzer(Some("classical"), false).unwrap();
        let again = analyzer(Some("classical"), false).unwrap();
        assert!(Arc::ptr_eq(&first.analyzer, &again.analyzer));
        assert!(first.notes.is_empty(), "{:?}", first.notes);
        let typo = "clasical".parse::<ModelChoice>().unwrap_err();
        assert!(typo.contains("classical, minilm, mpnet"), "{typo}");
        assert!(analyzer(Some("clasical"), false).is_err());
    }
}
