"""Escalation letters: drafted from a case with a template, kept as drafts, frozen when sent.

Templates are Jinja2 files (``resources/letters/*.j2`` built in, plus the user's own in the
data directory's ``templates`` folder, which add to or override the built-in ones). Each starts
with a header comment naming its id, title, ladder step, jurisdictions, reply days, language and
recipient. Because users write templates, they are rendered in Jinja2's sandbox with
autoescaping; a broken template is reported with its file and line.

A letter is rendered once to HTML (for Qt's text layout: preview, print, PDF); the plain text
for an email is derived from that same HTML. The parts: :mod:`.templates` (finding and
sandboxing templates), :mod:`.draft` (a case's facts turned into what a template sees),
:mod:`.kept` (letters saved, laid out and sent); words per language live in
:mod:`core.documents.wording`.
"""

from core.documents.html_text import html_to_text
from core.documents.letters.draft import (
    EXTRA_FACTS,
    Draft,
    LetterRefused,
    Story,
    default_event_ids,
    draft_letter,
    event_sentence,
    letter_language,
    missing_facts,
    off_weekend,
    read_story,
    reply_deadline,
)
from core.documents.letters.kept import (
    LetterInfo,
    draft_pdf,
    get_letter,
    letter_pdf,
    list_letters,
    mark_as_sent,
    running_footer,
    save_draft,
)
from core.documents.letters.kept import (
    draft_from_kept as draft_from_kept,
)
from core.documents.letters.templates import (
    ANY,
    EU_MEMBERS,
    RECIPIENTS,
    LetterTemplate,
    find_template,
    list_templates,
    template_problems,
    template_titles,
)
from core.documents.wording import (
    KIND_WORDS,
    LANGUAGE_NAMES,
    LANGUAGES,
    NBSP,
    PAGE_LABEL,
    PAYMENT_WORDS,
    SENT_VIA,
    VIA_WORDS,
    WORDS,
    format_date,
    format_minutes,
    format_money,
    format_when,
    greeting_and_sign_off,
)

__all__ = [
    "LetterRefused", "Story", "event_sentence", "letter_language", "missing_facts", "read_story",
    "ANY", "EU_MEMBERS", "EXTRA_FACTS", "KIND_WORDS", "LANGUAGES", "LANGUAGE_NAMES", "NBSP", "PAGE_LABEL",
    "PAYMENT_WORDS", "RECIPIENTS", "SENT_VIA", "VIA_WORDS", "WORDS", "Draft", "LetterInfo", "LetterTemplate",
    "default_event_ids", "draft_letter", "draft_pdf", "find_template", "format_date", "format_minutes",
    "format_money", "format_when", "get_letter", "greeting_and_sign_off", "html_to_text", "letter_pdf",
    "list_letters", "list_templates", "mark_as_sent", "off_weekend", "reply_deadline", "running_footer",
    "save_draft", "template_problems", "template_titles",
]
