from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import current_app, request
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
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

from reuse.i18n import category_name
from reuse.i18n import lazy_gettext as _l
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
from reuse.services import categories, figures, items, photos, quantities, stages
from reuse.services.claims import MAX_MESSAGE
from reuse.services.items import ItemDetails, latest_internal_until
from reuse.templating import CONDITION_LABELS
from reuse.web.claims.forms import ConfirmForm
from reuse.web.fields import (
    LongSelect,
    MultiLine,
    NorwegianDecimalField,
    SingleLine,
    WholeNumberField,
    whole_number,
)

# "image/*" makes phones offer the camera as well as the gallery (no `capture`: that would
# force the camera); the server checks the type.
IMAGE_ACCEPT = "image/*"
# The buttons beside each chosen photo send "<action>:<reference>" under this name.
PHOTO_ACTION = "photo_action"
# What the buttons beside a chosen photo did, said in a status message when the form returns.
PHOTO_MOVED = _l("Bildet er flyttet.")
COVER_CHANGED = _l("Forsidebildet er endret.")
PHOTO_REMOVED = _l("Bildet er fjernet.")
# Alt texts typed beside photos previewed in the browser, in the order of the chosen files.
NEW_PHOTO_ALT_TEXTS = "photos_alt_text"


class ChosenPhotoForm(Form):
    """A photo already stored for this form: its reference and its alt text (a plain Form:
    it lives inside the CSRF-protected one)."""

    token = HiddenField()
    alt_text = StringField(
        _l("Beskriv bildet for dem som ikke ser det"),
        validators=[Optional(), SingleLine(), Length(max=MAX_ALT_TEXT)],
        description=_l("For eksempel «Blå kontorstol sett forfra»."),
    )


def photo_picker_field() -> MultipleFileField:
    """The picker: several files at once, camera or gallery (a field per form class, made
    where the form lists it, so it keeps its place among the form's fields)."""
    return MultipleFileField(_l("Velg bilder"), render_kw={"accept": IMAGE_ACCEPT})


def chosen_photos_field() -> FieldList:
    """Photos already stored for the form, in the order chosen; the first is the cover."""
    return FieldList(FormField(ChosenPhotoForm))


class PhotoPicker:
    """What a form with the photo picker (photo_picker_field as `photos`,
    chosen_photos_field as `chosen`) reads and shows: the new-item form and the form that
    adds photos to an existing item."""

    def new_files(self) -> list[tuple[FileStorage, str]]:
        """(file, alt text) for each file chosen in the picker this time; the alt text is
        there when the browser previewed the files and offered a field for each."""
        files = [storage for storage in (self.photos.data or [])
                 if isinstance(storage, FileStorage) and storage.filename]
        alt_texts = request.form.getlist(NEW_PHOTO_ALT_TEXTS)
        return [(storage, alt_texts[index] if index < len(alt_texts) else "")
                for index, storage in enumerate(files)]

    def chosen_references(self) -> list[tuple[str, str]]:
        """(reference, alt text) of the photos stored for this form, in their order."""
        return [(entry.token.data or "", entry.alt_text.data or "") for entry in self.chosen]

    def show_chosen(self, chosen: list[tuple[str, str]]) -> None:
        """Show these photos (reference, alt text) as the form's chosen ones, keeping what
        was said about each one's alt text."""
        errors = {entry.token.data: entry.alt_text.errors for entry in self.chosen}
        while self.chosen.entries:
            self.chosen.pop_entry()
        for token, alt_text in chosen:
            entry = self.chosen.append_entry(SimpleNamespace(token=token, alt_text=alt_text))
            entry.alt_text.errors = list(errors.get(token, []))

    @staticmethod
    def photo_action() -> tuple[str, str] | None:
        """(action, reference) when a button beside a chosen photo was pressed."""
        action, _sep, token = request.form.get(PHOTO_ACTION, "").partition(":")
        return (action, token) if action and token else None

    @staticmethod
    def photo_limit() -> int:
        return current_app.config["PHOTOS_PER_ITEM"]


