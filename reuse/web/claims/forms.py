from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import claims, ledger, quantities
from reuse.services.claims import MAX_MESSAGE
from reuse.web.fields import MultiLine, NorwegianDecimalField, WholeNumberField


class ClaimForm(FlaskForm):
    quantity = WholeNumberField(_l("Hvor mange trenger dere?"), default=1, validators=[
        InputRequired(quantities.MISSING),
        NumberRange(1, MAX_ITEM_QUANTITY, quantities.TOO_FEW)])
    message = TextAreaField(_l("Melding til giveren"),
                            validators=[Optional(), MultiLine(), Length(max=MAX_MESSAGE)],
                            description=_l("For eksempel når dere kan hente, eller spørsmål "
                                           "om tingene."))


class DecisionForm(FlaskForm):
    message = TextAreaField(claims.MESSAGE_LABEL,
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
