"""Photos are decoded and re-encoded, stripped, capped, served only to staff, or refused."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin, WebPImagePlugin

from reuse.services import photos
from reuse.services.errors import InvalidInput, PermissionDenied
from tests.conftest import jpeg_bytes, page_text


def upload(data: bytes, filename: str = "photo.jpg", alt_text: str = "") -> photos.Upload:
    return photos.Upload(io.BytesIO(data), filename, alt_text)


def image_bytes(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def stored(app, filename: str) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / filename


@pytest.fixture
def item(people, make_item):
    return make_item(people.member, title="Kontorstol")


def test_photo_is_turned_upright_and_stripped_of_metadata_and_gps(app, people, item, db):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was held on its side
    exif[ExifTags.Base.Make] = "Telefonprodusent"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (60.0, 23.0, 30.0)
    original = jpeg_bytes(size=(400, 200), exif=exif.tobytes())
    assert b"Telefonprodusent" in original

    [photo] = photos.add_photos(people.member, item, [upload(original)])
    db.session.commit()

    data = stored(app, photo.filename).read_bytes()
    with Image.open(io.BytesIO(data)) as result:
        assert result.format == "JPEG"
        assert result.size == (200, 400)
        assert len(result.getexif()) == 0
    assert b"Telefonprodusent" not in data and b"Exif" not in data
    assert (photo.width, photo.height) == (200, 400)


def test_large_photo_is_capped_and_gets_a_thumbnail(app, people, item, db):
    [photo] = photos.add_photos(people.member, item, [upload(jpeg_bytes(size=(4000, 3000)))])
    db.session.commit()
    with Image.open(stored(app, photo.filename)) as full:
        assert full.size == (2560, 1920)
    with Image.open(stored(app, photo.thumbnail_filename)) as thumb:
        assert max(thumb.size) == 480


def test_stored_names_are_random_and_say_nothing_of_the_upload(app, people, item):
    [photo] = photos.add_photos(people.member, item,
                                [upload(jpeg_bytes(), "../../Kari sin stue.jpg")])
    assert "Kari" not in photo.filename and ".." not in photo.filename
    assert photos.STORED_NAME.match(photo.filename)
    assert stored(app, photo.filename).parent == Path(app.config["UPLOAD_DIR"])


@pytest.mark.parametrize("image, fmt", [
    (Image.new("RGBA", (64, 64), (0, 0, 255, 0)), "PNG"),
    (Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG"),
    (Image.new("I;16", (64, 64), 40000), "PNG"),
    (Image.new("P", (64, 64), 3), "GIF"),
    (Image.new("RGB", (64, 64), (10, 200, 10)), "WEBP"),
], ids=["transparent-png", "cmyk-jpeg", "16-bit-png", "gif", "webp"])
def test_other_image_kinds_are_re_encoded_as_plain_jpeg(app, people, item, image, fmt):
    [photo] = photos.add_photos(people.member, item, [upload(image_bytes(image, fmt))])
    with Image.open(stored(app, photo.filename)) as result:
        assert (result.format, result.mode, result.size) == ("JPEG", "RGB", (64, 64))


def test_transparent_background_becomes_white_not_black(app, people, item):
    transparent = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    [photo] = photos.add_photos(people.member, item, [upload(image_bytes(transparent, "PNG"))])
    with Image.open(stored(app, photo.filename)) as result:
        assert min(result.getpixel((16, 16))) > 240


def test_animated_gif_keeps_its_first_frame(app, people, item):
    frames = [Image.new("P", (40, 30), colour) for colour in (1, 2, 3)]
    data = image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:])
    [photo] = photos.add_photos(people.member, item, [upload(data, "anim.gif")])
    with Image.open(stored(app, photo.filename)) as result:
        assert result.size == (40, 30) and getattr(result, "n_frames", 1) == 1


def bomb() -> bytes:
    """A tiny PNG that claims 100 megapixels."""
    return image_bytes(Image.new("1", (10_000, 10_000)), "PNG", optimize=True)


@pytest.mark.parametrize("data, filename, message", [
    (b"", "tom.jpg", "er tom"),
    (b"Hei, dette er et notat", "notat.txt", "er ikke et bilde vi kan lese"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
     b"</svg>", "tegning.svg", "er en SVG-tegning"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "bilde.jpg", "er en SVG-tegning"),
    (jpeg_bytes()[:400], "avkuttet.jpg", "er ikke et bilde vi kan lese"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj", "skjema.jpg", "er ikke et bilde vi kan lese"),
    (image_bytes(Image.new("RGB", (8, 8)), "BMP"), "gammelt.bmp", "er ikke et bilde vi kan lese"),
], ids=["empty", "text", "svg", "svg-named-jpg", "truncated-jpeg", "pdf", "bmp"])
def test_files_that_are_not_usable_photos_are_refused(app, people, item, db, data, filename,
                                                     message):
    with pytest.raises(InvalidInput, match=message) as refused:
        photos.add_photos(people.member, item, [upload(data, filename)])
    assert filename.split("/")[-1] in refused.value.message
    assert list(Path(app.config["UPLOAD_DIR"]).glob("*.jpg")) == []


def test_decompression_bomb_is_refused_before_it_is_decoded(app, people, item):
    data = bomb()
    assert len(data) < 100_000
    with pytest.raises(InvalidInput, match="for store mål"):
        photos.add_photos(people.member, item, [upload(data, "bombe.png")])


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, rows: bytes, colour_type: int = 0) -> bytes:
    """A PNG written by hand: 8-bit samples, `rows` as the (filtered) image data."""
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def truncated_strip() -> bytes:
    """The attack as reported: 1 × 64 000 000 pixels, the data a few zero rows long."""
    return png(1, 64_000_000, b"\x00" * 1000)


def lossless_webp(side: int) -> bytes:
    return image_bytes(Image.new("RGB", (side, side)), "WEBP", lossless=True, method=0)


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any image gets decoded: a refusal must come from the header."""
    def decode(self, *args, **kwargs):
        raise AssertionError(f"{self.format} image of {self.size} was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    monkeypatch.setattr(WebPImagePlugin.WebPImageFile, "load", decode)


@pytest.mark.parametrize("data, filename", [
    (truncated_strip(), "stripe.png"),
    (lossless_webp(4000), "flate.webp"),
], ids=["png-strip-of-64-megapixels", "lossless-webp-of-16-megapixels"])
def test_tiny_file_of_a_huge_image_is_refused_before_it_is_decoded(people, item, no_decoding,
                                                                  data, filename):
    assert len(data) < 5000
    with pytest.raises(InvalidInput, match="har for store mål") as refused:
        photos.add_photos(people.member, item, [upload(data, filename)])
    assert filename in refused.value.message and "megapiksler" in refused.value.message


def test_huge_image_on_the_photo_page_is_a_form_error(client, people, item, log_in,
                                                      no_decoding):
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/photos",
                             {"photos": (io.BytesIO(truncated_strip()), "stripe.png")},
                             content_type="multipart/form-data")
    assert response.status_code == 200
    assert "«stripe.png» har for store mål (1 × 64000000 piksler)" in page_text(response)
    assert item.photos == []


