"""The role matrix: every rule of the URL map, GET and POST, for every role and for anonymous visitors.

EXPECTED classifies every endpoint; a new route that is not in it fails this test by name, so each
future route gets a decision about who may reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from scheduler.config import Settings
from scheduler.models import Media, Notification, Role, User, Vacancy
from tests.factories import make_channel, make_delivery, make_post, make_user
from tests.web.conftest import NOW, Browser, build_app, services_of
from web import imports
from web.auth import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS

PUBLIC = frozenset({*Role, None})  # None: not logged in
EVERYONE = frozenset(Role)
POSTING = frozenset({Role.ADMIN, Role.RECRUITER, Role.MARKETER, Role.MANAGER})
REVIEWERS = frozenset({Role.ADMIN, Role.MANAGER})
VACANCY_READ = frozenset({Role.ADMIN, Role.RECRUITER, Role.MANAGER, Role.MARKETER, Role.VIEWER})
VACANCY_MANAGE = frozenset({Role.ADMIN, Role.RECRUITER, Role.MANAGER})
ADMIN = frozenset({Role.ADMIN})
REPORT_READ = frozenset({Role.ADMIN, Role.MANAGER, Role.RECRUITER, Role.MARKETER, Role.VIEWER})
COST_EDIT = frozenset({Role.ADMIN, Role.RECRUITER, Role.MARKETER})
LEADS = frozenset({Role.ADMIN, Role.MARKETER, Role.MANAGER})

#: Endpoint -> the roles that may reach it (GET and POST alike); everyone else gets 403 (anonymous: the login).
EXPECTED: dict[str, frozenset[Role | None]] = {
    "reports.index": REPORT_READ, "reports.posts": REPORT_READ, "reports.export_csv": REPORT_READ,
    "reports.pdf": REPORT_READ, "reports.costs": REPORT_READ, "reports.digest": REPORT_READ,
    "reports.save_digest": REPORT_READ, "reports.add_cost": COST_EDIT, "reports.delete_cost": COST_EDIT,
    "reports.load_demo": frozenset({Role.ADMIN}), "reports.save_people": frozenset({Role.ADMIN}),
    "forms.lead": PUBLIC, "hooks.receive": PUBLIC,
    "leads.index": LEADS, "leads.detail": LEADS, "leads.status": LEADS,
    "lead_settings.index": LEADS, "lead_settings.save": ADMIN,
    "integrations.index": ADMIN, "integrations.create": ADMIN, "integrations.rotate": ADMIN,
    "integrations.deactivate": ADMIN, "integrations.activate": ADMIN,
    "careers.index": PUBLIC, "careers.vacancy": PUBLIC, "careers.feed": PUBLIC, "careers.apply": PUBLIC,
    "careers.thanks": PUBLIC, "careers.privacy": PUBLIC,
    "applications.index": VACANCY_MANAGE, "applications.detail": VACANCY_MANAGE,  # and the vacancy's hiring manager
    "applications.stage": VACANCY_MANAGE, "applications.cv": VACANCY_MANAGE,
    "links.follow": PUBLIC,
    "privacy_admin.index": ADMIN, "privacy_admin.search": ADMIN, "privacy_admin.export": ADMIN,
    "privacy_admin.erase": ADMIN, "privacy_admin.save_settings": ADMIN,
    "auth.login": PUBLIC, "static": PUBLIC, "media.signed": PUBLIC,
    "auth.logout": EVERYONE,
    "api.deliveries": EVERYONE, "api.upload_media": POSTING, "api.validate": POSTING,
    "approvals.index": REVIEWERS, "approvals.approve_view": REVIEWERS, "approvals.send_back_view": REVIEWERS,
    "approvals.detail": REVIEWERS,  # and the post's author (the rows here are someone else's)
    "calendar.index": EVERYONE, "calendar.move": POSTING,
    "channels.index": EVERYONE, "channels.add_assisted": ADMIN, "channels.add_sandbox": ADMIN,
    "channels.disable": ADMIN, "channels.enable": ADMIN, "channels.reconnect": ADMIN,
    "connect.start": ADMIN, "connect.reconnect": ADMIN, "connect.callback": ADMIN, "connect.choose": ADMIN,
    "imports.upload": POSTING, "imports.report": POSTING, "imports.run": POSTING,
    "imports.template_posts": POSTING, "imports.template_vacancies": VACANCY_MANAGE,
    "library.index": POSTING, "library.upload": POSTING,
    "library.edit": ADMIN, "library.delete": ADMIN,  # someone else's image; its owner may too
    "media.preview": EVERYONE, "media.download": EVERYONE,
    "profile.index": EVERYONE, "profile.save": EVERYONE,
    "notifications.index": EVERYONE, "notifications.mark_all_read": EVERYONE, "notifications.open_one": EVERYONE,
    "posts.deliveries": EVERYONE, "posts.delivery": EVERYONE, "posts.compose": POSTING, "posts.cancel": POSTING,
    "posts.publish_again_view": POSTING, "posts.mark_published_view": POSTING,
    "settings.guidelines": ADMIN, "settings.save_guideline_view": ADMIN, "settings.save_company": ADMIN,
    "slots.index": ADMIN, "slots.add": ADMIN, "slots.remove": ADMIN,
    "tasks.index": POSTING, "tasks.done": POSTING, "tasks.postpone": POSTING,
    "vacancies.index": VACANCY_READ, "vacancies.detail": VACANCY_READ, "vacancies.new": VACANCY_MANAGE,
    "vacancies.edit": VACANCY_MANAGE, "vacancies.status": VACANCY_MANAGE,
    "vacancies.template_list": ADMIN, "vacancies.template_save": ADMIN,
}
#: Values for URL parameters that name no row.
FIXED = {"code": "NoSuchCode", "network_name": "linkedin", "language": "de", "scope": "all", "upload_id": "A" * 22,
         "filename": "app.css", "expires": "1", "signature": "nope", "ext": "jpg"}
FIXED |= {"slug": "some-job", "application_id": "999999"}  # the careers pages, the applications
FIXED |= {"lead_id": "999999", "integration_id": "999999"}  # leads, integrations, webhooks
FIXED |= {"table": "channels", "cost_id": "999999"}  # the reports' CSV tables, channel costs


@pytest.fixture
def app(web_settings: Settings) -> Iterator[Flask]:
    """The whole app (the import pages registered here until web/__init__.py registers them)."""
    app = build_app(web_settings)
    if "imports" not in app.blueprints:
        app.register_blueprint(imports.bp)
    yield app
    services_of(app).engine.dispose()


def _rows(db: sessionmaker[Session], reader: User | None) -> dict[str, str]:
    """Add one row of each kind, by another person than the one logged in; return URL values naming them."""
    with db.begin() as session:
        author = make_user(session, role=Role.RECRUITER)
        channel = make_channel(session)
        post = make_post(session, author=author)
        delivery = make_delivery(session, post=post, channel=channel, due_at=NOW + timedelta(days=1))
        vacancy = Vacancy(title="Koch (m/w/d)", location="Wien", created_by_id=author.id)
        media = Media(owner_id=author.id, filename="a.jpg", mime_type="image/jpeg", size_bytes=1, width=1, height=1,
                      sha256="0" * 64, storage_key="missing.jpg")
        note = Notification(user_id=(reader or author).id, kind="test", dedupe_key=f"roles:{author.id}",
                            subject="Test", body="", link="/deliveries")
        session.add_all([vacancy, media, note])
        session.flush()
        ids = {"channel_id": channel.id, "post_id": post.id, "delivery_id": delivery.id, "vacancy_id": vacancy.id,
               "media_id": media.id, "notification_id": note.id}
    return {name: str(value) for name, value in ids.items()}


def _url(rule: Rule, values: dict[str, str]) -> str:
    missing = sorted(rule.arguments - set(values) - set(rule.defaults or {}))
    assert not missing, f"{rule.endpoint}: no test value for URL parameter(s) {missing}; add them to _rows or FIXED"
    path = rule.rule
    for name in rule.arguments - set(rule.defaults or {}):
        path = path.replace(f"<int:{name}>", values[name]).replace(f"<path:{name}>", values[name])
        path = path.replace(f"<{name}>", values[name])
    return path


def _outcome(response: TestResponse, role: Role | None) -> str:
    """Return "reached", "denied" or a description of an answer that is neither."""
    location = response.headers.get("Location", "")
    to_login = response.status_code in (301, 302, 303, 307) and "/login" in location
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if role is None:
        return "denied" if to_login or response.status_code == 401 else "reached"
    if response.status_code == 403:
        return "denied"
    if to_login or response.status_code == 401:
        return "logged out"
    return "reached"


def _walk(app: Flask, browser: Browser, role: Role | None, values: dict[str, str]) -> list[str]:
    """Request every rule and return each answer that differs from EXPECTED."""
    wrong: list[str] = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.endpoint, r.rule))
    for rule in rules:
        if rule.endpoint not in EXPECTED:
            wrong.append(f"{rule.endpoint} ({rule.rule}) is not in the role matrix: add it to EXPECTED")
            continue
        url = _url(rule, {**FIXED, **values})
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            response = browser.get(url) if method == "GET" else browser.post(url)
            got = _outcome(response, role)
            if rule.endpoint == "auth.logout" and role is not None and got == "logged out":
                # Logging out ends at the login page by design; it really ended the session:
                got = "reached" if _outcome(browser.get("/deliveries"), role) == "logged out" else "still logged in"
            want = "reached" if role in EXPECTED[rule.endpoint] else "denied"
            if got != want:
                who = role.value if role else "anonymous"
                wrong.append(f"{method} {url} ({rule.endpoint}) as {who}: {got} ({response.status_code}), "
                             f"expected {want}")
    return wrong


@pytest.mark.parametrize("role", [*Role, None], ids=[*(r.value for r in Role), "anonymous"])
def test_every_route_lets_in_exactly_the_roles_it_should(app: Flask, browser: Browser, db: sessionmaker[Session],
                                                        add_user: Callable[..., User], role: Role | None) -> None:
    reader = add_user(role) if role is not None else None
    if reader is not None:
        assert browser.login(reader.email).status_code == 303
    else:
        browser.refresh_token("/login")
    wrong = _walk(app, browser, role, _rows(db, reader))
    assert not wrong, "\n".join(wrong)


def test_the_public_endpoints_are_exactly_those_open_to_anonymous_visitors(app: Flask) -> None:
    public_blueprint_views = {rule.endpoint for rule in app.url_map.iter_rules()
                              if rule.endpoint.partition(".")[0] in PUBLIC_BLUEPRINTS}
    expected = PUBLIC_ENDPOINTS | public_blueprint_views
    assert {name for name, roles in EXPECTED.items() if None in roles} == expected


def test_the_matrix_names_no_endpoint_that_no_longer_exists(app: Flask) -> None:
    assert set(EXPECTED) - {rule.endpoint for rule in app.url_map.iter_rules()} == set()
