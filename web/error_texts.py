"""The words of every error scheduler/ raises for people to read, by code, with ``%(name)s`` placeholders.

Each English template says exactly what the error's own ``message`` says; the German catalogue
translates the templates.
"""

from __future__ import annotations

from web.i18n import lazy_gettext as _l

ERRORS: dict[str, str] = {
    # Approvals
    "approval.not_found": _l("This post does not exist (any more)."),
    "approval.not_reviewer": _l("Only managers and administrators approve posts."),
    "approval.own_post": _l("You cannot approve your own post: someone else has to review it."),
    "approval.not_pending": _l("This post is not waiting for approval (any more)."),
    "approval.nothing_left": _l("Nothing of this post is left to approve: its deliveries are past scheduling."),
    "approval.decided_meanwhile": _l("Someone else decided on this post a moment ago."),
    "approval.comment_required": _l("Tell the author what to change."),
    # Connecting a channel
    "oauth.missing": _l("No sign-in is waiting for an answer: it was already used, or it was never started here. "
                        "Start again from the channels page."),
    "oauth.state_mismatch": _l("The answer from the network does not belong to the sign-in started here, so it was "
                               "not used. Start again from the channels page."),
    "oauth.wrong_network": _l("The answer came for another network than the sign-in was started for, so it was not "
                              "used. Start again from the channels page."),
    "oauth.expired": _l("The sign-in took longer than 10 minutes and has expired; nothing was stored. Start again "
                        "from the channels page."),
    # Assisted channels and their tasks
    "task.not_assisted": _l("%(network)s is not an assisted channel."),
    "task.name_missing": _l("Give the channel a name."),
    "task.profile_url_bad": _l("The profile address must be a %(network)s address (https://www.xing.com/…)."),
    "task.owner_missing": _l("Choose who posts on this channel."),
    "task.post_url_bad": _l("Paste the address of the post on %(network)s (it starts with https://www.%(host)s/)."),
    "task.time_in_past": _l("Pick a time in the future."),
    # Images
    "media.empty": _l("%(filename)s is empty."),
    "media.too_large": _l("%(filename)s has %(size)s MB; the limit is %(limit)s MB per image."),
    "media.too_many_pixels": _l("%(filename)s has more than %(limit)s megapixels."),
    "media.unreadable": _l("%(filename)s is not an image Postillon can read."),
    "media.format": _l("%(filename)s is a %(format)s image; use JPEG, PNG, GIF or WebP."),
    "media.bad_key": _l("Invalid media key."),
    "media.stored_unreadable": _l("The stored image cannot be read (%(error)s)."),
    "media.cannot_shrink": _l("The image cannot be made smaller than %(limit)s MB for %(network)s."),
    "media.missing_file": _l("%(filename)s is missing from the media directory."),
    # Posting slots
    "slot.no_channel": _l("The channel does not exist."),
    "slot.bad_weekday": _l("%(weekday)s is not a weekday (0 = Monday … 6 = Sunday)."),
    "slot.bad_time": _l("%(time)s is not a time of day as HH:MM (00:00 to 23:59)."),
    "slot.duplicate": _l("The slot %(time)s on weekday %(weekday)s is given twice."),
    # Posts
    "post.url_bad": _l("The post URL must start with https:// or http://."),
    # CSV import: the whole file, and single values
    "csv.too_large": _l("The file is larger than %(limit)s MB; split it into smaller files."),
    "csv.not_text": _l("The file cannot be read as text; save it as “CSV UTF-8” and upload it again."),
    "csv.empty": _l("The file is empty."),
    "csv.too_many_rows": _l("The file has more than %(limit)s rows; split it into smaller files."),
    "csv.malformed": _l("The file is not a readable CSV file (line %(line)s: %(error)s)."),
    "csv.column_twice": _l("The column “%(column)s” appears twice in the first line; keep one."),
    "csv.columns_missing": _l("The first line must name the columns; missing: %(columns)s. Download the template "
                              "to see every column."),
    "csv.not_a_date": _l("“%(value)s” is no date; write it as 31.12.2026 or 2026-12-31."),
    "csv.no_such_date": _l("“%(value)s” is no date in the calendar."),
    "csv.not_a_time": _l("“%(value)s” is no time; write it as 09:30 (24-hour clock)."),
    "csv.not_an_employment_type": _l("“%(value)s” is no employment type; write e.g. Vollzeit, Teilzeit, FULL_TIME "
                                     "or PART_TIME."),
    "csv.not_a_whole_number": _l("“%(value)s” is no whole number."),
    "csv.not_yes_no": _l("Write “ja” or “nein” instead of “%(value)s”."),
}