def test_huge_image_through_the_api_is_a_422(api, people, item, db, no_decoding):
    response = api(people.member).post(
        f"/api/v1/items/{item.id}/photos",
        data={"photo": (io.BytesIO(lossless_webp(4000)), "flate.webp")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_input"
    assert "flate.webp" in response.get_json()["error"]["message"]
    db.session.refresh(item)
    assert item.photos == []


def test_png_whose_data_ends_before_its_last_row_is_refused(people, item):
    rows = b"".join(b"\x00" + bytes([200, 60, 40]) * 300 for _ in range(100))
    complete = png(300, 400, rows * 4, colour_type=2)
    photos.add_photos(people.member, item, [upload(complete, "hel.png")])
    cut_short = png(300, 400, rows, colour_type=2)  # a whole zlib stream, a quarter of the rows
    with pytest.raises(InvalidInput, match="er ikke et bilde vi kan lese"):
        photos.add_photos(people.member, item, [upload(cut_short, "halv.png")])


def test_progressive_jpeg_is_judged_by_the_coefficients_it_needs(people, item):
    # libjpeg holds a progressive JPEG whole, at full size, before scaling it down.
    picture = Image.new("RGB", (5200, 5200), (90, 120, 60))
    baseline = image_bytes(picture, "JPEG")
    progressive = image_bytes(picture, "JPEG", progressive=True, subsampling=0)
    del picture
    [photo] = photos.add_photos(people.member, item, [upload(baseline, "vanlig.jpg")])
    assert (photo.width, photo.height) == (2560, 2560)
    with pytest.raises(InvalidInput, match="har for store mål"):
        photos.add_photos(people.member, item, [upload(progressive, "progressiv.jpg")])


def test_large_phone_photo_still_passes(app, people, item):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    # What a 48-megapixel phone camera saves: 8064 × 6048, taken on its side.
    data = jpeg_bytes(size=(8064, 6048), exif=exif.tobytes())
    [photo] = photos.add_photos(people.member, item, [upload(data, "IMG_4800.jpg")])
    assert (photo.width, photo.height) == (1920, 2560)
    with Image.open(stored(app, photo.filename)) as result:
        assert result.size == (1920, 2560)


def test_file_over_the_size_limit_is_refused(app, people, item, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1024 * 1024)
    noise = Image.effect_noise((1400, 1400), 100).convert("RGB")
    data = image_bytes(noise, "PNG")
    assert len(data) > 1024 * 1024
    with pytest.raises(InvalidInput, match="større enn 1 MB"):
        photos.add_photos(people.member, item, [upload(data, "stor.png")])


def test_no_more_photos_than_the_per_item_limit(app, people, item, db):
    photos.add_photos(people.member, item, [upload(jpeg_bytes()) for _ in range(3)])
    db.session.commit()
    with pytest.raises(InvalidInput, match="høyst 4 bilder. Den har 3, og du prøvde å legge til 2"):
        photos.add_photos(people.member, item, [upload(jpeg_bytes()), upload(jpeg_bytes())])
    assert len(item.photos) == 3


def test_a_removed_photo_frees_its_place(app, people, item, db):
    added = photos.add_photos(people.member, item, [upload(jpeg_bytes()) for _ in range(4)])
    db.session.commit()
    photos.remove_photo(people.member, added[0])
    db.session.commit()
    assert item.photo_count == 3
    photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    with pytest.raises(InvalidInput, match="høyst 4 bilder. Den har 4"):
        photos.add_photos(people.member, item, [upload(jpeg_bytes())])


def test_one_bad_file_in_a_batch_stores_none_of_them(app, people, item):
    with pytest.raises(InvalidInput):
        photos.add_photos(people.member, item, [upload(jpeg_bytes()), upload(b"tull", "x.jpg")])
    assert list(Path(app.config["UPLOAD_DIR"]).iterdir()) == []


def test_files_are_removed_when_the_transaction_rolls_back(app, people, item, db):
    [photo] = photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    assert stored(app, photo.filename).exists()
    db.session.rollback()
    assert list(Path(app.config["UPLOAD_DIR"]).iterdir()) == []


def test_removed_photo_files_go_only_once_the_removal_is_committed(app, people, item, db):
    [photo] = photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    db.session.commit()
    path = stored(app, photo.filename)
    photos.remove_photo(people.member, photo)
    assert path.exists()
    db.session.commit()
    assert not path.exists()
    assert not stored(app, photo.thumbnail_filename).exists()


def test_only_those_who_may_edit_the_item_may_add_photos(people, item):
    with pytest.raises(PermissionDenied):
        photos.add_photos(people.outsider, item, [upload(jpeg_bytes())])


def test_blank_alt_text_gets_a_description_from_the_title(people, item):
    [photo] = photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    assert photo.alt_text == "Bilde 1 av Kontorstol"


# -- through the web ---------------------------------------------------------------------

def test_photos_are_served_to_logged_in_staff_only(client, people, item, db, log_in):
    [photo] = photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    db.session.commit()
    url = f"/photos/{photo.thumbnail_filename}"
    assert client.get(url).status_code == 302
    log_in(people.outsider)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize("name", ["..%2F..%2Finstance%2Fsecret_key", "secret_key",
                                  "AAAAAAAAAAAAAAAAAAAAAA.jpg", "x.jpg"])
def test_only_stored_photos_can_be_fetched(client, people, log_in, name):
    log_in(people.member)
    assert client.get(f"/photos/{name}").status_code == 404


def test_lister_adds_a_photo_with_alt_text_on_the_photo_page(client, people, item, log_in, db):
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/photos",
                             {"photos": (io.BytesIO(jpeg_bytes()), "stol.jpg"),
                              "photos_alt_text": "Svart kontorstol"},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(item)
    assert [p.alt_text for p in item.photos] == ["Svart kontorstol"]
    assert 'alt="Svart kontorstol"' in client.get(f"/items/{item.id}").get_data(as_text=True)


def test_refused_upload_on_the_photo_page_says_why(client, people, item, log_in):
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/photos",
                             {"photos": (io.BytesIO(b"<svg/>"), "logo.svg")},
                             content_type="multipart/form-data")
    assert response.status_code == 200
    assert "«logo.svg» er en SVG-tegning" in page_text(response)


def test_lister_changes_alt_text_and_removes_a_photo(client, people, item, log_in, db):
    [photo] = photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    db.session.commit()
    log_in(people.member)
    client.submit(f"/items/{item.id}/photos/{photo.id}/alt", {"alt_text": "Stol sett bakfra"})
    db.session.refresh(photo)
    assert photo.alt_text == "Stol sett bakfra"
    client.submit(f"/items/{item.id}/photos/{photo.id}/delete")
    db.session.refresh(item)
    assert item.photos == []


def test_another_unit_cannot_remove_photos_by_crafted_post(client, people, item, log_in, db):
    [photo] = photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    db.session.commit()
    log_in(people.outsider)
    assert client.submit(f"/items/{item.id}/photos/{photo.id}/delete").status_code == 403
    assert client.submit(f"/items/{item.id}/photos/{photo.id}/alt",
                         {"alt_text": "hacket"}).status_code == 403
    db.session.refresh(photo)
    assert photo.alt_text != "hacket"


def test_request_larger_than_the_limit_gets_a_clear_page(client, people, item, log_in, app,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/photos",
                             {"file": (io.BytesIO(b"x" * 60_000), "stor.jpg")},
                             content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Filene er for store" in page_text(response)


# -- metadata ----------------------------------------------------------------------------

SECRET = "Eier: Kari Nordmann, Storgata 1"


def planted(kind: str) -> bytes:
    """Text only this test can have put there, in the spelling each container uses."""
    return f"{SECRET} ({kind})".encode()


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def swapped_profile() -> bytes:
    """sRGB with red and green primaries swapped: a red pixel in it is green in sRGB."""
    profile = bytearray(srgb_profile())
    tags = {}
    for i in range(struct.unpack(">I", profile[128:132])[0]):
        entry = 132 + 12 * i
        tags[bytes(profile[entry:entry + 4])] = entry
    red, green = tags[b"rXYZ"], tags[b"gXYZ"]
    profile[red + 4:red + 12], profile[green + 4:green + 12] = (profile[green + 4:green + 12],
                                                                profile[red + 4:red + 12])
    return bytes(profile)


def exif_with_secret() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = planted("EXIF").decode()
    exif[ExifTags.Base.Artist] = planted("EXIF Artist").decode()
    return exif.tobytes()


def xmp_with_secret() -> bytes:
    return (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"'
            b"><dc:creator>" + planted("XMP") + b"</dc:creator></rdf:Description></rdf:RDF>"
            b"</x:xmpmeta>")


def jpeg_with_everything() -> bytes:
    data = image_bytes(Image.new("RGB", (120, 90), (200, 60, 40)), "JPEG",
                       exif=exif_with_secret(), xmp=xmp_with_secret(),
                       comment=planted("COM"), icc_profile=srgb_profile())
    # IPTC (Photoshop APP13), written by hand: Pillow does not write it.
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(planted("IPTC"))) + planted("IPTC")
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    app13 = b"Photoshop 3.0\x00" + resource
    return data[:2] + b"\xff\xed" + struct.pack(">H", len(app13) + 2) + app13 + data[2:]


def png_with_everything() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", planted("tEXt comment").decode())  # what the tester planted
    info.add_text("Author", planted("tEXt").decode())
    info.add_text("Description", planted("zTXt").decode(), zip=True)
    info.add_itxt("Title", planted("iTXt").decode(), lang="nb", tkey="Tittel")
    info.add_itxt("XML:com.adobe.xmp", xmp_with_secret().decode())
    return image_bytes(Image.new("RGB", (120, 90), (200, 60, 40)), "PNG", pnginfo=info,
                       exif=exif_with_secret(), icc_profile=srgb_profile())


def gif_with_everything() -> bytes:
    frames = [Image.new("P", (120, 90), colour) for colour in (1, 2)]
    return image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:],
                       comment=planted("GIF comment"))


