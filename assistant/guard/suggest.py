"""Closest real names for a misspelt table or column, for messages a model can act on."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein


def _fold(name: str) -> str:
    """Lower-case, NFKC-normalised form (full-width letters become ASCII)."""
    return unicodedata.normalize("NFKC", name).casefold()


def closest(name: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """Up to ``limit`` candidates closest to ``name``, best first; empty when nothing is close."""
    pool = sorted(set(candidates))
    if not pool:
        return []
    folded = {_fold(candidate): candidate for candidate in pool}
    matches = process.extract(
        _fold(name),
        list(folded),
        scorer=Levenshtein.normalized_similarity,
        limit=limit,
        score_cutoff=0.5,
    )
    return [folded[match] for match, _score, _index in matches]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean a, b?)`` or an empty string."""
    names = closest(name, candidates)
    return f" (did you mean {', '.join(names)}?)" if names else ""
