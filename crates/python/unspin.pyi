"""Find propaganda techniques in news articles (type stub of the compiled `unspin` module)."""

from typing import Any, Iterable, Literal, Mapping, Optional, Union, overload

__all__ = ["__version__", "analyze", "analyze_jsonl", "techniques"]

__version__: str

#: One report: ``json.loads`` of the line ``unspin batch`` writes for the same article. Keys:
#: ``id``, ``source``/``url``/``date`` (when the record had them), ``length`` (code points),
#: ``detector``, ``title``/``text`` (for pages extracted from HTML), ``spans`` (each with
#: ``start``, ``end``, ``technique``, ``confidence``, ``text``; offsets in code points),
#: ``claims``, ``quotes``, ``findings``.
_Report = dict[str, Any]

#: What ``errors="return"`` puts in place of an item that could not be analysed:
#: ``{"error": reason}``, plus ``"id"`` when the item had one.
_Rejected = dict[str, str]

#: A text (its id is its position) or a record:
#: ``{"id": str, "text" | "html": str, "source"?: str, "url"?: str, "date"?: str}``.
_Item = Union[str, Mapping[str, Any]]

_ErrorMode = Literal["raise", "skip", "return"]

@overload
def analyze(
    items: Iterable[_Item],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: Literal["raise"] = ...,
    as_json: Literal[False] = ...,
) -> list[_Report]: ...
@overload
def analyze(
    items: Iterable[_Item],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: Literal["skip"],
    as_json: Literal[False] = ...,
) -> list[Optional[_Report]]: ...
@overload
def analyze(
    items: Iterable[_Item],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: Literal["raise"] = ...,
    as_json: Literal[True],
) -> list[str]: ...
@overload
def analyze(
    items: Iterable[_Item],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: _ErrorMode = ...,
    as_json: bool = ...,
) -> list[Any]:
    """Finds propaganda techniques in articles; one report per item, in order.

    items: texts (ids "0", "1", ... by position) or records shaped like a JSONL corpus line.
    model: None runs the most accurate installed model (the classical + fine-tuned MPNet
        ensemble once scripts/setup-models.sh has installed the encoders; else the classical
        model, with a UserWarning saying why); or "classical" (about 100 times faster, batch's
        default), "minilm", "mpnet", "minilm-frozen", "mpnet-frozen", "ensemble",
        "ensemble-both" (fine-tuned MiniLM beside MPNet), "ensemble-minilm", or a model path.
        Anything else is a ValueError.
    aids: False skips the fact-checking aids (claims, quotes, findings stay empty).
    errors: for an item that cannot be analysed, "raise" (ValueError naming the item's index
        and the reason, before anything is analysed), "skip" (None in its place) or "return"
        ({"error": reason, "id"?: id} in its place). A non-str, non-mapping item is a TypeError.
    as_json: return each report as its JSON line (str) rather than a dict.

    Runs on all cores with the GIL released; RAYON_NUM_THREADS caps the threads.
    """

@overload
def analyze_jsonl(
    lines: Iterable[Union[bytes, bytearray, str]],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: Literal["raise"] = ...,
    as_json: Literal[False] = ...,
) -> list[_Report]: ...
@overload
def analyze_jsonl(
    lines: Iterable[Union[bytes, bytearray, str]],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: Literal["skip"],
    as_json: Literal[False] = ...,
) -> list[Optional[_Report]]: ...
@overload
def analyze_jsonl(
    lines: Iterable[Union[bytes, bytearray, str]],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: Literal["raise"] = ...,
    as_json: Literal[True],
) -> list[str]: ...
@overload
def analyze_jsonl(
    lines: Iterable[Union[bytes, bytearray, str]],
    *,
    model: Optional[str] = ...,
    aids: bool = ...,
    errors: _ErrorMode = ...,
    as_json: bool = ...,
) -> list[Any]:
    """Like analyze, but each item is one raw JSONL line (without its line ending), parsed
    exactly as `unspin batch` does (invalid UTF-8 and invalid records are refused with batch's
    own messages). To get batch's reports, pass the model batch ran: model="classical" unless
    batch was given --model."""

def techniques() -> list[str]:
    """The 14 technique names, in PTC order."""