def webp_with_everything() -> bytes:
    return image_bytes(Image.new("RGB", (120, 90), (200, 60, 40)), "WEBP",
                       exif=exif_with_secret(), xmp=xmp_with_secret(),
                       icc_profile=srgb_profile())


def jpeg_segments(data: bytes) -> list[bytes]:
    """The markers of a JPEG's header segments, up to the first scan."""
    markers, position = [], 2
    while data[position + 1] != 0xDA:
        markers.append(data[position:position + 2])
        position += 2 + struct.unpack(">H", data[position + 2:position + 4])[0]
    return markers


@pytest.mark.parametrize("make, filename", [
    (jpeg_with_everything, "kamera.jpg"),
    (png_with_everything, "skjerm.png"),
    (gif_with_everything, "anim.gif"),
    (webp_with_everything, "nett.webp"),
], ids=["jpeg", "png", "gif", "webp"])
def test_no_metadata_or_comment_survives_re_encoding(app, people, item, make, filename):
    original = make()
    assert SECRET.encode() in original or SECRET.encode() in zlib.decompress(
        original[original.index(b"zTXt") + 4 + len(b"Description") + 2:])
    [photo] = photos.add_photos(people.member, item, [upload(original, filename)])
    for name in (photo.filename, photo.thumbnail_filename):
        data = stored(app, name).read_bytes()
        assert b"Kari" not in data and SECRET.encode() not in data
        # Nothing but the picture: the JFIF header, tables, frame; no APPn, COM or ICC.
        allowed = {b"\xff\xe0", b"\xff\xdb", b"\xff\xc4", b"\xff\xc2"}
        assert set(jpeg_segments(data)) <= allowed, jpeg_segments(data)
        with Image.open(io.BytesIO(data)) as result:
            assert set(result.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density",
                                        "progressive", "progression", "dpi"}


