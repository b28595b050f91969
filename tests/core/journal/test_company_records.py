"""The Companies view's track record: cases, open cases and average days to reply."""

from __future__ import annotations

from core.journal import cases, queries


def test_a_company_that_took_four_then_two_days_to_reply_averages_three(store) -> None:
    gym = cases.open_case(store, title="Membership still invoiced", company="FitLife Gyms")
    cases.log_event(store, case_id=gym, at="2026-01-05T09:00:00+00:00", kind="letter",
                    direction="to_company", summary="Cancellation by recorded letter")
    cases.log_event(store, case_id=gym, at="2026-01-09T09:00:00+00:00", kind="response",
                    direction="from_company", summary="Reply: we need 30 days notice")
    # A second message in another case against the same company, answered in two days.
    fee = cases.open_case(store, title="Joining fee charged twice", company="fitlife gyms")
    cases.log_event(store, case_id=fee, at="2026-02-01", kind="email", direction="to_company",
                    summary="Asked for the duplicate fee back")
    cases.log_event(store, case_id=fee, at="2026-02-03", kind="email", direction="from_company",
                    summary="Refund agreed")
    cases.change_status(store, case_id=fee, status="resolved", outcome="won")
    # A note to self and an unanswered chaser do not count as replies or waits.
    cases.log_event(store, case_id=gym, at="2026-01-10", kind="note", direction="internal", summary="Checked bank")
    cases.log_event(store, case_id=gym, at="2026-03-01", kind="email", direction="to_company", summary="Chaser")

    other = cases.open_case(store, title="Parcel lost", company="Parcels Ltd")
    assert other

    records = {r.name: r for r in queries.company_records(store)}
    gym_record = records["FitLife Gyms"]
    assert (gym_record.cases, gym_record.open_cases, gym_record.avg_days_to_reply) == (2, 1, 3.0)
    parcels = records["Parcels Ltd"]
    assert (parcels.cases, parcels.open_cases, parcels.avg_days_to_reply) == (1, 1, None)
