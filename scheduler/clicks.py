"""Who clicked: bot or person, which browser, which kind of device (coarse classes only).

Crawlers are recognised with the maintained crawler-user-agents data set, browsers and devices with
ua-parser; explicit rules come first for what matters most here: link-preview fetchers hit every link
the moment it is posted, and in-app browsers of LinkedIn, Facebook and Instagram are people.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

#: Fetchers that load a link to show its preview card; they come before any person does.
PREVIEW_FETCHERS = (
    "LinkedInBot", "Twitterbot", "facebookexternalhit", "facebookcatalog", "meta-externalagent",
    "meta-externalfetcher", "Slackbot", "Slack-ImgProxy", "WhatsApp/", "TelegramBot", "Discordbot",
    "SkypeUriPreview", "Xing Bot", "XING-contenttabreceiver", "bitlybot", "Iframely", "Embedly", "redditbot",
    "Pinterestbot", "vkShare", "Mastodon/", "Bluesky", "BingPreview", "MicrosoftPreview", "Google-PageRenderer",
    "Pleroma", "Akkoma", "Misskey",
)
#: Headless browsers, automation and HTTP libraries: scripts, not people.
AUTOMATION = (
    "HeadlessChrome", "Headless", "Playwright", "Puppeteer", "Selenium", "PhantomJS", "Cypress", "Lighthouse",
    "curl/", "Wget", "python-requests", "Python-urllib", "python-httpx", "aiohttp", "Go-http-client", "okhttp",
    "Java/", "Apache-HttpClient", "libwww-perl", "node-fetch", "axios/", "undici", "Scrapy", "HTTPie",
    "PostmanRuntime", "Ruby", "Faraday", "http.rb", "Dart/", "Deno/", "Bun/", "got (", "Jakarta Commons",
)
_PREVIEW = re.compile("|".join(map(re.escape, PREVIEW_FETCHERS)), re.IGNORECASE)
_AUTOMATION = re.compile("|".join(map(re.escape, AUTOMATION)), re.IGNORECASE)
#: In-app browsers: people reading the post in the network's app (never bots, whatever else the UA says).
_IN_APP = (("[LinkedInApp]", "LinkedIn"), ("FBAN/", "Facebook"), ("FBAV/", "Facebook"), ("FB_IAB/", "Facebook"),
           ("Instagram ", "Instagram"))
_DESKTOP_OS = frozenset({"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian", "FreeBSD",
                         "OpenBSD", "Linux Mint", "Arch Linux"})
_MOBILE_OS = frozenset({"iOS", "Android", "Windows Phone", "KaiOS", "HarmonyOS", "BlackBerry OS"})
_CACHE = 8192  # distinct user agents remembered; clicks repeat the same few hundred


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a request was: ``bot_reason`` empty for a person; browser and device in coarse words."""

    bot_reason: str
    browser: str
    device: str  # desktop, mobile, tablet, bot, other

    @property
    def is_bot(self) -> bool:
        """Tell whether a program, not a person, made the request."""
        return bool(self.bot_reason)


def classify(method: str, user_agent: str) -> Verdict:
    """Classify one request by its method and user agent (bursts are judged by the caller, per visitor)."""
    return _classify(method.upper() == "GET", user_agent.strip())


def bot_reason(is_get: bool, user_agent: str) -> str:
    """Return why the request is a bot ("head", "empty-ua", "preview", "automation", "crawler"), or ""."""
    if not is_get:
        return "head"  # people's browsers follow a link with GET; HEAD is a checker
    if not user_agent:
        return "empty-ua"
    if _in_app(user_agent):
        return ""
    if _PREVIEW.search(user_agent):
        return "preview"
    if _AUTOMATION.search(user_agent):
        return "automation"
    return _crawler_reason(user_agent)


@lru_cache(maxsize=_CACHE)
def _classify(is_get: bool, user_agent: str) -> Verdict:
    reason = bot_reason(is_get, user_agent)
    browser = _browser(user_agent)
    return Verdict(reason, browser, "bot" if reason else _device(user_agent))


def _in_app(user_agent: str) -> str:
    return next((name for token, name in _IN_APP if token in user_agent), "")


def _crawler_reason(user_agent: str) -> str:
    is_crawler, preview, automation = _crawler_data()
    if not is_crawler(user_agent):
        return ""
    if preview.search(user_agent):
        return "preview"
    return "automation" if automation.search(user_agent) else "crawler"


@cache
def _crawler_data() -> tuple[Callable[[str], bool], re.Pattern[str], re.Pattern[str]]:
    # 540 kB of patterns: loaded by the click worker only, on first use. The tag groups are compiled once
    # here; asking the library which of its 1,500 patterns matched would recompile them on every call.
    import crawleruseragents as data

    def tagged(*tags: str) -> re.Pattern[str]:
        return re.compile("|".join(entry["pattern"] for entry in data.CRAWLER_USER_AGENTS_DATA
                                   if set(entry.get("tags", ())) & set(tags)))

    return data.is_crawler, tagged("social-preview"), tagged("http-library", "browser-automation")


@lru_cache(maxsize=_CACHE)
def _parsed(user_agent: str) -> tuple[str, str, str]:
    from ua_parser import parse  # its rules compile on first use

    result = parse(user_agent)
    return (result.user_agent.family if result.user_agent else "", result.os.family if result.os else "",
            result.device.family if result.device else "")


def _browser(user_agent: str) -> str:
    if not user_agent:
        return ""
    app = _in_app(user_agent)
    if app:
        return app
    family = _parsed(user_agent)[0]
    if family in ("", "Other"):
        return "other"
    if "WebView" in family:
        return "WebView"
    return family.removeprefix("Mobile ").removesuffix(" Mobile").removesuffix(" iOS")[:40]


def _device(user_agent: str) -> str:
    if not user_agent:
        return "other"
    _, os_family, device_family = _parsed(user_agent)
    if device_family == "iPad" or "Tablet" in user_agent or (os_family == "Android" and "Mobile" not in user_agent):
        return "tablet"
    if os_family in _MOBILE_OS or "Mobile" in user_agent or device_family == "iPhone":
        return "mobile"
    if os_family in _DESKTOP_OS:
        return "desktop"
    return "other"