def test_colours_of_a_photo_with_its_own_profile_are_kept_in_srgb(app, people, item):
    # A phone's Display P3 photo shown without its profile looks dull: the colours are
    # converted to sRGB (what a browser assumes without a profile), then the profile goes.
    data = image_bytes(Image.new("RGB", (64, 64), (255, 0, 0)), "JPEG", quality=95,
                       icc_profile=swapped_profile())
    [photo] = photos.add_photos(people.member, item, [upload(data, "p3.jpg")])
    with Image.open(stored(app, photo.filename)) as result:
        red, green, blue = result.getpixel((32, 32))
        assert green > 200 and red < 80 and blue < 80
        assert "icc_profile" not in result.info


def test_an_unreadable_colour_profile_is_ignored_not_refused(app, people, item):
    data = image_bytes(Image.new("RGB", (64, 64), (255, 0, 0)), "JPEG", quality=95,
                       icc_profile=b"\x00" * 200)
    [photo] = photos.add_photos(people.member, item, [upload(data, "rar.jpg")])
    with Image.open(stored(app, photo.filename)) as result:
        red, green, blue = result.getpixel((32, 32))
        assert red > 200 and green < 80 and blue < 80


# -- hostile files -----------------------------------------------------------------------

def test_polyglot_jpeg_with_html_is_re_encoded_and_loses_the_payload(app, people, item):
    payload = b"<script>alert('x')</script><?php system($_GET['c']); ?>"
    data = jpeg_bytes() + payload  # a valid JPEG with a script after its end marker
    [photo] = photos.add_photos(people.member, item, [upload(data, "bilde.jpg.php")])
    stored_bytes = stored(app, photo.filename).read_bytes()
    assert b"<script>" not in stored_bytes and b"<?php" not in stored_bytes
    assert photo.filename.endswith(".jpg")


