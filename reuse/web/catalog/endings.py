"""What happened to an item's pieces at the final stage (sold, donated, recycled, disposed),
recorded from the item page, and an admin's correction of such a record."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Disposition, DispositionKind, Item, Stage
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import dispositions, ledger, permissions, quantities
from reuse.services.reports.waste_hierarchy import FRACTION_LABELS
from reuse.web import Refusal
from reuse.web.catalog import bp
from reuse.web.fields import MultiLine, NorwegianDecimalField, WholeNumberField

KIND_LABELS = dispositions.KIND_LABELS
NO_KIND = _l("Velg hva som skjedde med tingene.")


class DispositionForm(FlaskForm):
    # No preselected end: what happened is the lister's answer, never a default.
    kind = RadioField(_l("Hva skjedde?"), choices=[
        SelectChoice(kind.value, KIND_LABELS[kind.value])
        for kind in (DispositionKind.SOLD, DispositionKind.DONATED, DispositionKind.RECYCLED,
                     DispositionKind.DISPOSED)], validators=[InputRequired(NO_KIND)])
    quantity = WholeNumberField(quantities.LABEL, validators=[
        InputRequired(quantities.MISSING), NumberRange(1, MAX_ITEM_QUANTITY, quantities.TOO_FEW)])
    amount_nok = NorwegianDecimalField(
        dispositions.AMOUNT_RECEIVED, places=2,
        validators=[Optional(),
                    NumberRange(min=0, message=dispositions.NEGATIVE_AMOUNT),
                    NumberRange(max=dispositions.MAX_AMOUNT_NOK,
                                message=dispositions.AMOUNT_TOO_HIGH)],
        description=_l("Ved salg: hva dere fikk for tingene, 0 hvis ingenting."))
    recipient = StringField(
        _l("Gitt til"), validators=[Optional(), Length(max=dispositions.MAX_RECIPIENT)],
        description=_l("Ved bortgivelse: organisasjonen eller personen som fikk tingene."))
    fraction = RadioField(_l("Fraksjon"), validate_choice=False, validators=[Optional()],
                          choices=[SelectChoice(value, label)
                                   for value, label in FRACTION_LABELS.items()],
                          description=_l("Ved gjenvinning: hva tingene ble levert som."))
    weight_kg = NorwegianDecimalField(
        _l("Vekt (kg)"), places=3,
        validators=[Optional(),
                    NumberRange(min=0, message=dispositions.NEGATIVE_WEIGHT),
                    NumberRange(max=dispositions.MAX_WEIGHT_KG,
                                message=dispositions.WEIGHT_TOO_HIGH)],
        description=_l("Valgfritt: det som ble veid. Uten vekt regner vi antall × vekt per "
                       "stykk."))


class ReverseDispositionForm(FlaskForm):
    reason = TextAreaField(ledger.REASON_LABEL,
                           validators=[DataRequired(ledger.NO_REASON),
                                       MultiLine(), Length(max=ledger.MAX_REASON)])


def ending_context(item: Item, form: DispositionForm | None = None) -> dict:
    """What the item page's part about ends needs: the form (for those who may record an
    end, while pieces are left at the final stage) and the ends recorded so far."""
    # Only those who manage the item see its ends: no one else's page reads them.
    manages = permissions.can_manage_item(current_user, item)
    rows = list(db.session.scalars(select(Disposition).where(Disposition.item_id == item.id)
                                   .order_by(Disposition.recorded_at, Disposition.id))
                ) if manages else []
    may_record = (item.stage == Stage.FINAL and not item.is_withdrawn
                  and dispositions.pieces_left(item) > 0
                  and permissions.can_record_disposition(current_user, item))
    reversed_ids = {row.reverses_id for row in rows if row.reverses_id is not None}
    return {"ending_form": (form or DispositionForm(formdata=None)) if may_record else None,
            "ends": rows,
            "ends_reversed": reversed_ids,
            "can_correct_ends": permissions.can_correct_dispositions(current_user),
            "end_labels": KIND_LABELS, "fraction_labels": FRACTION_LABELS}


@bp.post("/items/<int:item_id>/dispositions")
@login_required
def record_disposition(item_id: int):
    item = permissions.manageable_item(current_user, item_id)
    form = DispositionForm()
    if form.validate_on_submit():
        kind = form.kind.data
        details = {"amount_nok": form.amount_nok.data if kind == "sold" else None,
                   "recipient": form.recipient.data if kind == "donated" else None,
                   "fraction": form.fraction.data if kind == "recycled" else None}
        with Refusal(form) as refused:
            dispositions.record_end(current_user, item, kind, form.quantity.data,
                                    weight_kg=form.weight_kg.data, **details)
        if not refused:
            db.session.commit()
            flash(_("Det er registrert hva som skjedde med %(count)s stk.",
                    count=form.quantity.data), "success")
            return redirect(url_for("catalog.item_detail", item_id=item.id) + "#ends-heading")
    from reuse.web.catalog.views import render_item_page
    return render_item_page(permissions.visible_item(current_user, item_id),
                            ending_form=form), 422


@bp.route("/dispositions/<int:disposition_id>/reverse", methods=["GET", "POST"])
@login_required
def reverse_disposition(disposition_id: int):
    disposition = permissions.disposition_to_correct(current_user, disposition_id)
    form = ReverseDispositionForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            with Refusal(form) as refused:
                dispositions.reverse(current_user, disposition, form.reason.data)
            if not refused:
                db.session.commit()
                flash(str(ledger.CORRECTED), "success")
                return redirect(url_for("catalog.item_detail", item_id=disposition.item_id))
    return render_template("catalog/disposition_reverse.html", disposition=disposition,
                           form=form, reversal=dispositions.reversal_of(disposition),
                           end_labels=KIND_LABELS, fraction_labels=FRACTION_LABELS), status
