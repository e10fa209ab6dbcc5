from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from reuse.i18n import lazy_gettext as _l
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import claims, ledger, quantities
from reuse.services.claims import (
    DECLINE_REASON_LABELS,
    MAX_MESSAGE,
    NO_DECLINE_REASON,
)
from reuse.web.fields import MultiLine, NorwegianDecimalField, WholeNumberField

MESSAGE_TO_GIVER = _l("Melding til giveren")


class ClaimForm(FlaskForm):
    quantity = WholeNumberField(_l("Hvor mange trenger dere?"), default=1, validators=[
        InputRequired(quantities.MISSING),
        NumberRange(1, MAX_ITEM_QUANTITY, quantities.TOO_FEW)])
    message = TextAreaField(MESSAGE_TO_GIVER,
                            validators=[Optional(), MultiLine(), Length(max=MAX_MESSAGE)],
                            description=_l("For eksempel når dere kan hente, eller spørsmål "
                                           "om tingene."))


class DecisionForm(FlaskForm):
    message = TextAreaField(claims.MESSAGE_LABEL,
                            validators=[Optional(), MultiLine(), Length(max=MAX_MESSAGE)])


class DeclineForm(FlaskForm):
    # No preselected reason: the claimant reads it as the lister's own answer.
    reason = RadioField(_l("Hvorfor avslår du?"),
                        choices=[SelectChoice(code.value, label)
                                 for code, label in DECLINE_REASON_LABELS.items()],
                        validators=[InputRequired(NO_DECLINE_REASON)])
    message = TextAreaField(_l("Begrunnelse"),
                            validators=[Optional(), MultiLine(), Length(max=MAX_MESSAGE)],
                            description=_l("Den som ba om tingene, ser det du skriver. "
                                           "Må fylles ut ved «Annen grunn»."))
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A step that only happens once the person has seen what it leads to: a post without
    `confirm` shows the confirmation page instead."""

    # No default: a post that lacks the field must not read as confirmed. The page's form
    # sends confirm=yes.
    confirm = HiddenField()
    next = HiddenField()

    @property
    def confirmed(self) -> bool:
        return self.is_submitted() and self.confirm.data == "yes"


class CancelForm(ConfirmForm):
    message = TextAreaField(MESSAGE_TO_GIVER,
                            validators=[Optional(), MultiLine(), Length(max=MAX_MESSAGE)])


class CollectForm(FlaskForm):
    # No preselected answer: a default "yes" would count avoided purchases nobody confirmed.
    replaces_purchase = RadioField(
        _l("Ville dere ellers ha kjøpt dette nytt?"),
        choices=[SelectChoice("yes", _l("Ja, vi slipper å kjøpe nytt")),
                 SelectChoice("no", _l("Nei, vi ville ikke ha kjøpt nytt"))],
        validators=[InputRequired(_l("Svar ja eller nei."))],
        description=_l("Ja fører et unngått innkjøp: kroner og CO2e for nye ting, og avfallet "
                       "som ble unngått. Nei fører bare avfallet som ble unngått."))
    costs_nok = NorwegianDecimalField(
        _l("Kostnader ved overleveringen (kr)"), places=2, default=0,
        validators=[Optional(),
                    NumberRange(min=0, message=ledger.NEGATIVE_COSTS),
                    NumberRange(max=ledger.MAX_COSTS_NOK, message=ledger.COSTS_TOO_HIGH)],
        description=_l("Transport, reparasjon, omtrekk og lignende. 0 hvis ingen."))


class ReverseRecordForm(FlaskForm):
    reason = TextAreaField(ledger.REASON_LABEL,
                           validators=[DataRequired(ledger.NO_REASON),
                                       MultiLine(), Length(max=ledger.MAX_REASON)])
