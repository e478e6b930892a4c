"""The approvals pages: the queue for managers and admins, approve, send back (comment required), the author's view."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask, template_rendered
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.approval import submit_for_approval
from scheduler.lifecycle import DeliveryState
from scheduler.models import ApprovalState, Delivery, Post, PostKind, PostText, Role, User
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery, make_post
from tests.web.conftest import NOW, Browser, build_app, services_of, text_of
from web import approvals

S = DeliveryState


def with_approvals(app: Flask) -> Flask:
    """Register the approvals blueprint unless web.create_app already does."""
    if "approvals" not in app.blueprints:
        app.register_blueprint(approvals.bp)
        approvals.init_app(app)
    return app


@pytest.fixture
def app(web_settings: object) -> Iterator[Flask]:
    """The app with the approvals pages, its clock at NOW."""
    app = with_approvals(build_app(web_settings))  # type: ignore[arg-type]
    yield app
    services_of(app).engine.dispose()


def _pending(db: sessionmaker[Session], author: User, text: str = "Buchhalter (m/w/d) gesucht",
             due_in: timedelta = timedelta(days=1)) -> int:
    with db.begin() as session:
        post = make_post(session, author=author, kind=PostKind.JOB_AD, text=text, link="https://acme.at/jobs/1")
        x = make_channel(session, network=Network.X, name="ACME X", handle="acme")
        linkedin = make_channel(session, network=Network.LINKEDIN, name="ACME LinkedIn", handle="acme-gmbh")
        make_delivery(session, post=post, channel=x, state=S.DRAFT, due_at=NOW + due_in)
        make_delivery(session, post=post, channel=linkedin, state=S.DRAFT, due_at=NOW + due_in)
        session.add(PostText(post_id=post.id, network=Network.X, text="Kurz: Buchhalter (m/w/d)"))
        session.flush()
        submit_for_approval(session, post.id, user_id=author.id, now=NOW)
        return post.id


def _post(db: sessionmaker[Session], post_id: int) -> tuple[ApprovalState, list[DeliveryState], str]:
    with db() as session:
        post = session.get(Post, post_id)
        assert post is not None
        states = list(session.scalars(select(Delivery.state).where(Delivery.post_id == post_id).order_by(Delivery.id)))
        return post.approval, states, post.review_comment


def test_the_queue_shows_text_per_network_channels_due_times_in_my_zone_and_author(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    author = add_user(Role.RECRUITER, name="Rita Recruiter")
    post_id = _pending(db, author)
    login_as(Role.MANAGER, tz_name="America/New_York")
    html = text_of(browser.get("/approvals/"))
    assert f'id="approval-{post_id}"' in html and "Rita Recruiter" in html
    assert "Kurz: Buchhalter (m/w/d)\nhttps://acme.at/jobs/1" in html  # X's own text, with the link
    assert "Buchhalter (m/w/d) gesucht\nhttps://acme.at/jobs/1" in html  # LinkedIn: the common text
    assert "2026-03-02 07:00 EST" in html and "X (@acme)" in html
    assert html.count("Awaiting approval") == 2


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.MARKETER, Role.AMBASSADOR, Role.VIEWER])
def test_only_managers_and_admins_see_the_queue_and_decide(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session], role: Role) -> None:
    post_id = _pending(db, add_user(Role.RECRUITER))
    login_as(role)
    assert browser.get("/approvals/").status_code == 403
    assert browser.get(f"/approvals/{post_id}").status_code == 403
    assert browser.post(f"/approvals/{post_id}/approve").status_code == 403
    assert browser.post(f"/approvals/{post_id}/send-back", {"comment": "Nein"}).status_code == 403
    assert _post(db, post_id)[0] is ApprovalState.PENDING


def test_a_manager_approves_and_the_deliveries_are_scheduled(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    post_id = _pending(db, add_user(Role.RECRUITER))
    login_as(Role.MANAGER)
    assert f'action="/approvals/{post_id}/approve"' in text_of(browser.get(f"/approvals/{post_id}"))
    response = browser.post(f"/approvals/{post_id}/approve")
    assert response.status_code == 303 and response.headers["Location"].endswith("/approvals/")
    assert _post(db, post_id)[:2] == (ApprovalState.APPROVED, [S.SCHEDULED, S.SCHEDULED])
    assert "Approved: it goes out as scheduled." in text_of(browser.get("/approvals/"))


def test_approving_late_says_how_many_go_out_at_once(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    post_id = _pending(db, add_user(Role.RECRUITER), due_in=timedelta(minutes=-30))
    login_as(Role.ADMIN)
    browser.post(f"/approvals/{post_id}/approve")
    assert "2 deliveries were already due and go out now." in text_of(browser.get("/approvals/"))


def test_sending_back_without_a_comment_is_refused_with_a_message(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    post_id = _pending(db, add_user(Role.RECRUITER))
    login_as(Role.MANAGER)
    response = browser.post(f"/approvals/{post_id}/send-back", {"comment": "   "})
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="comment-problems"' in html and "Tell the author what to change." in html
    assert 'aria-invalid="true"' in html
    assert _post(db, post_id)[:2] == (ApprovalState.PENDING, [S.AWAITING_APPROVAL] * 2)


def test_sending_back_with_a_comment_makes_drafts_and_the_author_reads_it(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    author = add_user(Role.RECRUITER)
    post_id = _pending(db, author)
    login_as(Role.MANAGER)
    response = browser.post(f"/approvals/{post_id}/send-back", {"comment": "Bitte <KV-Gehalt> ergänzen."})
    assert response.status_code == 303
    assert _post(db, post_id) == (ApprovalState.CHANGES_REQUESTED, [S.DRAFT, S.DRAFT], "Bitte <KV-Gehalt> ergänzen.")
    browser.client.post("/logout", data={"csrf_token": browser.csrf})
    browser.login(author.email)
    html = text_of(browser.get(f"/approvals/{post_id}"))
    assert "Bitte &lt;KV-Gehalt&gt; ergänzen." in html and "Sent back for changes." in html
    assert "Send back" not in html


def test_the_author_sees_their_pending_post_read_only(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    me = login_as(Role.MANAGER)
    post_id = _pending(db, me)
    html = text_of(browser.get(f"/approvals/{post_id}"))
    assert "You cannot approve your own post" in html
    assert f'action="/approvals/{post_id}/approve"' not in html
    response = browser.post(f"/approvals/{post_id}/approve")
    assert response.status_code == 303
    assert "You cannot approve your own post" in text_of(browser.get(f"/approvals/{post_id}"))
    assert _post(db, post_id)[0] is ApprovalState.PENDING


def test_a_decided_post_cannot_be_decided_again_and_unknown_posts_are_404(
        browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    post_id = _pending(db, add_user(Role.RECRUITER))
    login_as(Role.ADMIN)
    browser.post(f"/approvals/{post_id}/approve")
    browser.post(f"/approvals/{post_id}/send-back", {"comment": "Doch nicht"})
    assert "not waiting for approval" in text_of(browser.get(f"/approvals/{post_id}"))
    assert _post(db, post_id)[0] is ApprovalState.APPROVED
    assert browser.get("/approvals/999").status_code == 404
    assert browser.post("/approvals/999/approve").status_code == 404


def _nav_count(app: Flask, browser: Browser) -> object:
    seen: list[object] = []

    def record(_app: Flask, template: object, context: dict[str, object], **_extra: object) -> None:
        seen.append(context.get("pending_approvals"))

    with template_rendered.connected_to(record, app):
        browser.get("/notifications/")
    return seen[-1]


def test_every_page_knows_how_many_posts_a_reviewer_may_decide(
        app: Flask, browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    me = login_as(Role.MANAGER)
    _pending(db, add_user(Role.RECRUITER))
    _pending(db, add_user(Role.MARKETER))
    _pending(db, me)  # my own post is not mine to decide
    assert _nav_count(app, browser) == 2


def test_people_who_do_not_review_get_no_count(
        app: Flask, browser: Browser, login_as: Callable[..., User], add_user: Callable[..., User],
        db: sessionmaker[Session]) -> None:
    _pending(db, add_user(Role.RECRUITER))
    login_as(Role.MARKETER)
    assert _nav_count(app, browser) == 0
