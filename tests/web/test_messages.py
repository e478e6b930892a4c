"""Coded problems and errors in the reader's language: every code has words, and they say what the message says."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from adapters.facebook import FacebookAdapter
from adapters.instagram import InstagramAdapter
from adapters.linkedin import LinkedInAdapter
from adapters.x import XAdapter
from scheduler.csv_import import ImportMode, import_posts, import_vacancies
from scheduler.csv_read import RowProblem, decode, parse_date, parse_time, read_table
from scheduler.guidelines import check_guidelines, save_imprint_url
from scheduler.imaging import inspect_image
from scheduler.jobads import template_problems
from scheduler.jobrules import check_job_ad
from scheduler.media import media_problems
from scheduler.models import ChannelStatus, Guideline, Media, PostKind, Role, User, Vacancy
from scheduler.networks import Network
from scheduler.ports import AdapterConfig, ExplainedError, MediaItem, PostContent, Problem, params
from scheduler.posts import DraftProblems, PostDraft, schedule_post
from scheduler.slots import set_slots
from scheduler.vacancies import VacancyInput, validate
from tests.factories import make_channel
from tests.web.conftest import NOW, Browser, text_of
from web.error_texts import ERRORS
from web.messages import message_for, shown
from web.problem_texts import PROBLEMS
from web.validation import validate_content

ROOT = Path(__file__).resolve().parents[2]
#: Helpers that build a Problem from their caller's field and code (the callers are checked instead).
WRAPPERS = frozenset({"row_problem"})
ADAPTERS = {network: cls(AdapterConfig()) for network, cls in ((Network.X, XAdapter),
                                                               (Network.LINKEDIN, LinkedInAdapter),
                                                               (Network.FACEBOOK, FacebookAdapter),
                                                               (Network.INSTAGRAM, InstagramAdapter))}


# ---- every code has words ----------------------------------------------------------------------------

def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _plain(call: ast.Call, message: ast.expr | None) -> str | None:
    """Return the message of a construction that has no values (no ``params``, no extra arguments)."""
    has_values = any(kw.arg in ("params", "values") for kw in call.keywords) or (
        _name(call) == "row_problem" and bool(call.keywords)) or (_name(call) == "SlotError" and len(call.args) > 2)
    return None if has_values else _literal(message)


def _trees() -> dict[Path, ast.Module]:
    paths = sorted([*ROOT.glob("scheduler/**/*.py"), *ROOT.glob("adapters/**/*.py")])
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in paths}


def _explained_classes(trees: dict[Path, ast.Module]) -> dict[str, str | None]:
    """Return every subclass of ExplainedError by name, with the code its body sets (None: inherited)."""
    bases: dict[str, list[str]] = {}
    codes: dict[str, str | None] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
                codes[node.name] = next((_literal(st.value) for st in node.body if isinstance(st, ast.Assign)
                                         and [getattr(t, "id", "") for t in st.targets] == ["code"]), None)
    explained = {"ExplainedError"}
    while grown := {name for name, parents in bases.items() if name not in explained and explained & set(parents)}:
        explained |= grown
    return {name: codes.get(name) for name in explained - {"ExplainedError"}}


def _calls(tree: ast.Module) -> Iterator[ast.Call]:
    """Yield the calls in ``tree``, leaving out the helpers that pass a caller's field and code on."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef) and node.name in WRAPPERS:
            continue
        yield from (child for child in ast.walk(node) if isinstance(child, ast.Call))


def _constructions() -> Iterator[tuple[str, str, tuple[str, str] | str | None, str | None]]:
    """Yield (where, kind, key, message) of every Problem, row problem and explained error made.

    The message is given when it is a plain string with no values beside it (no ``params``).
    """
    trees = _trees()
    classes = _explained_classes(trees)
    for name, code in classes.items():
        if code is not None:
            yield name, "error", code, None
    for path, tree in trees.items():
        for node in _calls(tree):
            where, name = f"{path.relative_to(ROOT)}:{node.lineno}", _name(node)
            if name in ("Problem", "row_problem"):
                first, message_at = (0, 2) if name == "Problem" else (1, 3)
                field = _literal(_argument(node, first, "field" if name == "Problem" else "column"))
                code = _literal(_argument(node, first + 1, "code"))
                key = None if field is None or code is None else (field or "row", code)
                yield where, "problem", key, _plain(node, _argument(node, message_at, "message"))
            elif name in classes:
                code = (_literal(next((kw.value for kw in node.keywords if kw.arg == "code"), None))
                        or (f"slot.{_literal(_argument(node, 0, 'reason'))}" if name == "SlotError" else None)
                        or classes[name])
                yield where, "error", code, _plain(node, _argument(node, 1 if name == "SlotError" else 0, "message"))


