from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from reuse.models.catalog import (
    MAX_ADDRESS,
    MAX_ALT_TEXT,
    MAX_BUILDING,
    MAX_COLLECTION_NOTES,
    MAX_DESCRIPTION,
    MAX_ITEM_QUANTITY,
    MAX_ROOM,
    MAX_TITLE,
)
from reuse.services import categories, figures, items
from reuse.services.claims import MAX_MESSAGE
from reuse.services.items import ItemDetails, latest_internal_until
from reuse.templating import CONDITION_LABELS
from reuse.web.claims.forms import ConfirmForm
from reuse.web.fields import (
    MultiLine,
    NorwegianDecimalField,
    SingleLine,
    WholeNumberField,
    whole_number,
)

PHOTO_SLOTS = 3
# "image/*" makes phones offer the camera as well as the gallery; the server checks the type.
IMAGE_ACCEPT = "image/*"


class PhotoUploadForm(Form):
    """One photo with its alt text (a plain Form: it lives inside the CSRF-protected one)."""

    file = FileField(_l("Bilde"), render_kw={"accept": IMAGE_ACCEPT})
    alt_text = StringField(
        _l("Beskriv bildet kort"),
        validators=[Optional(), SingleLine(), Length(max=MAX_ALT_TEXT)],
        description=_l("For skjermlesere, for eksempel «Blå kontorstol sett forfra»."),
    )


class ItemForm(FlaskForm):
    title = StringField(items.LABELS["title"], validators=[
        DataRequired(items.NO_TITLE), SingleLine(), Length(max=MAX_TITLE)],
                        description=_l("For eksempel «12 kontorstoler, HÅG Futu, svarte»."))
    category_id = SelectField(_l("Kategori"), coerce=whole_number,
                              validators=[InputRequired(items.NO_CATEGORY)])
    condition = RadioField(_l("Tilstand"), choices=[SelectChoice(c.value, label)
                                                    for c, label in CONDITION_LABELS.items()],
                           validators=[InputRequired(items.NO_CONDITION)])
    # NumberRange fills in %(min)s and %(max)s itself.
    quantity = WholeNumberField(_l("Antall"), default=1, validators=[
        InputRequired(_l("Oppgi antall.")),
        NumberRange(1, MAX_ITEM_QUANTITY, _l("Antall må være mellom %(min)s og %(max)s."))])
    description = TextAreaField(items.LABELS["description"],
                                validators=[Optional(), MultiLine(),
                                            Length(max=MAX_DESCRIPTION)],
                                description=_l("Mål, merke, farge, skader – det en mottaker "
                                               "trenger å vite."))
    location_address = StringField(items.LABELS["location_address"], validators=[
        DataRequired(items.NO_ADDRESS), SingleLine(),
        Length(max=MAX_ADDRESS)])
    location_building = StringField(items.LABELS["location_building"], validators=[
        Optional(), SingleLine(), Length(max=MAX_BUILDING)])
    location_room = StringField(items.LABELS["location_room"], validators=[
        Optional(), SingleLine(), Length(max=MAX_ROOM)])
    collection_notes = TextAreaField(items.LABELS["collection_notes"],
                                     validators=[Optional(), MultiLine(),
                                                 Length(max=MAX_COLLECTION_NOTES)],
                                     description=_l("Når og hvordan tingene kan hentes, "
                                                    "og hvem som kan kontaktes."))
    internal_until = DateField(_l("Intern periode til"), validators=[Optional()],
                               description=_l("Etter denne datoen kan tingene gis videre "
                                              "utenfor kommunen. Standard er 30 dager, "
                                              "høyst ett år."))
    new_price_nok = NorwegianDecimalField(
        _l("Nypris per stykk (kr)"), places=figures.PRICE.places, validators=[
            Optional(), NumberRange(min=0, message=figures.PRICE.negative),
            NumberRange(max=figures.PRICE.maximum, message=figures.PRICE.too_high)],
        description=_l("Står feltet tomt, brukes kategoriens standardpris."))
    weight_kg = NorwegianDecimalField(
        _l("Vekt per stykk (kg)"), places=figures.WEIGHT.places, validators=[
            Optional(), NumberRange(min=0, message=figures.WEIGHT.negative),
            NumberRange(max=figures.WEIGHT.maximum, message=figures.WEIGHT.too_high)],
        description=_l("Står feltet tomt, brukes kategoriens standardvekt."))
    auto_approve = BooleanField(_l("Godkjenn forespørsler automatisk"))
    photos = FieldList(FormField(PhotoUploadForm), min_entries=PHOTO_SLOTS,
                       max_entries=PHOTO_SLOTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indent = "\u00a0\u00a0"
        # The browser's date picker offers what the service accepts (the service decides).
        self.internal_until.render_kw = {"min": date.today().isoformat(),
                                         "max": latest_internal_until().isoformat()}
        self.category_id.choices = [SelectChoice(0, _("Velg kategori"))] + [
            SelectChoice(c.id, indent * depth + c.name_nb) for c, depth in categories.tree()
        ]

    def validate_category_id(self, field):
        if not field.data:
            raise ValidationError(str(items.NO_CATEGORY))

    def details(self) -> ItemDetails:
        return ItemDetails(
            title=self.title.data or "",
            category_id=self.category_id.data,
            condition=self.condition.data or "",
            quantity=self.quantity.data,
            description=(self.description.data or "").strip(),
            location_address=self.location_address.data or "",
            location_building=(self.location_building.data or "").strip(),
            location_room=(self.location_room.data or "").strip(),
            collection_notes=(self.collection_notes.data or "").strip(),
            internal_until=self.internal_until.data,
            new_price_nok=self.new_price_nok.data,
            weight_kg=self.weight_kg.data,
            auto_approve=bool(self.auto_approve.data),
        )

    def chosen_photos(self):
        """(file storage, alt text) for each slot where a file was chosen."""
        return [(entry.file.data, entry.alt_text.data or "") for entry in self.photos
                if entry.file.data and entry.file.data.filename]

    @staticmethod
    def photo_limit() -> int:
        return current_app.config["PHOTOS_PER_ITEM"]


class EditItemForm(ItemForm):
    """Editing keeps photos on their own page, so none are uploaded with the item fields."""

    photos = None


class AddPhotoForm(FlaskForm):
    file = FileField(_l("Bilde"), render_kw={"accept": IMAGE_ACCEPT})
    alt_text = StringField(_l("Beskriv bildet kort"),
                           validators=[Optional(), SingleLine(), Length(max=MAX_ALT_TEXT)],
                           description=_l("For skjermlesere, for eksempel "
                                          "«Skrivebord sett fra siden»."))


class AltTextForm(FlaskForm):
    alt_text = StringField(_l("Bildetekst"), validators=[
        DataRequired(_l("Bildeteksten kan ikke være tom.")), SingleLine(),
        Length(max=MAX_ALT_TEXT)])


class WithdrawForm(ConfirmForm):
    message = TextAreaField(_l("Melding til dem som har bedt om tingene"),
                            validators=[Optional(), MultiLine(), Length(max=MAX_MESSAGE)],
                            description=_l("For eksempel hvorfor annonsen trekkes tilbake. "
                                           "De får beskjed uansett."))
