"""A store made by the first Docket release is upgraded when opened, with nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from core.journal import cases, queries
from core.store.migrations import HEAD, alembic_config
from core.store.store import DB_NAME, Store

# Rows as the first schema (revision 0001) stored them, written with plain SQL.
FIRST_RELEASE_ROWS = [
    "INSERT INTO companies VALUES (1, 'Maison Example', '12 rue Exemple\n75001 Paris', 'service@example.fr',"
    " '', '', '[\"ACC-9\"]', '', '2014-11-20 09:00:00.000000')",
    "INSERT INTO cases (id, title, company_id, category, status, outcome, resolved_on, opened_on, currency,"
    " amount, recovered, payment_method, payment_date, \"references\", desired_outcome, impact, jurisdiction,"
    " notes, tags, silence_days, last_activity, created_at, updated_at) VALUES (1, 'Perfume never delivered',"
    " 1, 'non_delivery', 'awaiting_reply', NULL, NULL, '2014-11-20', 'EUR', '129.00', NULL, 'credit_card',"
    " '2014-11-03', '[\"Order PF-88213\"]', 'Refund to my card', '', 'FR', 'Kept the parcel tracking page',"
    " '[\"perfume\"]', 14, NULL, '2014-11-20 09:00:00.000000', '2014-11-20 09:00:00.000000')",
    "INSERT INTO contacts VALUES (1, 1, 'Customer service', 'support', 'Maison Example', '', '', '', '')",
    "INSERT INTO events VALUES (1, 1, '2014-11-03T10:15:00+01:00', '2014-11-03T09:15:00', 'payment',"
    " 'to_company', NULL, 'Paid by card', '', NULL, NULL, '', NULL, '2014-11-20 09:00:00', '2014-11-20 09:00:00')",
    "INSERT INTO events VALUES (2, 1, '2014-12-01', '2014-12-01T00:00:00', 'promise', 'from_company', 1,"
    " 'Refund promised', 'Said the courier lost it', 40, 35, 'TCK-1', '2014-12-15', '2014-12-01 09:00:00',"
    " '2014-12-01 09:00:00')",
    "INSERT INTO evidence VALUES (1, 1, '" + "ab" * 32 + "', 'receipt.pdf', 'application/pdf', 16,"
    " '2014-11-20 09:00:00', '2014-11-03', 'Order confirmation')",
    "INSERT INTO event_evidence VALUES (1, 1)",
]


def make_first_release_store(data_dir: Path) -> Path:
    """A data folder as the first release left it: schema 0001 and real rows."""
    data_dir.mkdir(parents=True)
    db = data_dir / DB_NAME
    cfg, ctx = alembic_config()
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
    finally:
        engine.dispose()
        ctx.__exit__(None, None, None)
    with sqlite3.connect(db) as raw:
        for statement in FIRST_RELEASE_ROWS:
            raw.execute(statement)
    return db


def dump(db: Path, tables: tuple[str, ...], columns: dict[str, list[str]] | None = None
         ) -> dict[str, list[tuple]]:
    """Every row of ``tables``; with ``columns``, only those columns (the ones an older
    revision had), so that columns added later do not count as a change."""
    with sqlite3.connect(db) as raw:
        return {t: raw.execute(f"SELECT {', '.join(columns[t]) if columns else '*'} FROM {t} ORDER BY 1").fetchall()
                for t in tables}


def column_names(db: Path, tables: tuple[str, ...]) -> dict[str, list[str]]:
    with sqlite3.connect(db) as raw:
        return {t: [row[1] for row in raw.execute(f"PRAGMA table_info({t})")] for t in tables}


OLD_TABLES = ("companies", "contacts", "events", "evidence", "event_evidence")


def test_an_old_store_is_backed_up_then_upgraded_with_nothing_lost(data_dir: Path) -> None:
    db = make_first_release_store(data_dir)
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert raw.execute("SELECT last_activity FROM cases").fetchone() == ("2014-12-01T00:00:00",)  # trigger ran
    before = dump(db, OLD_TABLES)
    old_columns = column_names(db, OLD_TABLES)

    cfg, ctx = alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    ctx.__exit__(None, None, None)
    with Store.open(data_dir) as store:
        assert store.revision() == head != "0001"
        # Every old row is still there, column for column, except the events' sort key:
        # revision 0006 orders by the local day and time where each event happened.
        after = dump(db, OLD_TABLES, old_columns)
        key = old_columns["events"].index("sort_key")
        assert [row[key] for row in after["events"]] == ["2014-11-03T10:15:00", "2014-12-01 00:00:00"]
        strip = {"events": [row[:key] + row[key + 1:] for row in before["events"]]}
        assert {**after, "events": [row[:key] + row[key + 1:] for row in after["events"]]} == {**before, **strip}
        # Old events are read for their meaning: the payment is a purchase, the promise a promise.
        with sqlite3.connect(db) as raw:
            assert raw.execute("SELECT kind, meaning FROM events ORDER BY id").fetchall() == [
                ("payment", "purchase"), ("promise", "promise")]
        case = queries.load_case(store, 1)
        assert (case.title, str(case.amount), case.references) == ("Perfume never delivered", "129.00", ["Order PF-88213"])
        assert [e.summary for e in case.events] == ["Paid by card", "Refund promised"]
        assert case.events[1].contact.name == "Customer service"
        assert [x.original_name for x in case.events[0].evidence] == ["receipt.pdf"]
        # The search index was filled from the old rows, not only from new ones.
        for word, expect in [("perfume", {1}), ("tracking", {1}), ("courier", {1}), ("TCK-1", {1}),
                             ("customer", {1}), ("maison", {1})]:
            assert {h.case_id for h in queries.search(store, word)} == expect, word
        # And the upgraded store works as a new one does.
        cases.log_event(store, case_id=1, at="2015-01-05", kind="letter", direction="to_company", summary="Formal complaint")
        assert {h.case_id for h in queries.search(store, "formal complaint")} == {1}

        # A copy at the old revision was taken before anything changed.
        backups = sorted(store.backups_dir.glob("*.sqlite3"))
        assert backups, "no backup before the upgrade"
        with sqlite3.connect(backups[0]) as raw:
            assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert dump(backups[0], OLD_TABLES) == before


def test_a_store_already_at_the_newest_revision_is_opened_without_a_backup(data_dir: Path) -> None:
    Store.open(data_dir).close()
    with Store.open(data_dir) as store:
        assert not store.backups_dir.exists() or not list(store.backups_dir.glob("*.sqlite3"))


def test_a_new_store_is_created_at_the_newest_revision(data_dir: Path) -> None:
    cfg, ctx = alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    ctx.__exit__(None, None, None)
    with Store.open(data_dir) as store:
        assert store.revision() == head
    with sqlite3.connect(data_dir / DB_NAME) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"cases", "events", "contacts", "evidence", "letters", "reminders", "revisions", "search_index"} <= tables


def test_the_recorded_head_is_alembics_newest_revision() -> None:
    """Opening an up-to-date store compares with core.migrations.HEAD instead of loading
    Alembic; a new migration must move HEAD too, or stores would never be upgraded."""
    from importlib.resources import as_file, files

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from core.store.migrations import HEAD

    with as_file(files("core.store") / "migrations") as location:
        cfg = Config()
        cfg.set_main_option("script_location", str(location))
        assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_the_local_order_migration_keeps_the_history_chain_verifiable(data_dir: Path) -> None:
    """A store at 0005 with events logged west and east of UTC and a file: after 0006 (local
    order) the timeline is in local order, and `docket verify` still finds nothing changed
    outside Docket."""
    from core.store.verify import verify

    with Store.open(data_dir) as store:
        case_id = cases.open_case(store, title="Trial subscription", company="StreamCo")
        cases.log_event(store, case_id=case_id, at="2026-10-18", kind="payment", direction="from_company",
                        summary="Charged", meaning="charge", amount="19.99")
        cases.log_event(store, case_id=case_id, at="2026-10-17T19:00:00-08:00", kind="web_form",
                        direction="to_company", summary="Cancelled the trial", meaning="cancellation")
        note = data_dir.parent / "note.txt"
        note.write_text("cancellation confirmation")
        cases.attach_evidence(store, case_id=case_id, path=note)
    # Put the store back as revision 0005 left it: UTC keys, no shareable column.
    with sqlite3.connect(data_dir / DB_NAME) as raw:
        raw.execute("UPDATE events SET sort_key = '2026-10-18T03:00:00' WHERE at LIKE '%-08:00'")
        raw.execute("UPDATE events SET sort_key = '2026-10-18T00:00:00' WHERE at = '2026-10-18'")
        raw.execute("ALTER TABLE evidence DROP COLUMN shareable")
        raw.execute("UPDATE alembic_version SET version_num = '0005'")
        # The chain as 0005 would have written it: rows hashed with their UTC keys.
        from core.store import revisions as history
        for table, entity in (("events", "event"), ("evidence", "evidence")):
            cur = raw.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cur.description]
            for values in cur.fetchall():
                row = dict(zip(names, values, strict=True))
                raw.execute("UPDATE revisions SET changes = json_set(changes, '$.row_sha', ?) "
                            "WHERE id = (SELECT max(id) FROM revisions WHERE entity = ? AND entity_id = ?)",
                            (history.row_digest(entity, row), entity, row["id"]))
        # Rehash the chain so that it is exactly what a real 0005 store holds.
        prev = history.GENESIS
        for rid, at, cid, ent, eid, action, changes in raw.execute(
                "SELECT id, at, case_id, entity, entity_id, action, changes FROM revisions ORDER BY id").fetchall():
            digest = history.revision_hash(id=rid, at=at, case_id=cid, entity=ent, entity_id=eid,
                                           action=action, changes=changes, prev_hash=prev)
            raw.execute("UPDATE revisions SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid))
            prev = digest
    with Store.open(data_dir) as store:
        assert store.revision() == HEAD
        case = queries.load_case(store, case_id)
        assert [e.summary for e in case.events] == ["Cancelled the trial", "Charged"]
        report = verify(store)
        assert report.ok, report.text()
        assert not [f for f in report.findings if "outside Docket" in f.message], report.text()
