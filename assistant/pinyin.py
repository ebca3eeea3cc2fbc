"""Pinyin of Chinese text, for names people type in Latin letters (beijing, zhang wei).

pypinyin is imported on first use, deliberately: loading its phrase dictionary takes
longer than answering a question, and only a question with Latin letters in it can
match a name spelled in pinyin (see :meth:`assistant.gazetteer.Gazetteer.tag`).
"""

from __future__ import annotations


def pinyin(text: str) -> list[str]:
    """The syllables of ``text`` without tones (北京 -> ["bei", "jing"]; 重庆 -> chong qing)."""
    from pypinyin import lazy_pinyin

    return list(lazy_pinyin(text))


def spelled(text: str) -> str:
    """``text`` in pinyin as one word (北京 -> beijing)."""
    return "".join(pinyin(text))
