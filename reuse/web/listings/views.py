from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import ngettext
from reuse.models import ClaimStatus, Item, Photo
from reuse.services import claims, items, permissions, photos, stages
from reuse.web import Refusal
from reuse.web.listings import bp
from reuse.web.listings.forms import (
    COVER_CHANGED,
    PHOTO_MOVED,
    PHOTO_REMOVED,
    AddPhotosForm,
    AltTextForm,
    EditItemForm,
    ItemForm,
    PhotoPicker,
    StageForm,
    WithdrawForm,
)


@dataclass(frozen=True)
class Arranged:
    """After a button beside a chosen photo: the photo to put focus on (None: the picker)
    and the status message that says what happened."""

    focus: str | None
    status: str


def _manageable_item(item_id: int) -> Item:
    return permissions.manageable_item(current_user, item_id)


def _uploads(pairs) -> list[photos.Upload]:
    return [photos.Upload(stream=storage.stream, filename=storage.filename or "",
                          alt_text=alt_text) for storage, alt_text in pairs]


@bp.route("/items/new", methods=["GET", "POST"])
@login_required
def new_item():
    form = ItemForm()
    if not form.is_submitted():
        _prefill_location(form)
        form.internal_until.data = items.default_internal_until()
        return _item_form_page(form, [])
    # The chosen photos are stored first and committed on their own (CSRFProtect has
    # checked the request): whatever else is wrong with the form, they are not lost.
    chosen, problems = _keep_chosen_photos(form, item_has=0)
    action = form.photo_action()
    if action is not None:
        # A button beside a photo: arrange them and show the form again, without
        # complaining about fields the person has not come to yet.
        chosen, arranged = _arrange_chosen(chosen, *action)
        form.photos.errors = [*form.photos.errors, *problems]
        return _item_form_page(form, _shown(chosen), arranged)
    if form.validate() and not problems:
        shown = _shown(chosen)
        with Refusal(form) as refused:
            item = items.create_item(current_user, form.details())
            photos.attach_pending(current_user, item, chosen)
        if not refused:
            db.session.commit()
            flash(_("Annonsen er lagt ut. Andre enheter kan nå finne og be om tingene."), "success")
            return redirect(url_for("catalog.item_detail", item_id=item.id))
        return _item_form_page(form, shown)
    form.photos.errors = [*form.photos.errors, *problems]
    return _item_form_page(form, _shown(chosen))


def _keep_chosen_photos(form: PhotoPicker,
                        item_has: int) -> tuple[list[photos.Chosen], list[str]]:
    """The photos stored for this form earlier (through the gate: the user's own only),
    then the files chosen now, stored at once; and what could not be kept, as messages.
    `item_has`: photos the item has already (none for a new one): all stay within the
    limit."""
    references = dict(form.chosen_references())
    chosen = [photos.Chosen(pending, references[pending.token]) for pending
              in permissions.own_pending_photos(current_user, list(references))]
    problems = []
    if len(chosen) < len(references):
        problems.append(photos.no_longer_kept(len(references) - len(chosen)))
    kept = photos.keep_pending(current_user, _uploads(form.new_files()),
                               already=item_has + len(chosen))
    db.session.commit()
    return chosen + kept.stored, problems + kept.refused


def _arrange_chosen(chosen: list[photos.Chosen], action: str,
                    token: str) -> tuple[list[photos.Chosen], Arranged | None]:
    """The chosen photos after a button beside one of them, and what to say and where to
    put focus when the form is shown again (the moved photo, or the one after a removed
    one)."""
    index = next((i for i, each in enumerate(chosen) if each.pending.token == token), None)
    if index is None:
        return chosen, None
    if action == "remove":
        photos.discard_pending(current_user, chosen[index].pending)
        db.session.commit()
        rest = chosen[:index] + chosen[index + 1:]
        after = rest[min(index, len(rest) - 1)].pending.token if rest else None
        return rest, Arranged(after, str(PHOTO_REMOVED))
    arranged = photos.rearranged(chosen, index, action)
    if arranged is chosen:  # an unknown move, or one past either end
        return chosen, None
    return arranged, Arranged(token, str(COVER_CHANGED if action == "cover" else PHOTO_MOVED))


def _shown(chosen: list[photos.Chosen]) -> list[tuple[str, str, str]]:
    """(reference, alt text, thumbnail) of each chosen photo, read before anything can
    roll back."""
    return [(each.pending.token, each.alt_text, each.pending.thumbnail_filename)
            for each in chosen]


