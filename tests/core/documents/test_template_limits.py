"""A user's letter template is a small program: one that loops for ever, writes megabytes or
builds a huge value is stopped with a message naming its file, and every other letter keeps
working."""

from __future__ import annotations

import threading

import pytest

from core.documents import letters
from core.domain.errors import DocketError
from core.journal import cases
from core.store.store import Store

HEADER = "{#\nid: %s\ntitle: Mine\nstep: complaint\nresponse_days: 10\nlanguage: en\n#}\n"


def _user_template(store: Store, name: str, body: str) -> None:
    store.templates_dir.mkdir(parents=True, exist_ok=True)
    (store.templates_dir / name).write_text(HEADER % name.split(".")[0] + body, encoding="utf-8")


@pytest.mark.parametrize(("name", "body", "message"), [
    # Loops that call nothing the sandbox sees: stopped from outside after the time limit.
    ("spin", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "ran longer than 2 seconds"),
    ("still", "{% set r = range(100000)|list %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}",
     "ran longer than 2 seconds"),
    ("flood", "{% for i in range(100000) %}{{ 'x' * 5000 }}{% endfor %}", "output passed 1,000,000 characters"),
    ("balloon", "{% set ns = namespace(s='xxxxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
                "{% endfor %}{{ ns.s|length }}", "too large for a letter"),
])
def test_a_runaway_template_is_stopped_and_named_and_the_others_still_work(
        store: Store, name: str, body: str, message: str) -> None:
    case_id = cases.open_case(store, title="Coat", company="Acme", amount="10.00")
    _user_template(store, f"{name}.en.j2", body)
    threads_before = threading.active_count()
    with pytest.raises(DocketError) as raised:
        letters.draft_letter(store, case_id=case_id, template_id=name)
    text = str(raised.value)
    assert f"{name}.en.j2" in text and message in text, text
    # The render thread has ended: nothing keeps burning the processor.
    assert threading.active_count() <= threads_before
    # Every other letter still drafts.
    assert letters.draft_letter(store, case_id=case_id, template_id="first_complaint").text
    assert name in {t.id for t in letters.list_templates(store)}