def _codes_in_sources() -> tuple[set[tuple[str, str]], set[str], list[str]]:
    """Return the (field, code) of every Problem, the code of every explained error, and unreadable constructions."""
    problems: set[tuple[str, str]] = set()
    errors: set[str] = set()
    unreadable: list[str] = []
    for where, kind, key, _message in _constructions():
        if key is None:
            unreadable.append(f"{where}: {kind} without a literal field and code")
        elif isinstance(key, tuple):
            problems.add(key)
        else:
            errors.add(key)
    return problems, errors, unreadable


def test_every_code_used_in_scheduler_and_adapters_has_words() -> None:
    problems, errors, unreadable = _codes_in_sources()
    assert unreadable == []
    assert len(problems) > 50 and len(errors) > 30  # the walk finds the constructions at all
    assert sorted(problems - PROBLEMS.keys()) == [], "add these (field, code) to web/problem_texts.py"
    assert sorted(errors - ERRORS.keys()) == [], "add these codes to web/error_texts.py"


def test_the_tables_hold_no_words_for_codes_nothing_uses() -> None:
    problems, errors, _unreadable = _codes_in_sources()
    assert sorted(PROBLEMS.keys() - problems) == []
    assert sorted(ERRORS.keys() - errors) == []


# ---- the English words are the message ------------------------------------------------------------

