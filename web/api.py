"""JSON for the pages' scripts: the delivery list for polling (with an ETag) and live checks while composing."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, get_template_attribute, jsonify, make_response, request, url_for
from flask.typing import ResponseReturnValue

from scheduler.guidelines import check_guidelines
from scheduler.jobrules import check_job_ad
from scheduler.media import owned_unattached
from scheduler.models import Media, PostKind, Vacancy
from scheduler.networks import Network
from scheduler.ports import PostContent, Problem
from scheduler.queries import DeliveryRow, StateGroup, count_by_group, list_deliveries, postable_channels
from web.auth import POSTING_ROLES, roles_required, user
from web.db import get_session
from web.delivery_texts import delivery_problem
from web.filters import channel_label, iso_utc, state_label, user_tz
from web.forms import MAX_TEXT
from web.i18n import _
from web.media import MAX_FILES, save_uploads
from web.messages import message_for
from web.services import services
from web.validation import check_channels

bp = Blueprint("api", __name__, url_prefix="/api")


def group_arg() -> StateGroup:
    """Return the state group chosen in the query string (all deliveries by default)."""
    try:
        return StateGroup(request.args.get("group", StateGroup.ALL.value))
    except ValueError:
        return StateGroup.ALL


def row_version(row: DeliveryRow) -> str:
    """Return a short fingerprint of everything the list shows of ``row``."""
    return hashlib.blake2b(repr(row).encode(), digest_size=8).hexdigest()


def _snapshot(group: StateGroup) -> tuple[list[DeliveryRow], dict[StateGroup, int], list[str], str]:
    db = get_session()
    rows = list_deliveries(db, group)
    counts = count_by_group(db)
    versions = [row_version(row) for row in rows]
    # What the rows look like also depends on who looks (time zone, allowed buttons).
    seed = repr((group.value, user_tz(), user().role.value, sorted(counts.items()), versions))
    return rows, counts, versions, hashlib.blake2b(seed.encode(), digest_size=12).hexdigest()


def _payload(group: StateGroup, rows: list[DeliveryRow], counts: dict[StateGroup, int],
             versions: list[str]) -> dict[str, Any]:
    render_row = get_template_attribute("posts/_row.html", "delivery_row")
    back = url_for("posts.deliveries", group=group.value)
    can_post = user().can_post
    return {
        "group": group.value,
        "counts": {g.value: n for g, n in counts.items()},
        "rows": [
            {
                "id": row.id,
                "version": version,
                "state": row.state.value,
                "state_label": state_label(row.state),
                "channel": channel_label(row.network, row.channel_name, row.handle),
                "due_at": iso_utc(row.due_at),
                "attempts": row.attempts,
                "external_url": row.external_url,
                "error": delivery_problem(row.last_error_kind, row.last_error_message),
                "html": render_row(row, version, back, can_post),
            }
            for row, version in zip(rows, versions, strict=True)
        ],
    }


def deliveries_payload(group: StateGroup) -> tuple[dict[str, Any], str]:
    """Return the list of ``group`` as the page and the API show it, and its ETag."""
    rows, counts, versions, etag = _snapshot(group)
    return _payload(group, rows, counts, versions), etag


@bp.get("/deliveries")
def deliveries() -> ResponseReturnValue:
    """Return the delivery list as JSON; 304 without a body when it is unchanged since the ETag sent."""
    group = group_arg()
    rows, counts, versions, etag = _snapshot(group)
    if etag in request.if_none_match:
        response = make_response("", 304)
    else:
        response = jsonify(_payload(group, rows, counts, versions))
    response.set_etag(etag)
    return response


@bp.post("/validate")
@roles_required(*POSTING_ROLES)
def validate() -> ResponseReturnValue:
    """Check a text (and link) against every channel it could go to; the composer shows counts and problems."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text", ""), str) \
            or not isinstance(data.get("link") or "", str):
        return jsonify(error=_("Send a JSON object with a text.")), 400
    text = str(data.get("text", ""))[:MAX_TEXT]
    raw_ids = data.get("media") or []
    media_ids = [int(i) for i in raw_ids if isinstance(i, int | str) and str(i).isdigit()][:MAX_FILES] \
        if isinstance(raw_ids, list) else []
    db = get_session()
    media = owned_unattached(db, media_ids, user().id)
    raw_texts = data.get("texts")
    raw_texts = raw_texts if isinstance(raw_texts, dict) else {}
    texts = {Network(k): str(v)[:MAX_TEXT] for k, v in raw_texts.items() if k in set(Network) and isinstance(v, str)}
    kind = PostKind(data["kind"]) if data.get("kind") in set(PostKind) else PostKind.PRODUCT_NEWS
    vacancy = db.get(Vacancy, data["vacancy"]) if isinstance(data.get("vacancy"), int) else None

    def company_rules(network: Network, content: PostContent) -> list[Problem]:
        found = check_guidelines(db, kind, network, content.text, content.link)
        return found + (check_job_ad(db, vacancy, content.text, network) if vacancy is not None else [])

    checks = check_channels(services().adapter_config, postable_channels(db), text, data.get("link"), media, texts,
                            company_rules)
    return jsonify(channels=[
        {"id": check.channel_id, "length": check.length, "max": check.max_length,
         "problems": [message_for(problem) for problem in check.problems if problem.blocking],
         "warnings": [message_for(problem) for problem in check.problems if not problem.blocking],
         "preview": {"visible": check.preview.visible, "folded": check.preview.folded,
                     "images": check.preview.images, "link": check.preview.link}}
        for check in checks
    ])


@bp.post("/media")
@roles_required(*POSTING_ROLES)
def upload_media() -> ResponseReturnValue:
    """Store images chosen in the composer right away; they join the post when it is scheduled."""
    files = request.files.getlist("images")[:MAX_FILES]
    if not files:
        return jsonify(media=[], problems=[_("Choose one or more images.")]), 400
    db = get_session()
    saved, problems = save_uploads(db, files, user().id)
    db.commit()
    return jsonify(media=[media_json(m) for m in saved], problems=problems), (201 if saved else 422)


def media_json(media: Media) -> dict[str, Any]:
    """Return what the composer shows of an uploaded image."""
    return {"id": media.id, "filename": media.filename, "width": media.width, "height": media.height,
            "size": media.size_bytes, "consent": media.consent, "alt_text": media.alt_text, "caption": media.caption,
            "preview": url_for("media.preview", media_id=media.id)}
