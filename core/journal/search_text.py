"""What a person typed into the search box, as a safe FTS5 query.

Its own module because both the journal's search (:mod:`core.journal.queries`) and the text
of evidence (:mod:`core.journal.evidence_text`) query FTS5 tables with it.
"""

from __future__ import annotations

import re


def fts_query(user_text: str) -> str | None:
    """Turn what a person typed into a safe FTS5 query: every word must match, as a prefix.

    Quotes and operators in the input are treated as plain text, so any input is valid.
    """
    words = re.findall(r"\w+", user_text, flags=re.UNICODE)
    if not words:
        return None
    # A lone letter as a prefix would expand to half the vocabulary; match it as a word.
    return " AND ".join(f'"{w}"*' if len(w) > 1 else f'"{w}"' for w in words[:20])
