"""A delivery's stored problem for people: Postillon's own explanations in the reader's language.

What a network said stays as it said it (it is evidence, and the adapters keep it verbatim); what
Postillon itself wrote when it parked, gave up on or checked a delivery is fixed English in the
database (``last_error_message``) and is recognised here, by the error kind and the wording, and
translated when it is shown. Nothing stored changes, so old deliveries are translated too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from scheduler.dispatch import LEASE_EXPIRED_MESSAGE
from web.filters import local_time
from web.i18n import gettext as _
from web.i18n import lazy_gettext as _l

#: Explanations stored word for word: (last_error_kind, English message) -> the words to show.
FIXED: dict[tuple[str, str], str] = {
    ("channel_unavailable", "The channel is disabled; enable it to publish."):
        _l("The channel is disabled; enable it to publish."),
    ("channel_unavailable", "The channel needs to be reconnected before it can publish."):
        _l("The channel needs to be reconnected before it can publish."),
    ("unknown", LEASE_EXPIRED_MESSAGE): _l(
        "The worker stopped answering while publishing, so Postillon cannot tell whether the post went out. It will "
        "not publish again on its own; it will look for the post on the network, or check the channel yourself, "
        "then mark it published or publish again."),
}
# Explanations with values in them (scheduler/publishing.py, pending.py and reconcile.py write them).
_GAVE_UP = re.compile(r"Gave up after (\d+) attempts\. Last error: (.*)", re.DOTALL)
_UNEXPECTED = re.compile(r"Unexpected (\w+) while publishing; the post may or may not be live\. Check the channel "
                         r"before publishing again\.")
_EXPIRED = re.compile(r"(.+) did not finish processing the media within 24 hours, so it expired there\. Publish the "
                      r"post again\.")
_ABSENT = re.compile(r"(?:^| )\(Checked (.+?) at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC: no such post found, so publishing "
                     r"again should not create a duplicate\.\)$")
_CHECK_FAILED = re.compile(r"(?:^| )\(Could not check (.+?) for the post: (.*)\)$", re.DOTALL)


def delivery_problem(kind: str | None, message: str | None) -> str:
    """Return a delivery's stored problem with Postillon's own explanations translated; the network's words stay."""
    if not message:
        return ""
    base, note = _split_note(message)
    words = _base(kind or "", base)
    return f"{words} {note}".strip() if note else words


def _base(kind: str, message: str) -> str:
    fixed = FIXED.get((kind, message))
    if fixed is not None:
        return str(fixed)
    if found := _GAVE_UP.fullmatch(message):
        return _("Gave up after %(num)s attempts. Last error: %(error)s", num=found[1],
                 error=_base(kind, found[2]))
    if kind == "unknown" and (found := _UNEXPECTED.fullmatch(message)):
        return _("Unexpected %(error)s while publishing; the post may or may not be live. Check the channel before "
                 "publishing again.", error=found[1])
    if kind == "expired" and (found := _EXPIRED.fullmatch(message)):
        return _("%(network)s did not finish processing the media within 24 hours, so it expired there. Publish the "
                 "post again.", network=found[1])
    return message


def _split_note(message: str) -> tuple[str, str]:
    """Split off the note a reconciliation check appended, translated."""
    if found := _ABSENT.search(message):
        at = datetime.strptime(found[2], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        return message[:found.start()], _("(Checked %(network)s at %(time)s: no such post found, so publishing "
                                          "again should not create a duplicate.)", network=found[1],
                                          time=local_time(at))
    if found := _CHECK_FAILED.search(message):
        return message[:found.start()], _("(Could not check %(network)s for the post: %(reason)s)",
                                          network=found[1], reason=found[2])
    return message, ""
