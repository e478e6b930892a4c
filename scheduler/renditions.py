"""Per-network renditions: a copy of an image that meets one network's rules, made with Pillow and cached.

An original that already fits a network is used as it is. Otherwise the rendition is cropped to the
network's aspect range (centre crop), scaled to its size limits and re-encoded (JPEG for Instagram
and for any type the network does not take), then stored as a MediaRendition per (media, network).
Animated GIFs are kept as they are where they fit; a rendition of one is a still of its first frame.
The limits mirror the adapters' validate() (networks.md); they are data, not code paths.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.imaging import MediaError, describe, encode
from scheduler.models import Media, MediaRendition
from scheduler.networks import Network
from scheduler.ports import params

if TYPE_CHECKING:
    from scheduler.media import MediaStore

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImageRules:
    """What one network takes: types, bytes, longest side, pixel count and aspect range (width / height)."""

    types: frozenset[str]
    max_bytes: int | None = None  # at most this many bytes
    max_gif_bytes: int | None = None  # animated GIFs may be larger (X)
    max_side: int | None = None
    max_pixels: int | None = None  # fewer than this many pixels
    aspect: tuple[float, float] | None = None  # checked like Meta does, on the ratio rounded to 2 places


RULES: dict[Network, ImageRules] = {
    Network.INSTAGRAM: ImageRules(frozenset({JPEG}), max_bytes=8 * MB, max_side=1440, aspect=(0.8, 1.91)),
    Network.X: ImageRules(frozenset({JPEG, PNG, GIF, WEBP}), max_bytes=5 * MB, max_gif_bytes=15 * MB, max_side=4096),
    Network.LINKEDIN: ImageRules(frozenset({JPEG, PNG, GIF}), max_pixels=36_152_320),
    Network.FACEBOOK: ImageRules(frozenset({JPEG, PNG}), max_bytes=4 * MB - 1),  # "smaller than 4 MB"
}
#: Steps tried in order until the encoded rendition is small enough: (scale, JPEG quality).
SHRINK_STEPS = ((1.0, 90), (1.0, 80), (1.0, 70), (0.8, 75), (0.6, 75), (0.4, 75), (0.25, 70))


@dataclass(frozen=True, slots=True)
class Plan:
    """How a rendition is made: the type, and the crop box and final size in the upright original."""

    mime_type: str
    crop: tuple[int, int, int, int]
    width: int
    height: int


def fits(mime_type: str, width: int, height: int, size_bytes: int | None, network: Network) -> bool:
    """Tell whether an image of this type, shape and size can go to ``network`` as it is."""
    rules = RULES.get(network)
    if rules is None:
        return True  # assisted channels (XING): the owner uploads the original by hand
    cap = rules.max_gif_bytes if mime_type == GIF and rules.max_gif_bytes else rules.max_bytes
    return (mime_type in rules.types
            and (cap is None or size_bytes is None or size_bytes <= cap)
            and (rules.max_side is None or max(width, height) <= rules.max_side)
            and (rules.max_pixels is None or width * height < rules.max_pixels)
            and (rules.aspect is None or rules.aspect[0] <= round(width / height, 2) <= rules.aspect[1]))


def plan_for(mime_type: str, width: int, height: int, size_bytes: int | None, network: Network) -> Plan | None:
    """Return how to make ``network``'s rendition of an image, or None when the original fits."""
    if fits(mime_type, width, height, size_bytes, network):
        return None
    rules = RULES[network]
    box = _crop_box(width, height, rules.aspect)
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    scale = 1.0
    if rules.max_side is not None:
        scale = min(scale, rules.max_side / max(crop_w, crop_h))
    if rules.max_pixels is not None and crop_w * crop_h >= rules.max_pixels:
        scale = min(scale, math.sqrt((rules.max_pixels - 1) / (crop_w * crop_h)))
    too_heavy = rules.max_bytes is not None and size_bytes is not None and size_bytes > rules.max_bytes
    # A type the network takes stays (a resized PNG stays PNG); anything else, or a file too heavy, becomes JPEG.
    keep = mime_type in rules.types and mime_type != GIF and not too_heavy
    return Plan(mime_type if keep else JPEG, box, max(1, math.floor(crop_w * scale)),
                max(1, math.floor(crop_h * scale)))


def _crop_box(width: int, height: int, aspect: tuple[float, float] | None) -> tuple[int, int, int, int]:
    if aspect is None:
        return 0, 0, width, height
    low, high = aspect
    if round(width / height, 2) < low:  # too tall: keep the full width, cut top and bottom
        new_h = min(height, math.floor(width / low))
        top = (height - new_h) // 2
        return 0, top, width, top + new_h
    if round(width / height, 2) > high:  # too wide: keep the full height, cut the sides
        new_w = min(width, math.floor(height * high))
        left = (width - new_w) // 2
        return left, 0, left + new_w, height
    return 0, 0, width, height


def render(data: bytes, plan: Plan, network: Network) -> bytes:
    """Return the rendition's bytes: the upright original cropped, scaled and encoded per ``plan``.

    Raises:
        MediaError: the original cannot be read, or no step gets it under the network's byte limit.
    """
    cap = RULES[network].max_bytes
    try:
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)  # stored files are upright already; old ones may not be
            image = upright.crop(plan.crop)
            if image.size != (plan.width, plan.height):
                image = image.resize((plan.width, plan.height), Image.Resampling.LANCZOS)
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"The stored image cannot be read ({type(exc).__name__}).", code="media.stored_unreadable",
                         params=params(error=type(exc).__name__)) from None
    if image.mode == "P" and plan.mime_type != GIF:
        image = image.convert("RGBA")
    mime = plan.mime_type
    if cap is None:
        return encode(image, mime)
    for scale, quality in SHRINK_STEPS:
        if mime != JPEG and (scale, quality) != SHRINK_STEPS[0]:
            mime = JPEG  # a PNG too heavy at full size is a photo: JPEG makes it small
        sized = image if scale == 1.0 else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS)
        encoded = encode(sized, mime, quality=quality)
        if len(encoded) <= cap:
            return encoded
    raise MediaError(f"The image cannot be made smaller than {cap / MB:.1f} MB for {network.label}.",
                     code="media.cannot_shrink", params=params(limit=cap / MB, network=network))


def rendition_for(session: Session, store: MediaStore, media: Media, network: Network) -> MediaRendition | Media:
    """Return the image to hand to ``network``: the original when it fits, else its (cached) rendition.

    Raises:
        MediaError: the original file is missing or unreadable.
    """
    plan = plan_for(media.mime_type, media.width, media.height, media.size_bytes, network)
    if plan is None:
        return media
    query = select(MediaRendition).where(MediaRendition.media_id == media.id, MediaRendition.network == network)
    cached = session.scalars(query).one_or_none()
    if cached is not None and fits(cached.mime_type, cached.width, cached.height, cached.size_bytes, network):
        return cached
    try:
        original = store.path(media.storage_key).read_bytes()
    except OSError as exc:
        raise MediaError(f"{media.filename} is missing from the media directory.", code="media.missing_file",
                         params=params(filename=media.filename)) from exc
    data = render(original, plan, network)
    info = describe(data)
    values = {"mime_type": info.mime_type, "size_bytes": info.size_bytes, "width": info.width,
              "height": info.height, "sha256": info.sha256, "storage_key": store.save(data, info)}
    if cached is not None:  # made under older rules: bring it up to date
        for name, value in values.items():
            setattr(cached, name, value)
        session.flush()
        return cached
    row = MediaRendition(media_id=media.id, network=network, **values)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker made the same rendition at the same moment: use theirs
        return session.scalars(query).one()
    return row
