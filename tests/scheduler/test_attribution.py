"""Attribution: the delivery code in the UTM values credits a delivery only when the evidence agrees."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from scheduler.attribution import Attribution, attribute
from scheduler.networks import Network
from tests.factories import make_channel, make_delivery


def test_a_delivery_code_with_the_channels_network_attributes_delivery_and_channel(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.LINKEDIN))
        found = attribute(session, {"utm_source": "LinkedIn", "utm_medium": "social", "utm_campaign": "job-7-koch",
                                    "utm_content": f"d{delivery.id}"})
        assert found == Attribution(utm_source="linkedin", utm_medium="social", utm_campaign="job-7-koch",
                                    utm_content=f"d{delivery.id}", delivery_id=delivery.id,
                                    channel_id=delivery.channel_id)


def test_without_a_source_the_code_alone_attributes(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session)
        assert attribute(session, {"utm_content": f"d{delivery.id}"}).delivery_id == delivery.id


def test_a_source_that_contradicts_the_channel_keeps_the_utm_values_but_credits_no_delivery(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        delivery = make_delivery(session, channel=make_channel(session, network=Network.X))
        found = attribute(session, {"utm_source": "facebook", "utm_content": f"d{delivery.id}"})
        assert (found.utm_source, found.utm_content) == ("facebook", f"d{delivery.id}")
        assert (found.delivery_id, found.channel_id) == (None, None)


def test_an_unknown_delivery_or_a_foreign_content_value_credits_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert attribute(session, {"utm_content": "d999999"}).delivery_id is None
        assert attribute(session, {"utm_source": "newsletter", "utm_content": "spring-banner"}) == Attribution(
            utm_source="newsletter", utm_content="spring-banner")
        assert attribute(session, {}) == Attribution()


def test_columns_match_the_application_and_lead_columns() -> None:
    values = Attribution(utm_source="x", delivery_id=3, channel_id=4).columns()
    assert values == {"utm_source": "x", "utm_medium": "", "utm_campaign": "", "utm_content": "",
                      "delivery_id": 3, "channel_id": 4}
