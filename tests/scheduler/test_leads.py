"""Leads: validation in plain words, repeat requests merged within the window, first touch kept, statuses stamped."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from scheduler.attribution import Attribution, attribute
from scheduler.lead_settings import save_lead_form_settings
from scheduler.leads import LeadError, message_history, set_status, status_counts, submit_lead
from scheduler.models import AuditEvent, Integration, Lead, LeadStatus
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
CONSENT = "I agree that ACME stores my details to answer my request."


def _submit(session: Session, **values: Any) -> Lead:
    fields: dict[str, Any] = {"name": "Maria Huber", "company": "Huber GmbH", "email": "Maria.Huber@Example.com ",
                              "message": "Please call me.", "consent_text": CONSENT, "attribution": Attribution(),
                              "now": NOW}
    return submit_lead(session, **{**fields, **values})


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count(Lead.id))) or 0)


def test_a_new_request_becomes_a_new_lead_with_its_consent_and_key(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        lead = _submit(session)
        assert (lead.name, lead.company, lead.email, lead.email_key) == (
            "Maria Huber", "Huber GmbH", "Maria.Huber@example.com", "maria.huber@example.com")
        assert (lead.status, lead.submissions, lead.last_submitted_at) == (LeadStatus.NEW, 1, NOW)
        assert (lead.consent_text, lead.consented_at, lead.source) == (CONSENT, NOW, "form")


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"name": "  "}, "name_missing", "name"),
    ({"name": "x" * 201}, "name_too_long", "name"),
    ({"company": "x" * 201}, "company_too_long", "company"),
    ({"email": ""}, "email_missing", "email"),
    ({"email": "maria@"}, "email_invalid", "email"),
    ({"email": "maria huber@example.com"}, "email_invalid", "email"),
    ({"message": "x" * 5001}, "message_too_long", "message"),
    ({"consent_text": " "}, "no_consent", "consent"),
])
def test_bad_input_is_refused_in_plain_words_and_nothing_is_stored(
        sessions: sessionmaker[Session], values: dict[str, str], code: str, field: str) -> None:
    with sessions.begin() as session:
        with pytest.raises(LeadError) as caught:
            _submit(session, **values)
        assert (caught.value.code, caught.value.field) == (code, field)
        assert caught.value.message
        assert _count(session) == 0


def test_a_crm_lead_needs_no_consent_of_ours(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        lead = _submit(session, consent_text="", source="webhook:CRM")
        assert (lead.consent_text, lead.consented_at) == ("", None)


def test_a_repeat_request_within_the_window_is_merged_not_counted_twice(sessions: sessionmaker[Session]) -> None:
    later = NOW + timedelta(days=29, hours=23)
    with sessions.begin() as session:
        first = _submit(session)
        again = _submit(session, email=" maria.huber@EXAMPLE.com", message="Still interested.", now=later,
                        company="Other AG")
        assert again.id == first.id
        assert _count(session) == 1
        assert (again.submissions, again.last_submitted_at, again.created_at) == (2, later, NOW)
        assert again.company == "Huber GmbH"  # the first request's values stay
        assert [(m.at, m.text) for m in message_history(again)] == [
            (NOW, "Please call me."), (later.replace(second=0), "Still interested.")]


def test_the_window_runs_from_the_latest_request(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = _submit(session)
        _submit(session, now=NOW + timedelta(days=20))
        third = _submit(session, now=NOW + timedelta(days=45))
        assert third.id == first.id and third.submissions == 3


def test_a_request_after_the_window_is_a_new_lead(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = _submit(session)
        later = _submit(session, now=NOW + timedelta(days=30, minutes=1))
        assert later.id != first.id and later.submissions == 1
        assert _count(session) == 2


def test_the_company_setting_changes_the_window(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        save_lead_form_settings(session, frame_ancestors="", merge_window_days=7, consent_texts={}, user_id=None,
                                now=NOW)
        first = _submit(session)
        assert _submit(session, now=NOW + timedelta(days=6)).id == first.id
        assert _submit(session, now=NOW + timedelta(days=14)).id != first.id


def test_an_anonymised_lead_is_never_merged_into(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first = _submit(session)
        first.anonymized_at = NOW
        assert _submit(session, now=NOW + timedelta(days=1)).id != first.id


def test_a_lead_is_attributed_by_its_utm_values(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN))
        attribution = attribute(session, {"utm_source": "linkedin", "utm_medium": "social",
                                          "utm_campaign": "herbst", "utm_content": f"d{delivery.id}"})
        lead = _submit(session, attribution=attribution)
        assert (lead.delivery_id, lead.channel_id) == (delivery.id, delivery.channel_id)
        assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("linkedin", "social", "herbst")


def test_a_merge_keeps_the_first_touch_and_fills_it_only_when_empty(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        first_post = make_delivery(session)
        second_post = make_delivery(session)
        plain = _submit(session)
        filled = _submit(session, now=NOW + timedelta(days=1), attribution=attribute(
            session, {"utm_content": f"d{first_post.id}", "utm_campaign": "erst"}))
        assert filled.id == plain.id and filled.delivery_id == first_post.id  # empty, so filled
        kept = _submit(session, now=NOW + timedelta(days=2), attribution=attribute(
            session, {"utm_content": f"d{second_post.id}", "utm_campaign": "zweit"}))
        assert (kept.delivery_id, kept.utm_campaign) == (first_post.id, "erst")


def test_a_merge_fills_a_missing_company_and_consent(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        crm = _submit(session, company="", consent_text="", source="webhook:CRM")
        merged = _submit(session, now=NOW + timedelta(hours=1))
        assert merged.id == crm.id
        assert (merged.company, merged.consent_text, merged.consented_at) == ("Huber GmbH", CONSENT,
                                                                              NOW + timedelta(hours=1))


def test_a_crm_record_finds_its_own_lead_and_a_second_record_stays_apart(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        crm = Integration(name="CRM", kind="crm", secret="sealed")
        session.add(crm)
        session.flush()
        form_lead = _submit(session)
        linked = _submit(session, source="webhook:CRM", integration_id=crm.id, external_id="c-1",
                         now=NOW + timedelta(days=1))
        assert linked.id == form_lead.id and (linked.integration_id, linked.external_id) == (crm.id, "c-1")
        other = _submit(session, source="webhook:CRM", integration_id=crm.id, external_id="c-2",
                        now=NOW + timedelta(days=2))
        assert other.id != form_lead.id
        # Its own record id finds it even after the merge window.
        assert _submit(session, source="webhook:CRM", integration_id=crm.id, external_id="c-1",
                       now=NOW + timedelta(days=90)).id == form_lead.id


def test_a_status_change_stamps_the_status_and_those_before_it_and_is_audited(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        lead = _submit(session)
        later = NOW + timedelta(days=3)
        set_status(session, lead.id, LeadStatus.OPPORTUNITY, now=later, user_id=None)
        assert (lead.status, lead.qualified_at, lead.opportunity_at, lead.customer_at) == (
            LeadStatus.OPPORTUNITY, later, later, None)
        events = session.scalars(select(AuditEvent).where(AuditEvent.subject == f"lead:{lead.id}")).all()
        assert [(e.action, e.detail) for e in events] == [("lead.status", "new -> opportunity")]


def test_moving_back_clears_later_stamps_and_junk_keeps_the_funnel(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        lead = _submit(session)
        set_status(session, lead.id, LeadStatus.CUSTOMER, now=NOW, user_id=None)
        set_status(session, lead.id, LeadStatus.QUALIFIED, now=NOW + timedelta(days=1), user_id=None)
        assert (lead.qualified_at, lead.opportunity_at, lead.customer_at) == (NOW, None, None)
        set_status(session, lead.id, LeadStatus.JUNK, now=NOW + timedelta(days=2), user_id=None)
        assert (lead.status, lead.qualified_at, lead.junk_at) == (LeadStatus.JUNK, NOW, NOW + timedelta(days=2))
        set_status(session, lead.id, LeadStatus.QUALIFIED, now=NOW + timedelta(days=3), user_id=None)
        assert (lead.junk_at, lead.qualified_at) == (None, NOW)


def test_the_same_status_again_changes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        lead = _submit(session)
        set_status(session, lead.id, LeadStatus.NEW, now=NOW, user_id=None)
        assert session.scalar(select(func.count(AuditEvent.id))) == 0


def test_an_unknown_or_anonymised_lead_cannot_change(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        with pytest.raises(LeadError) as missing:
            set_status(session, 999, LeadStatus.QUALIFIED, now=NOW, user_id=None)
        lead = _submit(session)
        lead.anonymized_at = NOW
        with pytest.raises(LeadError) as anonymised:
            set_status(session, lead.id, LeadStatus.QUALIFIED, now=NOW, user_id=None)
        assert (missing.value.code, anonymised.value.code) == ("not_found", "anonymized")


def test_status_counts_name_every_status(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _submit(session)
        junk = _submit(session, email="spam@example.com")
        set_status(session, junk.id, LeadStatus.JUNK, now=NOW, user_id=None)
        assert status_counts(session) == {LeadStatus.NEW: 1, LeadStatus.QUALIFIED: 0, LeadStatus.OPPORTUNITY: 0,
                                          LeadStatus.CUSTOMER: 0, LeadStatus.JUNK: 1}


def test_history_stops_growing_at_its_limit_while_submissions_still_count(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        lead = _submit(session, message="x" * 5000)
        for day in range(1, 13):
            _submit(session, message="y" * 5000, now=NOW + timedelta(hours=day))
        assert lead.submissions == 13
        assert 50_000 <= len(lead.message) < 56_000


def test_two_requests_from_one_address_at_once_make_one_lead_on_postgresql(
        sessions: sessionmaker[Session], db_kind: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite takes its write lock at BEGIN; the per-address lock is PostgreSQL's")
    first = sessions()
    _submit(first)  # holds the address's lock until it commits
    second_done = threading.Event()

    def second() -> None:
        with sessions.begin() as session:
            _submit(session, now=NOW + timedelta(minutes=1))
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_advisory_lock(sessions):
        assert time.monotonic() < deadline, "the second request never waited for the first"
        assert not second_done.is_set(), "the second request did not wait for the first"
        time.sleep(0.02)
    first.commit()
    first.close()
    thread.join(30)
    with sessions() as session:
        assert [(lead.submissions, lead.last_submitted_at) for lead in session.scalars(select(Lead))] == [
            (2, NOW + timedelta(minutes=1))]


def _waiting_on_advisory_lock(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return bool(session.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")))
