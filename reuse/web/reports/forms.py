from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Form,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models.purchases import MAX_KEYWORD, MAX_SOURCE
from reuse.services import categories, factors, figures, goals, purchase_rules, purchases
from reuse.services.reports import scope
from reuse.web.fields import (
    LongSelect,
    MultiLine,
    NorwegianDecimalField,
    WholeNumberField,
    whole_number,
)


class IsoDateField(DateField):
    """A date as the browser's date picker sends it, with a translated message otherwise."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2026-03-01.")) from None


class ReportFilterForm(Form):
    """The report's period and unit, read from the query string (a GET form, no CSRF)."""

    start = IsoDateField(scope.FROM, name="from", validators=[Optional()],
                      render_kw={"type": "date"})
    end = IsoDateField(scope.TO, name="to", validators=[Optional()],
                    render_kw={"type": "date"})
    # Every unit id is accepted here; whether this user may see it is the service's call.
    unit = SelectField(scope.RECEIVING_UNIT, coerce=whole_number, validate_choice=False,
                       description=_l("Med alle enheter under."), widget=LongSelect())
    giver = WholeNumberField(scope.GIVING_UNIT, validators=[Optional()])
    category = WholeNumberField(categories.LABEL, validators=[Optional()])
    # Any value is passed on; the scope refuses one it does not know, on this field.
    tree = RadioField(scope.TREE, default=scope.TREE_NOW, validate_choice=False,
                      choices=[SelectChoice(value, label)
                               for value, label in scope.TREE_LABELS.items()],
                      description=scope.TREE_HELP)


class PurchaseFilterForm(ReportFilterForm):
    """The purchases report's period, unit and category (purchase lines have no giver)."""

    category = SelectField(categories.LABEL, coerce=whole_number, validate_choice=False,
                           description=_l("Med kategoriene under."), widget=LongSelect())


class GoalForm(FlaskForm):
    # NumberRange fills in %(min)s and %(max)s itself.
    year = WholeNumberField(_l("År"), validators=[
        InputRequired(_l("Oppgi året.")),
        NumberRange(goals.FIRST_YEAR, goals.LAST_YEAR,
                    _l("Året må være mellom %(min)s og %(max)s."))])
    metric = SelectField(_l("Hva skal måles?"), choices=[
        SelectChoice(metric.value, label) for metric, label in goals.METRIC_LABELS.items()],
        validators=[InputRequired(goals.NO_METRIC)])
    target = NorwegianDecimalField(goals.TARGET_LABEL, places=3, validators=[
        InputRequired(_l("Oppgi målet.")),
        NumberRange(min=Decimal("0.001"), message=_l("Målet må være større enn 0."))],
        description=_l("Kroner, kg CO2e, antall ting, eller prosent for andelene."))
    unit = SelectField(goals.APPLIES_TO, coerce=whole_number, validate_choice=False,
                       description=_l("Hele kommunen, eller én enhet med enhetene under den."),
                       widget=LongSelect())


class DeleteForm(FlaskForm):
    """Only the CSRF token."""