@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    """A request from an anonymous English browser."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def german(app: Flask) -> Iterator[None]:
    """A request from an anonymous German browser."""
    with app.test_request_context(headers={"Accept-Language": "de"}):
        yield


def _image(width: int, height: int, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, format=fmt)
    return buffer.getvalue()


def _adapter_problems() -> list[Problem]:
    def item(mime: str = "image/jpeg", **values: object) -> MediaItem:
        return MediaItem(url="https://cdn.example/a", mime_type=mime, **values)  # type: ignore[arg-type]

    contents = [
        PostContent(1, "x" * 3001), PostContent(1, "x" * 63_207), PostContent(1, "_" * 1501), PostContent(1, ""),
        PostContent(1, "$ACME und $BETA"), PostContent(1, "\ufeffHallo"),
        PostContent(1, " ".join(f"#t{i}" for i in range(31)) + " " + " ".join(f"@p{i}" for i in range(21))),
        PostContent(1, "hi", media=(item(),) * 21),
        PostContent(1, "hi", media=(item("image/bmp"), item("image/gif"), item("video/mp4"))),
        PostContent(1, "hi", media=(item(size_bytes=16 * 1024 * 1024, alt_text="a" * 4100, width=7000, height=6000),)),
        PostContent(1, "hi", media=(item(width=1000, height=2000),)),
    ]
    found = [p for adapter in ADAPTERS.values() for content in contents for p in adapter.validate(content)]
    found += validate_content(AdapterConfig(), Network.XING, PostContent(1, "x" * 3001))
    return found


def _vacancy_problems() -> list[Problem]:
    bad = VacancyInput(title="", location="", apply_url="karriere.acme.at", valid_through=NOW - timedelta(days=1),
                       salary_min=-1, salary_period="WEEK", country="CH", language="fr", repost_every_days=91)
    return [*validate(bad, now=NOW), *validate(VacancyInput(title="T" * 201, location="L" * 201), now=NOW)]


def _problems_from_the_database(session: Session) -> list[Problem]:
    session.add(Guideline(kind=None, banned_words="Rockstar", required_hashtags="#jobs", max_hashtags=1,
                          legal_footer="ACME GmbH, FN 1a", require_imprint_link=True))
    session.flush()
    found = check_guidelines(session, PostKind.JOB_AD, Network.LINKEDIN, "Rockstar #a #b", None)
    save_imprint_url(session, "https://acme.at/impressum", user_id=None, now=NOW)
    found += check_guidelines(session, PostKind.JOB_AD, Network.LINKEDIN, "Rockstar", None)
    vacancy = Vacancy(title="Lagerist", location="Graz", country="AT", overpay=True)
    found += check_job_ad(session, vacancy, "Lagerist gesucht", Network.X)
    found += media_problems(PostKind.EVENT_PHOTOS, [Media(filename="team.jpg", consent=False)])
    channel = make_channel(session, status=ChannelStatus.DISABLED)
    drafts = [PostDraft(text="", channel_ids=[], due_at=NOW - timedelta(days=1), media_ids=[999]),
              PostDraft(text="Hallo", channel_ids=[channel.id, 999_999], due_at=None, link="ftp://acme.at")]
    for draft in drafts:
        with pytest.raises(DraftProblems) as caught:
            schedule_post(session, draft, author_id=None, now=NOW, validate=lambda network, content: [])
        found += caught.value.all()
    return found + template_problems("") + template_problems("{title") + template_problems("{titel}")


def _row_problems(session: Session) -> list[RowProblem]:
    make_channel(session, name="ACME")
    make_channel(session, name="Doppelt")
    make_channel(session, name="Doppelt")
    posts = ("text;channels;date;time;kind\n"
             "Grüße;ACME;;;\n"
             "Hallo;Doppelt|Fehlt;31.02.2026;25:00;Werbung\n"
             "Hallo;ACME;29.03.2026;02:30;\n"
             "Hallo;ACME;kein Datum;09:00;;zu viel\n"
             "Hallo;ACME;2020-01-01;09:00;\n").encode("cp1252")
    report = import_posts(session, posts, user_id=None, tz_name="Europe/Vienna", now=NOW, mode=ImportMode.DRY_RUN,
                          validate=lambda network, content: [])
    vacancies = (b"title;location;employment_type;salary_min;overpay;valid_through\n"
                 b"Koch;Wien;Saisonarbeit;viel;vielleicht;2026-13-01\n")
    return [*report.problems, *report.notes, *import_vacancies(  # type: ignore[list-item]
        session, vacancies, user_id=None, tz_name="Europe/Vienna", now=NOW, mode=ImportMode.DRY_RUN).problems]


def _errors(session: Session) -> list[ExplainedError]:
    attempts: list[Callable[[], object]] = [
        lambda: inspect_image(b"", "leer.jpg", max_bytes=10),
        lambda: inspect_image(b"x" * 20, "gross.jpg", max_bytes=10),
        lambda: inspect_image(b"kein Bild", "notiz.txt", max_bytes=100),
        lambda: inspect_image(_image(8, 8, "BMP"), "alt.bmp", max_bytes=10_000),
        lambda: decode(b"x" * (6 * 1024 * 1024)), lambda: read_table(b"", ("title",), ()),
        lambda: read_table(b"title;title\n", ("title",), ()), lambda: read_table(b"name\n", ("title",), ()),
        lambda: read_table(b"\x81\x8d", ("title",), ()), lambda: read_table(b"title\n" + b"a\n" * 5001, ("title",), ()),
        lambda: parse_date("morgen"), lambda: parse_date("31.02.2026"), lambda: parse_time("25:00"),
        lambda: set_slots(session, 999_999, []),
    ]
    channel = make_channel(session)
    attempts += [lambda: set_slots(session, channel.id, [(7, "09:00")]),
                 lambda: set_slots(session, channel.id, [(0, "9 Uhr")]),
                 lambda: set_slots(session, channel.id, [(0, "09:00"), (0, "09:00")])]
    found = []
    for attempt in attempts:
        with pytest.raises(ExplainedError) as caught:
            attempt()
        found.append(caught.value)
    return found


def test_the_english_words_say_exactly_what_each_message_says(english: None, db: sessionmaker[Session]) -> None:
    with db() as session:
        found: list[Problem | RowProblem | ExplainedError] = [
            *_adapter_problems(), *_vacancy_problems(), *_problems_from_the_database(session), *_row_problems(session),
            *_errors(session)]
        session.rollback()
    assert len({(p.field, p.code) for p in found if isinstance(p, Problem)}) > 45
    different = [(_strictly(item), item.message) for item in found if _strictly(item) != item.message]
    assert different == []
    assert [message_for(item) for item in found] == [item.message for item in found]


def _strictly(item: Problem | RowProblem | ExplainedError) -> str:
    """Fill an item's template with its values, failing where message_for would fall back to the message."""
    if isinstance(item, RowProblem):
        assert item.reason is not None, item
        words = _strictly(item.reason)
        return f"{item.channel}: {words}" if item.channel else words
    template = PROBLEMS[(item.field, item.code)] if isinstance(item, Problem) else ERRORS[item.code]
    return str(template) % {name: shown(value) for name, value in item.params}


