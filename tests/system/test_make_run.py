"""`postillon run` end to end: the product as `make run` starts it, driven in Debian's Chromium."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright import sync_api

from postillon.redis_server import free_port
from scheduler.clock import to_local, utcnow
from tests.system.processes import ROOT, wait_until

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.slow, pytest.mark.browser]


@dataclass
class Product:
    """A running `postillon run` and what its banner said."""

    url: str
    sandbox_url: str
    email: str
    password: str
    output: list[str]
    process: subprocess.Popen[str]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory the runs of this module share (a restart keeps it)."""
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="module")
def product(data_dir: Path) -> Iterator[Product]:
    """Start `postillon run` with zero configuration in a fresh data directory."""
    with started(data_dir) as running:
        yield running


@contextmanager
def started(data: Path) -> Iterator[Product]:
    """Run `postillon run` on ``data`` until the block ends."""
    web_port, sandbox_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTILLON_") and k != "DATABASE_URL"}
    env.update({"POSTILLON_DATA_DIR": str(data), "POSTILLON_WEB_PORT": str(web_port),
                "POSTILLON_SANDBOX_PORT": str(sandbox_port), "POSTILLON_BASE_URL": f"http://127.0.0.1:{web_port}",
                "REDIS_URL": "redis://127.0.0.1:6379/12", "POSTILLON_WORKERS": "1", "PYTHONUNBUFFERED": "1"})
    process = subprocess.Popen([sys.executable, "-m", "postillon.cli", "run"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    output: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        wait_until(lambda: any("Stop with Ctrl-C" in line for line in output), 90, "the start banner")
        login = next(line for line in output if "Log in as" in line)
        match = re.search(r"Log in as\s+(\S+)\s+password: (\S+)", login)
        assert match, login
        yield Product(f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sandbox_port}", match[1], match[2],
                      output, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_run_says_which_database_and_redis_it_uses(product: Product) -> None:
    text = "".join(product.output)
    assert "database: SQLite file" in text
    assert "Redis: redis://127.0.0.1:6379/12 (the configured server)" in text
    assert requests.get(product.url + "/login", timeout=5).status_code == 200
    assert requests.get(product.sandbox_url + "/", timeout=5).status_code == 200


def _log_in(page: Any, product: Product) -> None:
    page.goto(product.url + "/login")
    page.get_by_label("E-mail address").fill(product.email)
    page.get_by_label("Password").fill(product.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(product.url + "/deliveries")
    # The first admin works in German, the product's default; this test reads English labels.
    page.goto(product.url + "/profile")
    page.locator('input[name="locale"][value="en"]').check()
    page.locator('button[type="submit"].primary').click()
    page.wait_for_load_state()


def _compose(page: Any, text: str) -> None:
    page.get_by_role("link", name="Compose").first.click()
    page.get_by_label("Text", exact=True).fill(text)
    page.get_by_label(re.compile("Postillon Careers")).check()
    page.get_by_label(re.compile("Postillon News")).check()


def test_compose_schedule_one_minute_ahead_to_two_sandbox_channels_and_see_both_published(
        product: Product) -> None:
    text = f"Wir suchen eine Lageristin (m/w/d) in Graz – jetzt bewerben! #{int(time.time())}"
    due = to_local(utcnow() + timedelta(minutes=1), "Europe/Vienna")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page: Any = browser.new_page()
            _log_in(page, product)
            _compose(page, text)
            page.get_by_label("At a date and time").check()
            page.get_by_label("Date", exact=True).fill(due.strftime("%Y-%m-%d"))
            page.get_by_label("Time", exact=True).fill(due.strftime("%H:%M"))
            page.get_by_role("button", name="Schedule").click()
            page.wait_for_url(re.compile(r"/deliveries"))

            rows = page.locator("tr", has_text=text[:40])
            sync_api.expect(rows).to_have_count(2)
            sync_api.expect(rows.first).to_contain_text("Scheduled")
            page.evaluate("window.__notReloaded = true")
            # Published within a minute of the due time, shown without reloading the page.
            for index in range(2):
                sync_api.expect(rows.nth(index)).to_contain_text("Published", timeout=150_000)
            assert page.evaluate("window.__notReloaded") is True
            links = [rows.nth(i).get_by_role("link", name=re.compile("x.com|View", re.I)) for i in range(2)]
            assert all(link.count() >= 1 for link in links)

            page.goto(product.sandbox_url + "/")
            sync_api.expect(page.get_by_text(text)).to_have_count(2)
        finally:
            browser.close()


CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/131.0.0.0 Safari/537.36")
LINKEDIN_BOT_UA = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"


def test_a_published_link_is_a_tracked_short_link_whose_clicks_reach_the_database(
        product: Product, data_dir: Path) -> None:
    marker = f"#{int(time.time())}"
    text = f"{marker} Neu im Shop: der Ersatzteilkatalog 2027 https://shop.example.org/katalog?lang=de"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page: Any = browser.new_page()
            _log_in(page, product)
            page.get_by_role("link", name="Compose").first.click()
            page.get_by_label("Text", exact=True).fill(text)
            page.get_by_label(re.compile("Postillon News")).check()
            page.get_by_role("button", name="Schedule").click()
            page.wait_for_url(re.compile(r"/deliveries"))
            sync_api.expect(page.locator("tr", has_text=marker)).to_contain_text("Published", timeout=90_000)
        finally:
            browser.close()

    # What X received carries Postillon's short link instead of the shop's address.
    posts = requests.get(product.sandbox_url + "/_sandbox/x/posts", timeout=5).json()["posts"]
    (published,) = [post for post in posts if marker in post["text"]]
    assert "shop.example.org" not in published["text"]
    short = re.search(re.escape(product.url) + r"/r/\w+", published["text"])
    assert short, published["text"]

    # A person and LinkedIn's preview fetcher follow it: both are sent on at once, with the UTM values.
    for agent in (CHROME_UA, LINKEDIN_BOT_UA):
        answer = requests.get(short[0], headers={"User-Agent": agent}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("https://shop.example.org/katalog?lang=de&utm_source=x")
        assert "utm_medium=social" in answer.headers["Location"]
        assert "Set-Cookie" not in answer.headers

    # The click process drains both into the database: one person, one bot.
    def clicks() -> list[tuple[int, str]]:
        with sqlite3.connect(data_dir / "postillon.db") as db:
            return db.execute("SELECT is_bot, bot_reason FROM click ORDER BY id").fetchall()

    wait_until(lambda: len(clicks()) >= 2, 30, "the clicks in the database")
    assert clicks() == [(0, ""), (1, "preview")]


def test_a_photo_goes_to_instagram_and_becomes_a_xing_task_for_the_owner(product: Product,
                                                                          tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "messestand.jpg"
    Image.new("RGB", (1080, 1350), "teal").save(photo, format="JPEG")
    text = f"Unser Messestand in Wels #{int(time.time())}"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page: Any = browser.new_page()
            _log_in(page, product)
            page.get_by_role("link", name="Compose").first.click()
            page.get_by_label("Text", exact=True).fill(text)
            page.get_by_label(re.compile("Postillon Photos")).check()
            page.get_by_label(re.compile("Postillon auf XING")).check()
            page.get_by_label("Add images").set_input_files([str(photo)])
            sync_api.expect(page.locator("#media-list li")).to_have_count(1)
            page.get_by_role("button", name="Schedule").click()
            page.wait_for_url(re.compile(r"/deliveries"))
            rows = page.locator("tr", has_text=text[:30])
            sync_api.expect(rows).to_have_count(2)
            instagram = rows.filter(has_text="Instagram")
            xing = rows.filter(has_text="XING")
            # Instagram: container, processing, then published through the check job.
            sync_api.expect(instagram).to_contain_text("Published", timeout=90_000)
            sync_api.expect(xing).to_contain_text("Waiting for the owner to post", timeout=30_000)

            # The owner (the admin here) got the task by e-mail in the sandbox mailbox.
            def mailed() -> bool:
                mails = requests.get(product.sandbox_url + "/_sandbox/mail", timeout=5).json()["mail"]
                return any(text in mail["body"] and mail["to"] == [product.email] for mail in mails)

            wait_until(mailed, 60, "the task e-mail")
            xing.get_by_role("link", name="Open the task").click()
            task = page.locator("article.task", has_text=text)
            sync_api.expect(task.locator("textarea")).to_have_value(re.compile(re.escape(text)))
            task.get_by_label(re.compile("Address of your post")).fill("https://www.xing.com/feed/posts/1234")
            task.get_by_role("button", name="Mark as posted").click()
            sync_api.expect(page.get_by_text("recorded as published")).to_be_visible()
            page.goto(product.url + "/deliveries")
            sync_api.expect(page.locator("tr", has_text=text[:30]).filter(has_text="XING")).to_contain_text(
                "Published")
        finally:
            browser.close()


def test_stopping_run_stops_every_process(product: Product) -> None:
    children = subprocess.run(["pgrep", "-g", str(product.process.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) >= 5  # run, sandbox, web, dispatcher, worker
    os.killpg(product.process.pid, signal.SIGTERM)
    assert product.process.wait(timeout=30) == 0
    wait_until(lambda: not subprocess.run(["pgrep", "-g", str(product.process.pid)], capture_output=True).stdout,
               20, "every child to exit")




def test_after_a_restart_the_sandbox_channels_still_publish(product: Product, data_dir: Path) -> None:
    if product.process.poll() is None:
        os.killpg(product.process.pid, signal.SIGTERM)
        product.process.wait(timeout=30)
    text = f"Nach dem Neustart: Tag der offenen Tür in Leoben #{int(time.time())}"
    with started(data_dir) as again, sync_api.sync_playwright() as playwright:
        assert any("reconnected 5 sandbox channel(s)" in line for line in again.output)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page: Any = browser.new_page()
            _log_in(page, again)
            _compose(page, text)
            page.get_by_role("button", name="Schedule").click()
            rows = page.locator("tr", has_text=text[:40])
            sync_api.expect(rows).to_have_count(2)
            for index in range(2):
                sync_api.expect(rows.nth(index)).to_contain_text("Published", timeout=60_000)
        finally:
            browser.close()