class FactorForm(FlaskForm):
    valid_from = IsoDateField(_l("Gjelder fra"), validators=[InputRequired(_l("Oppgi en dato."))],
                              render_kw={"type": "date"},
                              description=_l("I dag eller senere. Føringer som alt er skrevet, "
                                             "beholder verdiene de ble skrevet med."))
    new_price_nok = NorwegianDecimalField(
        figures.PRICE.label, places=figures.PRICE.places, validators=[
            Optional(), NumberRange(min=0, message=figures.PRICE.negative),
            NumberRange(max=figures.PRICE.maximum, message=figures.PRICE.too_high)])
    new_price_source = TextAreaField(factors.SOURCE_LABELS["new_price_source"], validators=[
        Optional(), MultiLine(), Length(max=factors.MAX_SOURCE)])
    new_price_estimate = BooleanField(_l("Nyprisen er et anslag"))
    weight_kg = NorwegianDecimalField(
        figures.WEIGHT.label, places=figures.WEIGHT.places, validators=[
            Optional(), NumberRange(min=0, message=figures.WEIGHT.negative),
            NumberRange(max=figures.WEIGHT.maximum, message=figures.WEIGHT.too_high)])
    weight_source = TextAreaField(factors.SOURCE_LABELS["weight_source"], validators=[
        Optional(), MultiLine(), Length(max=factors.MAX_SOURCE)])
    weight_estimate = BooleanField(_l("Vekten er et anslag"))
    co2e_kg = NorwegianDecimalField(
        figures.CO2E.label, places=figures.CO2E.places,
        validators=[Optional(), NumberRange(min=0, message=figures.CO2E.negative),
                    NumberRange(max=figures.CO2E.maximum, message=figures.CO2E.too_high)])
    co2e_source = TextAreaField(factors.SOURCE_LABELS["co2e_source"], validators=[
        Optional(), MultiLine(), Length(max=factors.MAX_SOURCE)])
    co2e_estimate = BooleanField(_l("Utslippstallet er et anslag"))
    note = TextAreaField(factors.NOTE_LABEL,
                         validators=[Optional(), MultiLine(), Length(max=factors.MAX_NOTE)],
                         description=_l("Hvorfor faktorene endres, for eksempel ny "
                                        "rammeavtale."))

    def change(self) -> factors.FactorChange:
        return factors.FactorChange(
            valid_from=self.valid_from.data,
            new_price_nok=self.new_price_nok.data,
            new_price_source=self.new_price_source.data or "",
            new_price_estimate=self.new_price_estimate.data,
            weight_kg=self.weight_kg.data, weight_source=self.weight_source.data or "",
            weight_estimate=self.weight_estimate.data,
            co2e_kg=self.co2e_kg.data, co2e_source=self.co2e_source.data or "",
            co2e_estimate=self.co2e_estimate.data, note=self.note.data or "")


# -- purchases: bringing lines in and the rules that give them a category ------------------

NOT_REUSABLE_CHOICE = "none"  # the category select's choice for "not a reusable category"


class PurchaseImportForm(FlaskForm):
    file = FileField(_l("Fil med innkjøpslinjer (CSV eller XLSX)"),
                     description=_l("Overskriftene og formatet står i README og API.md: "
                                    "line_id, order_number, ordered_on, unit_code, supplier, "
                                    "description, unspsc, category, quantity, amount_nok."))
    source = StringField(purchases.SOURCE_LABEL, validators=[
        InputRequired(purchases.NO_SOURCE),
        Length(max=MAX_SOURCE, message=_l("Kilden kan være høyst %(max)d tegn."))],
        description=_l("Innkjøpssystemet linjene kommer fra. Linjene kjennes igjen på kilde "
                       "og linje-id, så samme fil to ganger endrer ingenting."))
    all_or_nothing = BooleanField(_l("Alt eller ingenting: importer ingen linjer hvis én "
                                     "blir avvist"))


class PurchaseRuleForm(FlaskForm):
    kind = RadioField(_l("Regel for"), choices=[
        SelectChoice(kind, label) for kind, label in purchase_rules.KIND_LABELS.items()],
        validators=[InputRequired(purchase_rules.NO_KIND)])
    pattern = StringField(_l("Kode eller ord"), validators=[
        InputRequired(_l("Skriv koden eller ordet.")),
        Length(max=MAX_KEYWORD, message=_l("Høyst %(max)d tegn."))],
        description=_l("UNSPSC: de første sifrene, for eksempel 5611. Nøkkelord: et ord fra "
                       "beskrivelsen, for eksempel kontorstol (sammensatte ord som slutter "
                       "på ordet, treffer også)."))
    category = SelectField(_l("Gir kategorien"), validate_choice=False,
                           widget=LongSelect())


class PurchaseRuleCategoryForm(FlaskForm):
    category = SelectField(_l("Ny kategori"), validate_choice=False, widget=LongSelect())
