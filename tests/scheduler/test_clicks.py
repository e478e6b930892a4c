"""Bot or person, browser and device: real crawler and real browser user agents, in-app browsers included."""

from __future__ import annotations

import pytest
from crawleruseragents import CRAWLER_USER_AGENTS_DATA

from scheduler.clicks import classify

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36")

#: Real user agents of people: (user agent, browser, device).
PEOPLE = [
    (CHROME_WINDOWS, "Chrome", "desktop"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", "Edge", "desktop"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Safari/605.1.15", "Safari", "desktop"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox", "desktop"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "Safari", "mobile"),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 "
     "Chrome/121.0.0.0 Mobile Safari/537.36", "Samsung Internet", "mobile"),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
     "Safari/537.36", "Chrome", "mobile"),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Mobile/15E148 Safari/604.1", "Safari", "tablet"),
    ("Mozilla/5.0 (Linux; Android 12; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36", "Chrome", "tablet"),
    # In-app browsers: people reading the post in the network's app.
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/15E148 [LinkedInApp]/9.29.9541", "LinkedIn", "mobile"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
     "Chrome/126.0.6478.122 Mobile Safari/537.36 [LinkedInApp]/4.1.960", "LinkedIn", "mobile"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.36.105;FBBV/600000000;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;"
     "FBSV/17.4;FBSS/3;FBID/phone;FBLC/de_DE;FBOP/5;FBRV/0]", "Facebook", "mobile"),
    ("Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/470.0.0.45.108;]", "Facebook", "mobile"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36 Instagram 342.0.0.33.103 Android (34/14; 420dpi; "
     "1080x2400; Google/google; Pixel 8; shiba; shiba; de_DE; 625403213)", "Instagram", "mobile"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/15E148 Instagram 339.0.3.12.91 (iPhone14,2; iOS 17_5_1; de_DE; de; scale=3.00; 1170x2532; 620227925)",
     "Instagram", "mobile"),
]


@pytest.mark.parametrize(("user_agent", "browser", "device"), PEOPLE, ids=[p[1] + "/" + p[2] for p in PEOPLE])
def test_real_browsers_and_in_app_browsers_are_people(user_agent: str, browser: str, device: str) -> None:
    verdict = classify("GET", user_agent)
    assert (verdict.is_bot, verdict.bot_reason, verdict.browser, verdict.device) == (False, "", browser, device)


@pytest.mark.parametrize(("user_agent", "reason"), [
    ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", "preview"),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview"),
    ("meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)", "preview"),
    ("Twitterbot/1.0", "preview"),
    ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "preview"),
    ("WhatsApp/2.23.20.0 A", "preview"),
    ("TelegramBot (like TwitterBot)", "preview"),
    ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "preview"),
    ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com", "preview"),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:15.0) Xing Bot", "preview"),
    ("bitlybot/3.0 (+http://bit.ly/)", "preview"),
    ("Iframely/1.3.1 (+https://iframely.com/docs/about)", "preview"),
    ("Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)", "preview"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 "
     "Safari/537.36", "automation"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36 PhantomJS/2.1.1", "automation"),
    ("curl/8.5.0", "automation"),
    ("python-requests/2.32.3", "automation"),
    ("Wget/1.21.4", "automation"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "crawler"),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "crawler"),
    ("", "empty-ua"),
])
def test_fetchers_scripts_and_crawlers_are_bots_with_their_reason(user_agent: str, reason: str) -> None:
    verdict = classify("GET", user_agent)
    assert (verdict.is_bot, verdict.bot_reason, verdict.device) == (True, reason, "bot")


def test_a_head_request_is_a_bot_even_with_a_browsers_user_agent() -> None:
    assert classify("HEAD", CHROME_WINDOWS).bot_reason == "head"
    assert classify("get", CHROME_WINDOWS).bot_reason == ""


def test_every_example_of_the_crawler_data_set_is_a_bot_unless_it_is_an_in_app_browser() -> None:
    examples = [ua for entry in CRAWLER_USER_AGENTS_DATA for ua in entry.get("instances", ())]
    people = {ua for ua in examples if not classify("GET", ua).is_bot}
    assert len(examples) > 1000
    # The data set lists a scraper by an Android build number that real phones share; an in-app browser
    # (here Instagram's) is a person reading the post, so Postillon counts it as one.
    assert all("Instagram " in ua or "[LinkedInApp]" in ua or "FBAV/" in ua for ua in people), people


def test_every_social_preview_example_of_the_data_set_counts_as_a_preview() -> None:
    previews = [ua for entry in CRAWLER_USER_AGENTS_DATA if "social-preview" in entry.get("tags", ())
                for ua in entry.get("instances", ())]
    assert len(previews) > 50
    assert {ua: classify("GET", ua).bot_reason for ua in previews} == {ua: "preview" for ua in previews}
