"""The words of every problem scheduler/ and adapters/ report, by (field, code), with ``%(name)s`` placeholders.

Each English template says exactly what the problem's own ``message`` says (tests/web/test_messages.py
checks it), so the English UI and the logs agree; the German catalogue translates the templates.
"""

from __future__ import annotations

from web.i18n import lazy_gettext as _l

PROBLEMS: dict[tuple[str, str], str] = {
    # The text, as the networks and the composer check it
    ("text", "empty"): _l("Write a text, add a link or add an image."),
    ("text", "too_long"): _l("%(network)s takes at most %(limit)s characters; this text has %(length)s."),
    ("text", "too_long_escaped"): _l(
        "LinkedIn takes %(limit)s characters; this text counts %(length)s (each of \\ | { } @ [ ] ( ) < > * _ ~ "
        "counts twice because it must be escaped)."),
    ("text", "invalid_characters"): _l(
        "The text holds invisible characters X refuses (such as a byte-order mark); retype it."),
    ("text", "too_many_cashtags"): _l("X allows one cashtag per post; this one has %(count)s (%(tags)s)."),
    ("text", "too_many_hashtags"): _l("Use at most %(limit)s hashtags; this text has %(count)s."),
    ("text", "too_many_mentions"): _l("%(network)s allows at most %(limit)s @-mentions; this text has %(count)s."),
    # The company's guidelines
    ("text", "banned_word"): _l("“%(word)s” must not appear in company posts."),
    ("text", "hashtag_missing"): _l("Add the hashtag #%(tag)s."),
    ("text", "footer_missing"): _l("End the text with the legal footer: %(footer)s"),
    ("text", "imprint_unset"): _l(
        "Posts need a link to the imprint, but no imprint address is set; ask an administrator to add it under "
        "Guidelines."),
    ("text", "imprint_missing"): _l("Add the link to the imprint: %(url)s"),
    # Job-ad rules (Austria, Germany)
    ("text", "salary_missing"): _l(
        "Austrian job ads must state the minimum salary under the collective agreement in euros, e.g. "
        "“%(example)s” (GlBG §9(2))."),
    ("text", "overpay_missing"): _l(
        "This vacancy pays more than the minimum: say so, e.g. “Bereitschaft zur Überzahlung je nach "
        "Qualifikation” (GlBG §9(2))."),
    ("text", "gender_marker_missing"): _l(
        "The job title needs a gender-inclusive marker, e.g. “%(title)s (m/w/d)” (%(law)s)."),
    # Link, images, channels, time
    ("link", "bad_url"): _l("The link must start with https:// or http://."),
    ("media", "unknown"): _l("An image is no longer available; add it again."),
    ("media", "no_consent"): _l(
        "%(filename)s has no consent from the people shown; confirm it next to the photo or in the media library, "
        "or remove the photo."),
    ("media", "too_many_media"): _l("%(network)s takes at most %(limit)s images per post; this one has %(count)s."),
    ("media", "media_format"): _l("%(network)s takes %(formats)s images only; convert the others first."),
    ("media", "gif_not_alone"): _l(
        "%(network)s takes one GIF on its own, or up to %(limit)s photos; post the GIF separately."),
    ("media", "media_too_large"): _l("Image %(index)s has %(size)s MB; %(network)s takes at most %(limit)s MB."),
    ("media", "too_many_pixels"): _l(
        "Image %(index)s has %(dimensions)s pixels; %(network)s takes fewer than %(limit)s pixels per image."),
    ("media", "alt_text_too_long"): _l(
        "The description of image %(index)s has %(length)s characters; %(network)s takes at most %(limit)s."),
    ("media", "media_unsupported"): _l("Postillon posts photos to %(network)s Pages; videos are not supported yet."),
    ("media", "media_required"): _l("%(network)s posts need at least one image."),
    ("media", "aspect_ratio"): _l(
        "Image %(index)s is %(dimensions)s pixels; %(network)s takes shapes from 4:5 (portrait) to 1.91:1 "
        "(landscape); crop it first."),
    ("channels", "disabled"): _l("%(channel)s is disabled."),
    ("channels", "none"): _l("Choose at least one channel."),
    ("channels", "unknown"): _l("One of the chosen channels does not exist."),
    ("due_at", "in_past"): _l("The time lies in the past; pick a later time."),
    # Vacancies
    ("title", "required"): _l("Enter the job title."),
    ("title", "too_long"): _l("The job title may have at most %(limit)s characters."),
    ("location", "required"): _l("Enter where the job is, e.g. “Wien”."),
    ("location", "too_long"): _l("The location may have at most %(limit)s characters."),
    ("apply_url", "bad_url"): _l("The application link must start with https:// or http://."),
    ("valid_through", "in_past"): _l("“Valid through” must lie in the future."),
    ("salary_min", "negative"): _l("The minimum salary cannot be negative."),
    ("salary_period", "unknown"): _l("Choose per hour, per month or per year."),
    ("country", "unknown"): _l("Choose Austria (AT) or Germany (DE)."),
    ("language", "unknown"): _l("Choose German (de) or English (en)."),
    ("repost_every_days", "out_of_range"): _l("Repeat every 1 to %(limit)s days, or leave it empty for no repeats."),
    # Job-ad templates
    ("body", "empty"): _l("The template is empty."),
    ("body", "braces"): _l("A brace is not closed; write placeholders as {title}, and a literal brace as {{ or }}."),
    ("body", "unknown_placeholder"): _l("%(name)s is not a placeholder; use one of %(known)s."),
    # CSV import: the file and its rows
    ("file", "read_as_cp1252"): _l(
        "The file is not UTF-8; it was read as Windows-1252 (older Excel). Check the umlauts in the report, or "
        "save it as “CSV UTF-8” next time."),
    ("row", "extra_values"): _l("This row has more values than the first line has columns."),
    ("kind", "unknown_kind"): _l("“%(value)s” is no kind of post; write %(kinds)s or leave it empty."),
    ("channels", "ambiguous_channel"): _l("Several channels are called “%(name)s”; write the channel's number "
                                          "instead."),
    ("channels", "no_such_channel"): _l("There is no channel called “%(name)s”."),
    ("date", "missing"): _l("Enter the date the post goes out."),
    ("time", "missing"): _l("Enter the time the post goes out."),
    ("time", "nonexistent"): _l(
        "%(time)s does not exist in %(zone)s: the clocks go forward an hour that night. Pick another time."),
}
