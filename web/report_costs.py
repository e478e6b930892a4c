"""Channel costs: what a boost or a paid job slot cost, entered by hand; the reports divide it by applications."""

from __future__ import annotations

import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from scheduler.audit import audit
from scheduler.clock import to_local
from scheduler.models import Channel, ChannelCost, Role, Vacancy
from web.auth import roles_required, user
from web.db import get_session
from web.filters import user_tz
from web.i18n import _
from web.i18n import lazy_gettext as _l
from web.report_format import Figures
from web.report_period import local_midnight, parse_day
from web.reports import READ_ROLES, bp
from web.services import services
from workers.report_words import Words

#: Enter and delete channel costs: the people who spend on channels (recruiting and marketing) and admins.
COST_ROLES = (Role.ADMIN, Role.RECRUITER, Role.MARKETER)
#: The largest single cost accepted, in cents (10 million euros): a typo guard.
MAX_CENTS = 1_000_000_000
#: "1.234,56", "1,234.56", "1234.5", "1234" (euros, at most two decimals; grouping optional).
_AMOUNT = re.compile(r"(?P<whole>\d{1,3}(?:(?P<group>[.,' ])\d{3})*|\d+)(?:(?P<decimal>[.,])(?P<cents>\d{1,2}))?")


class BadAmountError(ValueError):
    """An amount that is not a number of euros with at most two decimals."""


def parse_euros(text: str) -> int:
    """Return the cents of an amount typed with German or English separators ("1.234,50" = "1,234.50")."""
    cleaned = text.strip().removesuffix("€").removeprefix("€").removesuffix("EUR").strip()
    found = _AMOUNT.fullmatch(cleaned)
    if not found or (found["group"] and found["decimal"] == found["group"]):
        raise BadAmountError(text)
    whole = int(re.sub(r"\D", "", found["whole"]))
    cents = int((found["cents"] or "0").ljust(2, "0"))
    return whole * 100 + cents


class CostForm(FlaskForm):
    """One cost: channel, what it was for, amount, date, note."""

    channel = SelectField(_l("Channel"), coerce=int, invalid_choice_message=_l("Choose a channel from the list."))
    vacancy = SelectField(_l("For the vacancy (optional)"), coerce=int, default=0,
                          invalid_choice_message=_l("Choose a vacancy from the list."))
    campaign = StringField(_l("Or for the campaign (optional)"), validators=[Length(max=120)])
    amount = StringField(_l("Amount in euros"), validators=[Length(max=20)])
    spent_on = StringField(_l("Date"), validators=[Length(max=10)])
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=500)])


def _form() -> CostForm:
    db = get_session()
    form = CostForm()
    form.channel.choices = [SelectChoice(str(c.id), f"{Words('en').network(c.network)} · {c.name}")
                            for c in db.scalars(select(Channel).order_by(Channel.network, Channel.name))]
    form.vacancy.choices = [SelectChoice("0", _("— none —")), *(
        SelectChoice(str(v.id), f"{v.title} ({v.location})")
        for v in db.scalars(select(Vacancy).order_by(Vacancy.status, Vacancy.title)))]
    return form


def _page(form: CostForm, problems: dict[str, str], status: int = 200) -> ResponseReturnValue:
    db = get_session()
    rows = db.execute(select(ChannelCost, Channel, Vacancy).join(Channel, Channel.id == ChannelCost.channel_id)
                      .outerjoin(Vacancy, Vacancy.id == ChannelCost.vacancy_id)
                      .order_by(ChannelCost.spent_at.desc(), ChannelCost.id.desc()).limit(500)).all()
    return render_template("reports/costs.html", form=form, problems=problems, rows=rows,
                           can_edit=user().role in COST_ROLES, words=Words("en"), fig=Figures(user_tz())), status


@bp.get("/costs")
@roles_required(*READ_ROLES)
def costs() -> ResponseReturnValue:
    """List the entered channel costs and offer the form to add one."""
    form = _form()
    form.spent_on.data = to_local(services().clock(), user_tz()).date().isoformat()
    form.vacancy.data = request.args.get("vacancy", 0, type=int)  # from a vacancy's page: that vacancy chosen
    return _page(form, {})


def _checked(form: CostForm) -> tuple[dict[str, object], dict[str, str]]:
    problems: dict[str, str] = {}
    if not form.validate():
        problems |= {name: str(errors[0]) for name, errors in form.errors.items() if errors}
    if form.vacancy.data and (form.campaign.data or "").strip():
        problems["campaign"] = _("Choose a vacancy or name a campaign, not both.")
    cents = 0
    try:
        cents = parse_euros(form.amount.data or "")
    except BadAmountError:
        problems["amount"] = _("Enter an amount in euros like 250 or 1.234,50.")
    if not problems.get("amount") and not 0 < cents <= MAX_CENTS:
        problems["amount"] = _("Enter an amount above 0 and at most 10.000.000 euros.")
    day: date | None = parse_day(form.spent_on.data or "")
    if day is None:
        problems["spent_on"] = _("Enter a date like 2026-03-31 or 31.03.2026.")
    values = {"channel_id": form.channel.data, "vacancy_id": form.vacancy.data or None,
              "campaign": (form.campaign.data or "").strip(), "amount_cents": cents,
              "spent_at": local_midnight(day, user_tz()) if day else None, "note": (form.note.data or "").strip()}
    return values, problems


@bp.post("/costs")
@roles_required(*COST_ROLES)
def add_cost() -> ResponseReturnValue:
    """Store a cost; a problem shows the form again with what was typed (422), nothing stored."""
    form = _form()
    values, problems = _checked(form)
    if problems:
        return _page(form, problems, 422)
    db = get_session()
    cost = ChannelCost(**values, currency="EUR", created_by_id=user().id)
    db.add(cost)
    db.flush()
    audit(db, user().id, "channel_cost.add", f"channel_cost:{cost.id}",
          f"channel {cost.channel_id}, {cost.amount_cents} cents")
    db.commit()
    flash(_("The cost is saved."), "success")
    return redirect(url_for("reports.costs"), 303)


@bp.post("/costs/<int:cost_id>/delete")
@roles_required(*COST_ROLES)
def delete_cost(cost_id: int) -> ResponseReturnValue:
    """Delete one cost."""
    db = get_session()
    cost = db.get(ChannelCost, cost_id)
    if cost is None:
        abort(404)
    audit(db, user().id, "channel_cost.delete", f"channel_cost:{cost.id}",
          f"channel {cost.channel_id}, {cost.amount_cents} cents")
    db.delete(cost)
    db.commit()
    flash(_("The cost is deleted."), "success")
    return redirect(url_for("reports.costs"), 303)
