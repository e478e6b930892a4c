"""Attribute an application or lead to the delivery (post on a channel) that brought the person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import Channel, Delivery
from scheduler.utm import clean_utm, parse_delivery_code


@dataclass(frozen=True, slots=True)
class Attribution:
    """The UTM values an outcome arrived with, and the delivery and channel they prove (None: unattributed)."""

    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    delivery_id: int | None = None
    channel_id: int | None = None

    def columns(self) -> dict[str, object]:
        """Return the values as the Application/Lead columns of the same names."""
        return {"utm_source": self.utm_source, "utm_medium": self.utm_medium, "utm_campaign": self.utm_campaign,
                "utm_content": self.utm_content, "delivery_id": self.delivery_id, "channel_id": self.channel_id}


def attribute(session: Session, values: Mapping[str, object]) -> Attribution:
    """Read UTM values (from hidden form fields or a webhook) and find the delivery their code names.

    The delivery counts only when it exists and its channel's network matches ``utm_source`` (when one is
    given), so a hand-edited or foreign ``utm_content`` cannot credit the wrong post; the UTM values are
    kept either way, so campaign-level reports still see them.
    """
    utm = clean_utm(values)
    plain = Attribution(utm_source=utm["utm_source"], utm_medium=utm["utm_medium"],
                        utm_campaign=utm["utm_campaign"], utm_content=utm["utm_content"])
    delivery_id = parse_delivery_code(utm["utm_content"])
    if delivery_id is None:
        return plain
    row = session.execute(
        select(Delivery.id, Channel.id, Channel.network)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.id == delivery_id)
    ).first()
    if row is None or (plain.utm_source and plain.utm_source != row[2].value):
        return plain
    return replace(plain, delivery_id=row[0], channel_id=row[1])
