"""What a person typed into the search box, as a safe FTS5 query.

Its own module because both the journal's search (:mod:`core.journal.queries`) and the text
of evidence (:mod:`core.journal.evidence_text`) query FTS5 tables with it.
"""

from __future__ import annotations

import re
import unicodedata

# A word: letters and digits with any combining marks that did not compose under NFC.
_WORD = re.compile(r"(?:\w|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])+", re.UNICODE)


def fts_words(user_text: str) -> list[list[str]]:
    """The words of what a person typed, each as its forms (one or two; any may match), in
    the tokenizer's folding as far as case goes. A form of two characters or more is matched as
    a prefix, a lone letter as a whole word (see :func:`fts_query`)."""
    # Both sides are normalised: the index's tokenizer (unicode61, remove_diacritics 2) folds
    # case and drops accents whether they are composed or not; here the typed text is composed
    # (NFC) so that "Lefe\u0301vre" stays one word, and a word whose full case folding
    # differs from its lower case ("Straße" -> "strasse") matches either form.
    words = _WORD.findall(unicodedata.normalize("NFC", user_text))
    return [list(dict.fromkeys((word.lower(), word.casefold()))) for word in words[:20]]


def fts_term(form: str) -> str:
    """One form of a word as an FTS5 term: a prefix from two characters on, else a whole word
    (a lone letter as a prefix would expand to half the vocabulary)."""
    return f'"{form}"*' if len(form) > 1 else f'"{form}"'


def fts_query(user_text: str) -> str | None:
    """Turn what a person typed into a safe FTS5 query: every word must match, as a prefix.

    Quotes and operators in the input are treated as plain text, so any input is valid.
    """
    words = fts_words(user_text)
    if not words:
        return None
    terms = []
    for forms in words:
        quoted = [fts_term(w) for w in forms]
        terms.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    return " AND ".join(terms)
