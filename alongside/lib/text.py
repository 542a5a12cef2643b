"""Small text helpers for sentences built around what people typed."""

from __future__ import annotations

SENTENCE_ENDS = (".", "!", "?", "…")


def end_sentence(text: str) -> str:
    """``text`` with a full stop, unless it already ends a sentence ("Sam R." stays "Sam R.", not "Sam R..")."""
    text = str(text).rstrip()
    return text if not text or text.endswith(SENTENCE_ENDS) else f"{text}."
