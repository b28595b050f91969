"""Case files with absurd amounts, currencies, lists, dates and numbers."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "format": "docket-case", "version": 2,
    "case": {
        "title": "Refund never paid", "company": {"name": "Northwind"}, "currency": "GBP",
        "amount": {"value": "49.99", "currency": "GBP"}, "references": ["ORD-1"],
        "events": [{"at": "2026-03-01T10:00:00+00:00", "kind": "note", "summary": "Asked for the refund",
                    "amount": "49.99", "meaning": "complaint"}],
    },
}


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def refused() -> list[tuple[str, dict[str, Any], str]]:
    """(name, case file, the field path the refusal must name)."""
    jpy = _with(("case", "currency"), "JPY")
    jpy["case"]["amount"] = {"value": "0.001", "currency": "JPY"}
    jpy_event = _with(("case", "currency"), "JPY")
    del jpy_event["case"]["amount"]
    jpy_event["case"]["events"][0]["amount"] = "10.5"
    return [
        ("tiny exponent", _with(("case", "amount"), {"value": "1e-99999999", "currency": "GBP"}), "case.amount.value"),
        ("huge exponent", _with(("case", "amount"), {"value": "1e999999999", "currency": "GBP"}), "case.amount.value"),
        ("space inside", _with(("case", "amount"), {"value": "12 34", "currency": "GBP"}), "case.amount.value"),
        ("negative zero", _with(("case", "amount"), {"value": "-0", "currency": "GBP"}), "case.amount.value"),
        ("negative", _with(("case", "amount"), {"value": "-5.00", "currency": "GBP"}), "case.amount.value"),
        ("19 integer digits", _with(("case", "amount"), {"value": "1" * 19, "currency": "GBP"}), "case.amount.value"),
        ("three decimals in pounds", _with(("case", "amount"), {"value": "1.001", "currency": "GBP"}), "case.amount"),
        ("a tenth of a yen", jpy, "case.amount"),
        ("yen event with decimals", jpy_event, "case.events[0].amount"),
        ("other digits", _with(("case", "amount"), {"value": "١٢٣", "currency": "GBP"}), "case.amount.value"),
        ("event exponent", _with(("case", "events", 0, "amount"), "1E+5"), "case.events[0].amount"),
        ("umlaut currency", _with(("case", "currency"), "ÄÖÜ"), "case.currency"),
        ("greek currency", _with(("case", "currency"), "ΑΒΓ"), "case.currency"),
        ("unknown currency", _with(("case", "currency"), "XYZ"), "case.currency"),
        ("references as an object", _with(("case", "references"), {"a": 1, "b": 2}), "case.references"),
        ("references as text", _with(("case", "references"), "ORD-1"), "case.references"),
        ("year 1", _with(("case", "events", 0, "at"), "0001-01-01T00:00:00+23:59"), "case.events[0].at"),
        ("year 9999", _with(("case", "events", 0, "at"), "9999-12-31T23:59:59-23:59"), "case.events[0].at"),
        ("year 1899", _with(("case", "events", 0, "at"), "1899-12-31"), "case.events[0].at"),
        ("opened in 2201", _with(("case", "opened_on"), "2201-01-01"), "case.opened_on"),
    ]


def accepted() -> list[tuple[str, dict[str, Any]]]:
    """Unusual but real: these import."""
    kwd = _with(("case", "currency"), "KWD")
    kwd["case"]["amount"] = {"value": "12.345", "currency": "KWD"}
    kwd["case"]["events"][0]["amount"] = "1.005"
    jpy = _with(("case", "currency"), "JPY")
    jpy["case"]["amount"] = {"value": "1200", "currency": "JPY"}
    jpy["case"]["events"][0]["amount"] = "1200"
    return [
        ("dinars with three decimals", kwd),
        ("yen without decimals", jpy),
        ("18 integer digits", _with(("case", "amount"), {"value": "9" * 18 + ".99", "currency": "GBP"})),
        ("year 1900 and 2200", _with(("case", "events", 0, "at"), "2200-12-31T23:59:59-12:00")),
    ]
