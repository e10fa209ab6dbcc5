from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.web.fields import NorwegianDecimalField
from reuse.services.claims import MAX_MESSAGE


class ClaimForm(FlaskForm):
    quantity = IntegerField("Hvor mange trenger dere?", default=1, validators=[
        InputRequired("Oppgi antall."),
        NumberRange(1, MAX_ITEM_QUANTITY, "Antall må være minst 1.")])
    message = TextAreaField("Melding til giveren", validators=[Optional(),
                                                               Length(max=MAX_MESSAGE)],
                            description="For eksempel når dere kan hente, eller spørsmål om "
                                        "tingene.")


class DecisionForm(FlaskForm):
    message = TextAreaField("Melding", validators=[Optional(), Length(max=MAX_MESSAGE)])


class CollectForm(FlaskForm):
    replaces_purchase = RadioField(
        "Ville dere ellers ha kjøpt dette nytt?",
        choices=[SelectChoice("yes", "Ja, vi slipper å kjøpe nytt"),
                 SelectChoice("no", "Nei, vi ville ikke ha kjøpt nytt")],
        default="yes", validators=[InputRequired("Svar ja eller nei.")])
    costs_nok = NorwegianDecimalField(
        "Kostnader ved overleveringen (kr)", places=2, default=0,
        validators=[Optional(), NumberRange(min=0, message="Kostnadene kan ikke være negative.")],
        description="Transport, reparasjon, omtrekk og lignende. 0 hvis ingen.")


class ReverseRecordForm(FlaskForm):
    reason = TextAreaField("Hvorfor korrigeres føringen?",
                           validators=[DataRequired("Skriv hvorfor føringen korrigeres."),
                                       Length(max=2000)])
