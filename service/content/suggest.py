"""„Meinten Sie …?“: the search with each word that occurs nowhere replaced by the closest word of the data.

A word counts as known when it is a word of the data or a part of one (compounds); an unknown word is compared
by difflib's ratio with the words of about its length that share its first letter, and the closest at 0.8 or
more replaces it, spelt as the data spells it. The bounds of the search hold here too: at most MAX_WORDS words,
none longer than LONGEST.
"""

from __future__ import annotations

import difflib

from service.content.search import WORD, Index, fold, words_of

SHORTEST, LONGEST = 4, 40  # a shorter word is too ambiguous to correct, a longer one no word's typo
CLOSENESS = 0.8
LENGTH_SLACK = 2  # letters a correction may add or drop


def known(index: Index, word: str) -> bool:
    return word in index.vocabulary or any(word in other for other in index.vocabulary)


def closest(index: Index, word: str) -> str | None:
    """The data's word closest to `word`, as the data spells it; the more frequent one where two are as close."""
    # A typo rarely hits the first letter: comparing only words that share it keeps this to a few dozen ratios.
    near = [o for o in index.vocabulary if o[:1] == word[:1] and abs(len(o) - len(word)) <= LENGTH_SLACK]
    matcher = difflib.SequenceMatcher(b=word, autojunk=False)
    best: tuple[float, int, str] | None = None
    for other in near:
        matcher.set_seq1(other)
        if matcher.real_quick_ratio() < CLOSENESS or matcher.quick_ratio() < CLOSENESS:
            continue
        ratio = matcher.ratio()
        written, count = index.vocabulary[other]
        if ratio >= CLOSENESS and (best is None or (ratio, count) > best[:2]):
            best = (ratio, count, written)
    return best[2] if best else None


def suggestion(index: Index, query: str) -> str | None:
    """The query with its unknown words corrected, or None where there is nothing to correct."""
    words_of(query)  # the bounds: SearchTooBroad past them
    corrected, changed = [], False
    for written in dict.fromkeys(WORD.findall(query)):
        word = fold(written)
        replacement = None
        if SHORTEST <= len(word) <= LONGEST and not word.isdigit() and not known(index, word):
            replacement = closest(index, word)
        changed = changed or replacement is not None
        corrected.append(replacement or written)
    return " ".join(corrected) if changed else None
