"""Writing a case from the command line: new, log, attach, edit, status, companies, contacts,
reminders. Every bad input is one line on stderr, exit 2, and the store as it was."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.cli import main as cli
from core.domain import clock
from core.journal import intake
from core.store.store import DB_NAME, Store


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str, today: str | None = None) -> tuple[int, str, str]:
    prefix = ["--data-dir", str(data_dir)] + (["--today", today] if today else [])
    try:
        code = cli.main([*prefix, *args])
    except SystemExit as exc:  # argparse's own refusals
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str, today: str | None = None) -> str:
    code, out, err = run(capsys, data_dir, *args, today=today)
    assert code == 0, err
    return out


def dump(data_dir: Path) -> tuple[list[str], list[str]]:
    """Every row of the database and every evidence file: what "unchanged" means."""
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        rows = list(conn.iterdump())
    files = sorted(str(p.relative_to(data_dir)) for p in (data_dir / "evidence").rglob("*") if p.is_file())
    return rows, files


@pytest.fixture
def receipt(tmp_path: Path) -> Path:
    path = tmp_path / "order-confirmation.pdf"
    path.write_bytes(b"%PDF-1.4 order 4711, EUR 129.00, delivery by 10 Nov\n")
    return path


def test_the_perfume_story_from_scratch(data_dir: Path, receipt: Path, tmp_path: Path, capsys) -> None:
    """Perfume from a Paris shop, EUR 129 on 3 Nov 2026 by Visa credit card, due 10 Nov, never
    arrived; a refund promised by 15 Dec and never paid; two chasers."""
    case = ok(capsys, data_dir, "new", "--title", "Perfume never arrived", "--company", "Maison Parfum Paris",
              "--kind", "trader", "--category", "non_delivery", "--purchase", "goods", "--amount", "129.00",
              "--currency", "EUR", "--paid-by", "card:credit", "--card-scheme", "visa", "--paid-on", "2026-11-03",
              "--expected-by", "2026-11-10", "--jurisdiction", "FR", "--opened-on", "2026-11-12",
              "--reference", "4711").strip()
    assert case.isdigit()
    bought = ok(capsys, data_dir, "log", case, "--kind", "payment", "--direction", "to", "--at", "2026-11-03",
                "--summary", "Ordered the perfume", "--amount", "129.00", "--evidence", str(receipt)).strip()
    complaint = ok(capsys, data_dir, "log", case, "--kind", "email", "--direction", "to", "--at", "2026-11-12",
                   "--summary", "The parcel has not arrived: please refund me").strip()
    desk = ok(capsys, data_dir, "contact", "add", case, "--name", "Service client", "--email", "sav@example.fr").strip()
    ok(capsys, data_dir, "log", case, "--kind", "email", "--direction", "from", "--at", "2026-11-14",
       "--summary", "Refund to your card within a month", "--meaning", "promise", "--promised-by", "2026-12-15",
       "--contact", desk)
    ok(capsys, data_dir, "log", case, "--kind", "email", "--direction", "to", "--at", "2026-12-20",
       "--summary", "Where is the refund you promised?")
    ok(capsys, data_dir, "log", case, "--kind", "call", "--direction", "to", "--at", "2027-01-05T10:00:00+01:00",
       "--summary", "Called again about the refund", "--duration", "1h5m", "--waited", "40m")
    screenshot = tmp_path / "tracking.png"
    screenshot.write_bytes(b"\x89PNG tracking page: no parcel")
    (evidence,) = ok(capsys, data_dir, "attach", case, str(screenshot), "--event", complaint,
                     "--description", "Tracking page", "--captured-on", "2026-11-12").split()

    shown = json.loads(ok(capsys, data_dir, "show", case, "--json"))
    assert [(e["kind"], e["direction"]) for e in shown["events"]] == [
        ("payment", "to_company"), ("email", "to_company"), ("email", "from_company"),
        ("email", "to_company"), ("call", "to_company")]
    assert shown["events"][0]["evidence"] and shown["events"][1]["evidence"] == [int(evidence)]

    step = json.loads(ok(capsys, data_dir, "next", case, "--json", today="2027-02-10"))
    assert step["current_step"] == "chaser"
    # The lapsed promise is the most urgent fact: the step names it and how late it is.
    assert (step["step"], step["template_id"]) == ("formal_complaint", "formal_complaint")
    assert step["promise"]["promised_by"] == "2026-12-15" and step["promise"]["days_late"] == 57
    assert step["reason"].startswith("They promised by 15 Dec 2026")
    # The card chargeback runs 120 days from the expected delivery (10 Nov), not the payment.
    chargeback = next(c for c in step["rules"] if c["rule_id"] == "generic.card_chargeback")
    assert chargeback["deadline"] == "2027-03-10"
    due = json.loads(ok(capsys, data_dir, "due", "--case", case, "--json", today="2027-02-10"))
    assert any(i["kind"] == "promise" and i["due"] == "2026-12-15" and i["overdue"] for i in due)

    ok(capsys, data_dir, "status", case, "resolved", "--outcome", "won", "--recovered", "129.00", "--on", "2027-02-20")
    whole = json.loads(ok(capsys, data_dir, "edit", case, "--notes", "Refunded after the chargeback", "--json"))
    assert (whole["status"], whole["outcome"], whole["recovered"], whole["resolved_on"]) == (
        "resolved", "won", {"value": "129.00", "currency": "EUR"}, "2027-02-20")
    assert (whole["payment_method"], whole["card_scheme"], whole["purchase"], whole["expected_by"]) == (
        "credit_card", "visa", "goods", "2026-11-10")
    assert whole["company"]["kind"] == "trader" and whole["references"] == ["4711"]
    meanings = [e["meaning"] for e in whole["events"]]
    assert meanings == ["purchase", "complaint", "promise", "complaint", "complaint"]
    assert whole["events"][4]["duration_minutes"] == 65 and whole["events"][4]["waiting_minutes"] == 40
    assert bought in {str(e["id"]) for e in whole["events"]}


def test_new_prints_the_id_or_the_whole_case(data_dir: Path, capsys) -> None:
    first = ok(capsys, data_dir, "new", "--title", "Gym still billing", "--company", "FitCo").strip()
    whole = json.loads(ok(capsys, data_dir, "new", "--title", "Second", "--company", "fitco", "--kind", "club",
                          "--amount", "30", "--json"))
    assert first == "1" and whole["id"] == 2
    # The company is found by name, and a kind it lacked is filled in.
    assert whole["company"] == {"id": 1, "name": "FitCo", "kind": "club"}
    # Currency and jurisdiction come from the settings when not given.
    assert whole["currency"] == "GBP" and whole["jurisdiction"] == "GB"


def test_new_ask_answers_the_guided_questions_from_standard_input(data_dir: Path, capsys, monkeypatch) -> None:
    answers = "\n".join([
        "1",                      # paid and nothing arrived
        "Maison Parfum Paris", "1",  # a shop
        "1", "2026-11-03", "129.00", "EUR", "1", "1",  # goods, paid on, amount, currency, credit card, Visa
        "2026-11-10",              # due to arrive
        "Refund to my card", "2026-11-14", "2026-12-15",
        "2", "2026-11-12", "",    # emailed
        "",                        # nothing else
        "1", "",                  # a refund, of the price
        str([r.value for r in intake.WHERE].index("FR") + 1),  # France
        "y",
    ]) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code, out, err = run(capsys, data_dir, "new", "--ask", "--json", today="2026-11-20")
    assert code == 0, err
    case = json.loads(out)
    assert case["title"] == "Paid Maison Parfum Paris, nothing arrived"
    assert (case["category"], case["payment_method"], case["card_scheme"], case["jurisdiction"]) == (
        "non_delivery", "credit_card", "visa", "FR")
    assert [(e["kind"], e["meaning"]) for e in case["events"]] == [
        ("payment", "purchase"), ("email", "complaint"), ("promise", "promise")]
    assert case["desired_outcome"] == "A refund of EUR 129.00."
    # The questions and what Docket understands went to stderr, not into the output.
    assert "What happened?" in err and "not legal advice" in err
    # The chargeback window runs from the day it was due, and the card schemes' rules say they were
    # not read at the source.
    assert "Card chargeback window: closes on 10 Mar 2027 (120 days after the date the goods or service were due" \
        in err
    assert "(source: https://usa.visa.com/" in err and "not yet confirmed at the source" in err


def test_a_region_is_given_as_the_rules_know_it_and_a_typo_names_the_regions(data_dir: Path, capsys) -> None:
    scottish = json.loads(ok(capsys, data_dir, "new", "--title", "Sofa never came", "--jurisdiction", "gb-sct",
                             "--json"))
    assert scottish["jurisdiction"] == "GB-SCT"
    ok(capsys, data_dir, "edit", str(scottish["id"]), "--jurisdiction", "CA-QC")
    assert json.loads(ok(capsys, data_dir, "show", str(scottish["id"]), "--json"))["jurisdiction"] == "CA-QC"
    code, out, err = run(capsys, data_dir, "edit", str(scottish["id"]), "--jurisdiction", "GB-SC")
    assert code == 2 and out == ""
    assert err.strip().endswith("--jurisdiction: unknown region 'GB-SC'; for United Kingdom Docket knows "
                                "GB-ENG, GB-NIR, GB-SCT, GB-WLS")
    assert json.loads(ok(capsys, data_dir, "show", str(scottish["id"]), "--json"))["jurisdiction"] == "CA-QC"


def test_new_ask_asks_the_country_then_the_part_of_it(data_dir: Path, capsys, monkeypatch) -> None:
    where = [r.value for r in intake.WHERE]
    parts = [r.value for r in intake.regions_of("GB")]
    answers = "\n".join([
        "9", "Harbour Sofas", "1",  # something else, a shop
        "", "", "", "", "", "", "",  # what was bought, paid on, amount, currency, how, due, arrived
        "",                        # no promise
        "",                        # nothing done yet
        "",                        # nothing wanted
        str(where.index("GB") + 1), str(parts.index("GB-SCT") + 1),
        "y",
    ]) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code, out, err = run(capsys, data_dir, "new", "--ask", "--json", today="2026-11-20")
    assert code == 0, err
    assert json.loads(out)["jurisdiction"] == "GB-SCT"
    assert "Which part?" in err and "Scotland" in err


def test_new_and_edit_say_which_clocks_the_bank_and_the_card_unlock(data_dir: Path, capsys) -> None:
    code, out, err = run(capsys, data_dir, "new", "--title", "Charged twice", "--company", "Barclays",
                         "--kind", "bank", "--category", "billing_error", "--amount", "20", "--currency", "GBP",
                         "--paid-on", "2026-09-01", "--jurisdiction", "GB-ENG", today="2026-11-20")
    assert code == 0 and out == "1\n"  # stdout carries only the id
    assert "Because Barclays is a bank or card issuer: Financial Ombudsman (from your first message" in err
    assert "Add how you paid to see: Card chargeback window" in err and "not legal advice" in err
    code, out, err = run(capsys, data_dir, "edit", "1", "--paid-by", "card:credit", today="2026-11-20")
    assert code == 0 and out == "Case 1 changed.\n"
    assert "Card chargeback window: closes on 30 Dec 2026 (120 days after the payment on 1 Sep 2026)" in err
    assert "Because you paid by credit card: Card chargeback window" in err
    assert "Add how you paid" not in err
    # The words are the core's, as the window shows them.
    clock.set_today("2026-11-20")
    try:
        with Store.open(data_dir) as store:
            assert err.splitlines() == intake.outlook_lines(intake.outlook(store, 1))
    finally:
        clock.set_today(None)


def test_new_ask_shows_the_same_preview_as_the_window(data_dir: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    typed = "\n".join([
        "6", "Barclays", "2",       # a wrong bill, from a bank
        "", "2026-09-01", "20", "GBP", "1", "1",  # paid on, amount, currency, credit card, Visa
        "",                         # no due date
        "",                         # nothing arrived or was done
        "",                         # no promise
        "2", "2026-09-10", "", "",  # emailed once
        "",                         # nothing wanted
        str([r.value for r in intake.WHERE].index("GB") + 1), str([r.value for r in intake.regions_of("GB")].index(
            "GB-ENG") + 1),
        "y",
    ]) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    code, out, err = run(capsys, data_dir, "new", "--ask", today="2026-11-20")
    assert code == 0, err
    answers = intake.Answers(situation="wrong_bill", company="Barclays", company_kind="bank", paid_on="2026-09-01",
                             amount="20", currency="GBP", paid_by="card:credit", card_scheme="visa",
                             done=[intake.DoneEntry("emailed", "2026-09-10")], jurisdiction="GB-ENG")
    clock.set_today("2026-11-20")
    try:
        with Store.open(tmp_path / "elsewhere") as other:
            seen = intake.preview(other, answers=answers)
    finally:
        clock.set_today(None)
    shown = intake.outlook_lines(seen)
    assert "\n".join(shown) in err  # every line, in the window's order
    assert any(line.startswith("  Financial Ombudsman: you may refer the complaint now") for line in shown)
    assert "  Because you paid by credit card (Visa): Card chargeback window, Financial Ombudsman" in "\n".join(shown)


def test_new_ask_writes_nothing_when_the_user_says_no(data_dir: Path, capsys, monkeypatch) -> None:
    ok(capsys, data_dir, "cases")
    before = dump(data_dir)
    # Skip the rest (the last two: the country, then which part of the United Kingdom), then no.
    monkeypatch.setattr("sys.stdin", io.StringIO("5\nAcme\n" + "\n" * 13 + "n\n"))
    code, out, err = run(capsys, data_dir, "new", "--ask")
    assert code == 1 and out == "" and "Nothing was written." in err
    assert dump(data_dir) == before


def test_companies_contacts_and_reminders(data_dir: Path, capsys) -> None:
    case = ok(capsys, data_dir, "new", "--title", "Broadband down", "--company", "NetCo").strip()
    company = json.loads(ok(capsys, data_dir, "company", "list", "--json"))[0]
    assert (company["name"], company["cases"], company["open_cases"]) == ("NetCo", 1, 1)
    edited = json.loads(ok(capsys, data_dir, "company", "edit", str(company["id"]), "--kind", "telecoms",
                           "--account-number", "AC-1", "--json"))
    assert edited["kind"] == "telecoms" and edited["account_numbers"] == ["AC-1"]
    assert "Broadband down" in ok(capsys, data_dir, "company", "show", str(company["id"]))

    contact = ok(capsys, data_dir, "contact", "add", case, "--name", "Ms Reed", "--role", "Complaints").strip()
    ok(capsys, data_dir, "contact", "edit", contact, "--phone", "0800 000")
    (listed,) = json.loads(ok(capsys, data_dir, "contact", "list", case, "--json"))
    assert (listed["name"], listed["role"], listed["phone"]) == ("Ms Reed", "Complaints", "0800 000")

    ref = ok(capsys, data_dir, "remind", case, "--on", "2026-12-01", "--note", "Call back", today="2026-11-20").strip()
    assert ref.startswith(f"{case}:user:")
    ok(capsys, data_dir, "snooze", ref, "--until", "2026-12-05", today="2026-11-20")
    due = json.loads(ok(capsys, data_dir, "due", "--json", "--history", today="2026-11-20"))
    assert [(i["reminder"], i["state"], i["due"]) for i in due] == [(ref, "snoozed", "2026-12-05")]
    assert f"[{ref}]" in ok(capsys, data_dir, "due", "--history", today="2026-11-20")
    ok(capsys, data_dir, "done", ref, today="2026-11-20")
    assert json.loads(ok(capsys, data_dir, "due", "--json", today="2026-11-20")) == []

    event = ok(capsys, data_dir, "log", case, "--kind", "call", "--direction", "to", "--summary", "Reported the fault",
               today="2026-11-20").strip()
    changed = json.loads(ok(capsys, data_dir, "edit-event", event, "--at", "2026-11-19", "--duration", "25", "--json"))
    assert (changed["at"], changed["duration_minutes"], changed["meaning"]) == ("2026-11-19", 25, "complaint")


BAD_INPUTS = [
    ("new", "--company", "Acme"),  # no title
    ("new", "--title", "X", "--amount", "12,5O"),
    ("new", "--title", "X", "--paid-by", "cheque"),
    ("new", "--title", "X", "--paid-on", "03/11/2026"),
    ("new", "--title", "X", "--kind", "bank"),  # a kind with no company
    ("new", "--title", "X", "--currency", "EURO"),
    ("new", "--title", "X", "--expected-by", "soon"),
    ("new", "--ask", "--title", "X"),
    ("log", "1", "--kind", "call", "--summary", "x", "--at", "yesterday"),
    ("log", "1", "--kind", "call", "--summary", "x", "--duration", "ten minutes"),
    ("log", "1", "--kind", "call", "--summary", "x", "--evidence", "/nonexistent/receipt.pdf"),
    ("log", "1", "--kind", "call", "--summary", "x", "--contact", "99"),
    ("log", "99", "--kind", "call", "--summary", "x"),
    ("log", "1", "--kind", "fax", "--summary", "x"),
    ("log", "1", "--kind", "call", "--summary", "   "),
    ("attach", "1", "/nonexistent/photo.jpg"),
    ("attach", "1", "{receipt}", "--event", "99"),
    ("attach", "99", "{receipt}"),
    ("attach", "1", "{receipt}", "--captured-on", "last week"),
    ("edit", "1"),
    ("edit", "1", "--amount", "-5"),
    ("edit", "1", "--jurisdiction", "France!"),
    ("edit", "1", "--jurisdiction", "GB-SCOT"),
    ("new", "--title", "X", "--jurisdiction", "GB-XX"),
    ("edit", "99", "--title", "X"),
    ("edit", "1", "--silence-days", "0"),
    ("edit-event", "1"),
    ("edit-event", "1", "--promised-by", "soon"),
    ("edit-event", "99", "--summary", "x"),
    ("status", "1", "open", "--outcome", "won"),
    ("status", "1", "finished"),
    ("status", "1", "resolved", "--recovered", "lots"),
    ("status", "99", "resolved"),
    ("company", "show", "99"),
    ("company", "edit", "1"),
    ("company", "edit", "1", "--name", ""),
    ("company", "edit", "1", "--kind", "shop"),
    ("company", "frobnicate"),
    ("contact", "add", "1"),
    ("contact", "add", "99", "--name", "X"),
    ("contact", "edit", "99", "--name", "X"),
    ("contact", "edit", "1"),
    ("contact", "list", "99"),
    ("remind", "1", "--on", "tomorrow", "--note", "x"),
    ("remind", "1", "--on", "2026-12-01", "--note", " "),
    ("remind", "99", "--on", "2026-12-01", "--note", "x"),
    ("snooze", "1:user:99", "--until", "2026-12-09"),
    ("snooze", "{reminder}", "--until", "2026-11-01"),
    ("done", "user:1"),
    ("dismiss", "1:nothing"),
]


@pytest.fixture(scope="module")
def _small_story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A case with a message, a contact and a reminder, made once through the commands; each
    test below refuses a bad input on a copy of it."""
    folder = tmp_path_factory.mktemp("story") / "docket-data"
    steps = [("new", "--title", "Perfume", "--company", "Maison"),
             ("log", "1", "--kind", "email", "--direction", "to", "--summary", "Where is it?", "--at", "2026-11-12"),
             ("contact", "add", "1", "--name", "Desk")]
    for step in steps:
        assert cli.main(["--data-dir", str(folder), *step]) == 0
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert cli.main(["--data-dir", str(folder), "--today", "2026-11-20",
                         "remind", "1", "--on", "2026-12-01", "--note", "Call"]) == 0
    return folder, said.getvalue().strip()


@pytest.mark.parametrize("args", BAD_INPUTS, ids=[" ".join(a) for a in BAD_INPUTS])
def test_a_bad_input_is_one_line_exit_2_and_the_store_unchanged(
        data_dir: Path, receipt: Path, capsys, args: tuple[str, ...], _small_story: tuple[Path, str]) -> None:
    story, reminder = _small_story
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(story, data_dir)
    capsys.readouterr()
    before = dump(data_dir)
    filled = [a.replace("{receipt}", str(receipt)).replace("{reminder}", reminder) for a in args]
    code, out, err = run(capsys, data_dir, *filled, today="2026-11-20")
    assert code == 2
    assert out == ""
    assert err.startswith("docket: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert dump(data_dir) == before


def test_a_bad_file_among_several_keeps_none_of_them(data_dir: Path, receipt: Path, tmp_path: Path, capsys) -> None:
    ok(capsys, data_dir, "new", "--title", "Perfume")
    before = dump(data_dir)
    code, _, err = run(capsys, data_dir, "attach", "1", str(receipt), str(tmp_path / "missing.png"))
    assert code == 2 and "missing.png" in err
    assert dump(data_dir) == before