def test_zip_disguised_as_jpeg_is_refused(people, item):
    fake = b"PK\x03\x04" + b"\x00" * 200
    with pytest.raises(InvalidInput, match="er ikke et bilde vi kan lese"):
        photos.add_photos(people.member, item, [upload(fake, "photo.jpg")])


def test_exif_bomb_is_refused_or_stripped_without_a_crash(app, people, item):
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = "A" * 60_000  # near the 64 KB APP1 limit
    exif[ExifTags.Base.Orientation] = 99  # nonsense orientation
    data = jpeg_bytes(size=(120, 80), exif=exif.tobytes())
    [photo] = photos.add_photos(people.member, item, [upload(data)])
    stored_bytes = stored(app, photo.filename).read_bytes()
    assert b"AAAAAAAA" not in stored_bytes and (photo.width, photo.height) == (120, 80)


def test_run_jobs_removes_files_no_photo_refers_to(app, runner, people, item, db):
    import os
    import time

    [kept] = photos.add_photos(people.member, item, [upload(jpeg_bytes())])
    db.session.commit()
    directory = Path(app.config["UPLOAD_DIR"])
    orphan = directory / "AAAAAAAAAAAAAAAAAAAAAA.jpg"
    orphan.write_bytes(jpeg_bytes())
    leftover = directory / ".BBBBBBBBBBBBBBBBBBBBBB.jpg.1a2b3c4d.tmp"
    leftover.write_bytes(b"half")
    fresh = directory / "CCCCCCCCCCCCCCCCCCCCCC.jpg"  # may belong to a running transaction
    fresh.write_bytes(jpeg_bytes())
    old = time.time() - 2 * 3600
    for path in (orphan, leftover):
        os.utime(path, (old, old))
    result = runner.invoke(args=["run-jobs"])
    assert "2 bildefiler uten annonse er slettet" in result.output
    assert not orphan.exists() and not leftover.exists() and fresh.exists()
    assert stored(app, kept.filename).exists() and stored(app, kept.thumbnail_filename).exists()