def _item_form_page(form: ItemForm, shown: list[tuple[str, str, str]],
                    arranged: Arranged | None = None):
    form.show_chosen([(token, alt_text) for token, alt_text, _thumbnail in shown])
    thumbnails = [thumbnail for _token, _alt_text, thumbnail in shown]
    return render_template("listings/edit.html", form=form, item=None,
                           chosen=list(zip(form.chosen, thumbnails, strict=True)),
                           limit=ItemForm.photo_limit(), arranged=arranged)


def _prefill_location(form: ItemForm) -> None:
    """Most people post from where they sit: start from the user's last listing's location."""
    last = db.session.scalar(
        select(Item).where(Item.created_by_id == current_user.id)
        .order_by(Item.created_at.desc()).limit(1)
    )
    if last is not None:
        form.location_address.data = last.location_address
        form.location_building.data = last.location_building
        form.location_room.data = last.location_room


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int):
    item = _manageable_item(item_id)
    form = EditItemForm(obj=item)
    if form.validate_on_submit():
        with Refusal(form) as refused:
            items.update_item(current_user, item, form.details())
        if not refused:
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
            return redirect(url_for("catalog.item_detail", item_id=item.id))
    return render_template("listings/edit.html", form=form, item=item)


@bp.route("/items/<int:item_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_item(item_id: int):
    """Withdrawing is final, so it takes a confirmation: a post without it changes nothing
    and shows what would happen (to the listing and to each open claim)."""
    item = _manageable_item(item_id)
    form = WithdrawForm()
    if item.is_withdrawn and request.method == "GET":
        return redirect(url_for("catalog.item_detail", item_id=item.id))
    # A withdrawn item is refused by the service (409), confirmed or not.
    if (form.confirmed or item.is_withdrawn) and form.validate_on_submit():
        items.withdraw_item(current_user, item, form.message.data or "")
        db.session.commit()
        # To the item's own page: it says the listing is withdrawn and offers "Legg ut igjen".
        withdrawn = _("«%(title)s» er trukket tilbake og vises ikke lenger for andre.",
                      title=item.title)
        if permissions.can_relist_item(current_user, item):
            withdrawn += " " + _("Vil dere gi bort tingene likevel, kan du legge dem ut igjen "
                                 "nederst på denne siden.")
        flash(withdrawn, "success")
        return redirect(url_for("catalog.item_detail", item_id=item.id))
    open_claims = claims.open_claims_for_item(item)
    return render_template(
        "listings/withdraw.html", item=item, form=form,
        declined=[c for c in open_claims if c.status == ClaimStatus.PENDING],
        kept=[c for c in open_claims if c.status != ClaimStatus.PENDING]), (
            422 if form.confirmed else 200)


@bp.post("/items/<int:item_id>/relist")
@login_required
def relist_item(item_id: int):
    """"Legg ut igjen": a new listing copied from the withdrawn one, opened for review."""
    item = _manageable_item(item_id)
    with Refusal() as refused:
        relisted = items.relist_item(current_user, item)
    if refused:
        flash(refused.error.message, "danger")
        return redirect(url_for("catalog.item_detail", item_id=item.id))
    db.session.commit()
    flash(_("Annonsen er lagt ut igjen som en ny annonse. Se over opplysningene, og endre det "
            "som ikke stemmer lenger."), "success")
    return redirect(url_for("listings.edit_item", item_id=relisted.id))


@bp.post("/items/<int:item_id>/stage")
@login_required
def move_stage(item_id: int):
    """"Videre bruk": on early, or back with a reason. A refusal shows the item page again
    with the form's errors."""
    from reuse.web.catalog.views import render_item_page

    item = _manageable_item(item_id)
    form = StageForm().offer(item)
    if form.validate_on_submit():
        with Refusal(form) as refused:
            stages.move(current_user, item, form.stage.data, form.reason.data)
        if not refused:
            db.session.commit()
            flash(_("Annonsen er flyttet: %(stage)s.", stage=stages.label(item.stage)),
                  "success")
            return redirect(url_for("catalog.item_detail", item_id=item.id))
        db.session.refresh(item)
    return render_item_page(item, stage_form=form), 422


@bp.post("/items/<int:item_id>/safety-check")
@login_required
def safety_check(item_id: int):
    """"Merk som el-sjekket"."""
    item = _manageable_item(item_id)
    with Refusal() as refused:
        stages.mark_safety_checked(current_user, item)
    if refused:
        flash(refused.error.message, "danger")
    else:
        db.session.commit()
        flash(_("«%(title)s» er merket som el-sjekket.", title=item.title), "success")
    return redirect(url_for("catalog.item_detail", item_id=item.id))


@bp.route("/items/<int:item_id>/photos", methods=["GET", "POST"])
@login_required
def manage_photos(item_id: int):
    """The item's photos, and the picker that adds more: the new-item form's flow, where
    chosen photos are stored at once and kept across the form being shown again."""
    item = _manageable_item(item_id)
    form = AddPhotosForm()
    if not form.is_submitted():
        return _photos_page(item, form, [])
    chosen, problems = _keep_chosen_photos(form, item_has=item.photo_count)
    action = form.photo_action()
    if action is not None:
        chosen, arranged = _arrange_chosen(chosen, *action)
        form.photos.errors = [*form.photos.errors, *problems]
        return _photos_page(item, form, _shown(chosen), arranged)
    if form.validate() and not problems:
        if not chosen:
            problems.append(_("Velg et bilde å laste opp."))
        else:
            shown = _shown(chosen)
            with Refusal(form) as refused:
                photos.attach_pending(current_user, item, chosen)
            if not refused:
                db.session.commit()
                flash(ngettext("%(num)s bilde er lagt til.", "%(num)s bilder er lagt til.",
                               len(chosen)), "success")
                return redirect(url_for("listings.manage_photos", item_id=item.id))
            return _photos_page(item, form, shown)
    form.photos.errors = [*form.photos.errors, *problems]
    return _photos_page(item, form, _shown(chosen))


def _photos_page(item: Item, form: AddPhotosForm, shown: list[tuple[str, str, str]],
                 arranged: Arranged | None = None):
    form.show_chosen([(token, alt_text) for token, alt_text, _thumbnail in shown])
    thumbnails = [thumbnail for _token, _alt_text, thumbnail in shown]
    db.session.refresh(item, ["photo_count"])
    limit = AddPhotosForm.photo_limit()
    return render_template("listings/photos.html", item=item, form=form,
                           chosen=list(zip(form.chosen, thumbnails, strict=True)),
                           alt_form=AltTextForm(formdata=None), limit=limit,
                           room=max(limit - item.photo_count, 0), arranged=arranged)


def _photo_of(item_id: int, photo_id: int) -> Photo:
    return permissions.managed_photo(current_user, item_id, photo_id)


@bp.post("/items/<int:item_id>/photos/<int:photo_id>/alt")
@login_required
def update_alt_text(item_id: int, photo_id: int):
    photo = _photo_of(item_id, photo_id)
    form = AltTextForm()
    if form.validate_on_submit():
        photos.update_alt_text(current_user, photo, form.alt_text.data)
        db.session.commit()
        flash(_("Bildeteksten er lagret."), "success")
    else:
        flash(" ".join(map(str, form.alt_text.errors)) or _("Bildeteksten ble ikke lagret."),
              "danger")
    return redirect(url_for("listings.manage_photos", item_id=item_id))


@bp.post("/items/<int:item_id>/photos/<int:photo_id>/arrange")
@login_required
def arrange_photo(item_id: int, photo_id: int):
    photo = _photo_of(item_id, photo_id)
    with Refusal() as refused:
        photos.arrange(current_user, photo, request.form.get("action", ""))
    if refused:
        flash(refused.error.message, "danger")
    else:
        db.session.commit()
        flash(_("Rekkefølgen er lagret. Det første bildet er forsidebildet."), "success")
    return redirect(url_for("listings.manage_photos", item_id=item_id, _anchor="photos"))


@bp.post("/items/<int:item_id>/photos/<int:photo_id>/delete")
@login_required
def delete_photo(item_id: int, photo_id: int):
    photo = _photo_of(item_id, photo_id)
    photos.remove_photo(current_user, photo)
    db.session.commit()
    flash(str(PHOTO_REMOVED), "success")
    return redirect(url_for("listings.manage_photos", item_id=item_id))


@bp.get("/my-unit/items")
@login_required
def unit_items():
    found = items.unit_items(current_user, page=request.args.get("page", 1, type=int))
    manageable = {item.id for item in found.rows
                  if permissions.can_manage_item(current_user, item)}
    return render_template("listings/unit_items.html", page=found, manageable=manageable)