class ItemForm(PhotoPicker, FlaskForm):
    title = StringField(items.LABELS["title"], validators=[
        DataRequired(items.NO_TITLE), SingleLine(), Length(max=MAX_TITLE)],
                        description=_l("For eksempel «12 kontorstoler, HÅG Futu, svarte»."))
    category_id = SelectField(categories.LABEL, coerce=whole_number, widget=LongSelect(),
                              validators=[InputRequired(items.NO_CATEGORY)])
    condition = RadioField(items.CONDITION_LABEL, choices=[SelectChoice(c.value, label)
                                                    for c, label in CONDITION_LABELS.items()],
                           validators=[InputRequired(items.NO_CONDITION)])
    quantity = WholeNumberField(quantities.LABEL, default=1, validators=[
        InputRequired(quantities.MISSING),
        NumberRange(1, MAX_ITEM_QUANTITY, quantities.OUT_OF_RANGE)])
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
                                              "utenfor kommunen. Standard er %(days)s dager, "
                                              "høyst ett år.", days=items.INTERNAL_PERIOD_DAYS))
    new_price_nok = NorwegianDecimalField(
        figures.PRICE.label, places=figures.PRICE.places, validators=[
            Optional(), NumberRange(min=0, message=figures.PRICE.negative),
            NumberRange(max=figures.PRICE.maximum, message=figures.PRICE.too_high)],
        description=_l("Står feltet tomt, brukes kategoriens standardpris."))
    weight_kg = NorwegianDecimalField(
        figures.WEIGHT.label, places=figures.WEIGHT.places, validators=[
            Optional(), NumberRange(min=0, message=figures.WEIGHT.negative),
            NumberRange(max=figures.WEIGHT.maximum, message=figures.WEIGHT.too_high)],
        description=_l("Står feltet tomt, brukes kategoriens standardvekt."))
    auto_approve = BooleanField(_l("Godkjenn forespørsler automatisk"))
    photos = photo_picker_field()
    chosen = chosen_photos_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indent = "\u00a0\u00a0"
        # The browser's date picker offers what the service accepts (the service decides).
        self.internal_until.render_kw = {"min": date.today().isoformat(),
                                         "max": latest_internal_until().isoformat()}
        # The item's own category stays offered when it has been retired since.
        self.category_id.choices = [SelectChoice(0, str(categories.CHOOSE))] + [
            SelectChoice(c.id, indent * depth + category_name(c))
            for c, depth in categories.offered_tree(keep=self.category_id.data or None)
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

class EditItemForm(ItemForm):
    """Editing keeps photos on their own page, so none are uploaded with the item fields."""

    photos = None
    chosen = None


class AddPhotosForm(PhotoPicker, FlaskForm):
    """Photos added to an existing item: the same picker as the new-item form."""

    photos = photo_picker_field()
    chosen = chosen_photos_field()


class AltTextForm(FlaskForm):
    alt_text = StringField(photos.ALT_TEXT_LABEL, validators=[
        DataRequired(photos.NO_ALT_TEXT), SingleLine(),
        Length(max=MAX_ALT_TEXT)])


class WithdrawForm(ConfirmForm):
    message = TextAreaField(_l("Melding til dem som har bedt om tingene"),
                            validators=[Optional(), MultiLine(), Length(max=MAX_MESSAGE)],
                            description=_l("For eksempel hvorfor annonsen trekkes tilbake. "
                                           "De får beskjed uansett."))


class StageForm(FlaskForm):
    """"Videre bruk": move the item on early, or back (with a reason)."""

    stage = RadioField(_l("Flytt annonsen til"), validators=[
        InputRequired(_l("Velg hvor annonsen skal flyttes."))], validate_choice=False)
    reason = TextAreaField(stages.REASON_LABEL,
                           validators=[Optional(), MultiLine(), Length(max=stages.MAX_REASON)],
                           description=_l("Må fylles ut når annonsen flyttes tilbake, for "
                                          "eksempel for å holde den internt lenger."))

    def offer(self, item) -> StageForm:
        """The choices for this item: every stage but the one it is at."""
        self.stage.choices = [(stage, stages.label(stage)) for stage in stages.choices(item)]
        return self