def test_fixed_messages_match_their_words_too(english: None) -> None:
    fixed = [(where, key, message) for where, _kind, key, message in _constructions() if key and message]
    assert len(fixed) > 30
    words: dict[object, str] = {**{key: str(text) for key, text in PROBLEMS.items()},
                                **{code: str(text) for code, text in ERRORS.items()}}
    assert [(where, key) for where, key, message in fixed if words.get(key) != message] == []


# ---- the reader's language ---------------------------------------------------------------------------

def test_a_code_without_words_shows_its_english_message(german: None) -> None:
    assert message_for(Problem("text", "brand_new", "Something new is wrong.")) == "Something new is wrong."
    assert message_for(ExplainedError("A new refusal.", code="brand.new")) == "A new refusal."
    assert message_for(ValueError("plain")) == "plain"


def test_words_whose_values_do_not_fit_fall_back_to_the_english_message(german: None) -> None:
    assert message_for(Problem("text", "too_long", "X is too long.", params=params(network=Network.X))) == \
        "X is too long."


def test_values_are_shown_the_readers_way(german: None) -> None:
    assert (shown(63_206), shown(4.0), shown(Network.LINKEDIN), shown(True), shown("KV")) == \
        ("63.206", "4,0", "LinkedIn", "True", "KV")
    assert shown(datetime(2026, 3, 30, 7, 0, tzinfo=UTC)).startswith("30.03.2026, 09:00")


def test_a_row_problem_for_one_channel_names_the_channel_first(english: None) -> None:
    reason = Problem("channels", "disabled", "ACME is disabled.", params=params(channel="ACME"))
    assert message_for(RowProblem(3, "channels", "Jobs: ACME is disabled.", reason=reason, channel="Jobs")) == \
        "Jobs: ACME is disabled."
    assert message_for(RowProblem(3, "text", "Uncoded words.")) == "Uncoded words."


def test_problems_and_errors_are_german_for_a_german_reader(german: None) -> None:
    x_too_long = ADAPTERS[Network.X].validate(PostContent(1, "x" * 281))[0]
    assert message_for(x_too_long) == "X erlaubt höchstens 280 Zeichen; dieser Text hat 281."
    assert message_for(ADAPTERS[Network.FACEBOOK].validate(PostContent(1, "x" * 63_207))[0]) == \
        "Facebook erlaubt höchstens 63.206 Zeichen; dieser Text hat 63.207."
    with pytest.raises(ExplainedError) as caught:
        parse_time("25:00")
    assert message_for(caught.value) == "„25:00“ ist keine Uhrzeit; schreiben Sie sie als 09:30 (24-Stunden-Format)."


def test_a_german_user_sees_german_words_for_a_too_long_x_post_while_typing(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        channel_id = make_channel(session, handle="acme").id
    login_as(Role.MARKETER, locale="de")
    response = browser.post_json("/api/validate", {"text": "x" * 281})
    assert response.status_code == 200
    [check] = [c for c in response.get_json()["channels"] if c["id"] == channel_id]
    assert check["problems"] == ["X erlaubt höchstens 280 Zeichen; dieser Text hat 281."]


def test_a_german_user_sees_german_words_for_a_guideline_on_the_compose_form(
        browser: Browser, login_as: Callable[..., User], db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(Guideline(kind=None, banned_words="Rockstar"))
        channel_id = make_channel(session, handle="acme").id
    login_as(Role.MARKETER, locale="de")
    response = browser.post("/compose", {"text": "Rockstar gesucht", "kind": "product_news", "channels": [channel_id],
                                         "when": "now", "action": "schedule"})
    assert response.status_code == 422
    page = text_of(response)
    assert "„Rockstar“ darf in Beiträgen des Unternehmens nicht vorkommen." in page
    assert "must not appear" not in page
