"""Turning an uploaded image file into a plain sRGB JPEG and thumbnail, within a memory budget.

A small file can describe a huge image: a 69-byte PNG claims 64 megapixels, a 2.5 KB lossless
WebP 8000 × 8000. So nothing is decoded before the header has shown that the whole pipeline
will fit in WORK_BUDGET_BYTES: `work_bytes()` says what decoding, flattening and scaling an
image of that format, mode and size hold at their peak (measured with bench/photo.py). Files
whose data ends before the image does are refused, never padded out. Only the first frame
of an animation is decoded. What is stored holds pixels only: no EXIF, XMP, IPTC, comments,
text chunks or colour profile (the colours are converted to sRGB first, so they stay right).
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from dataclasses import dataclass
from functools import cache

from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

from reuse.i18n import gettext as _
from reuse.services.errors import InvalidInput

MAX_SIDE = 2560
THUMBNAIL_SIDE = 480
# Phone cameras save at most ~50 MP; anything larger is not a photo of a chair. This caps
# the work even where the decoder scales down while decoding (JPEG), which costs time still.
MAX_PIXELS = 64_000_000
# What the pipeline may hold for one image beyond the process itself. A worker is ~70 MB
# before an upload; with this the process stays under 250 MB (`make bench` measures it).
WORK_BUDGET_BYTES = 144 * 2**20
# Only these plugins may even read the header (a multi-picture JPEG opens through JPEG's).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

# Bytes a pixel takes in each step, by the mode Pillow decodes into (it keeps RGB, RGBA, LA
# and CMYK in 4 bytes a pixel, L, P and 1 in one, I;16 in two): as decoded; while _flatten()
# makes the copy that is scaled (the decoded image included); that copy. A mode not listed
# is refused: its cost is unknown.
#   RGBA, LA: + a white RGB background (4) + the alpha band (1).
#   P: + its RGBA form (4) + background (4) + alpha (1) when it has a transparent colour.
#   1, I;16: + the 8-bit greyscale copy, I;16 through a scaled 16-bit one (2).
_MODE_BYTES = {"RGB": (4, 4, 4), "CMYK": (4, 4, 4), "L": (1, 1, 1), "1": (1, 2, 1),
               "I;16": (2, 5, 1), "I;16B": (2, 5, 1), "RGBA": (4, 9, 4), "LA": (4, 9, 4),
               "P": (1, 10, 4)}
# libwebp's animation decoder (the only one Pillow uses) keeps two canvases of 4 bytes a
# pixel for as long as the image is open, its lossless decoder one more while it decodes,
# and Pillow copies the frame through a bytes object.
_WEBP_DECODING_BYTES = 12
_WEBP_HELD_BYTES = 8
# Pillow also keeps a pointer per row of every image: nothing for a photo, 512 MB for a
# 1 × 64 000 000 strip. At most four full-size images are alive at once (a transparent P
# image, its RGBA form, the background and the alpha band).
_ROW_BYTES = 4 * 8
_ORIENTATION = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
                6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
                8: Image.Transpose.ROTATE_90}


@dataclass(frozen=True)
class EncodedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


class _Refused(Exception):
    """The file is not an image we can read; the caller names the file in the message."""


class _TooLarge(Exception):
    """Decoding the image would take more than the limits allow."""

    def __init__(self, width: int, height: int, max_pixels: int):
        super().__init__(f"{width}×{height}")
        self.width, self.height, self.max_pixels = width, height, max_pixels


def work_bytes(image: Image.Image, data: bytes) -> int:
    """Peak bytes the pipeline will hold for this opened, not yet decoded image: the largest
    of decoding, flattening, scaling and writing, each with what is still alive then.

    For JPEG, call it after draft(): the decoder then produces the reduced size. A JPEG
    stored in several scans (progressive, or one component a scan) is first gathered whole
    as DCT coefficients, 2 bytes a sample at full size, whatever the reduction."""
    if image.mode not in _MODE_BYTES:
        raise _Refused(f"mode {image.mode}")
    decoded, flattening, working = _MODE_BYTES[image.mode]
    pixels = image.width * image.height
    held = decoding = 0
    if image.format == "WEBP":
        decoding, held = _WEBP_DECODING_BYTES * pixels, _WEBP_HELD_BYTES * pixels
    if image.format in ("JPEG", "MPO"):
        decoding = _jpeg_coefficient_bytes(data)
    return image.height * _ROW_BYTES + max(
        decoded * pixels + decoding,
        held + flattening * pixels,
        held + working * pixels + _scaling_bytes(image.width, image.height, working),
        _writing_bytes())


def _scaling_bytes(width: int, height: int, bytes_per_pixel: int) -> int:
    """Scratch and result of thumbnail() scaling an image down to MAX_SIDE, as Pillow does
    it: first reduce() by a whole factor, leaving at least twice the size asked for, then
    resample across into a scratch image and down into the result."""
    scale = MAX_SIDE / max(width, height)
    if scale >= 1:
        return 0
    new_width, new_height = max(1, round(width * scale)), max(1, round(height * scale))
    factor_x = max(1, int(width / new_width / 2))
    factor_y = max(1, int(height / new_height / 2))
    reduced_height = math.ceil(height / factor_y)
    reduced = math.ceil(width / factor_x) * reduced_height if factor_x * factor_y > 1 else 0
    return bytes_per_pixel * (reduced + new_width * reduced_height + new_width * new_height)


def _writing_bytes() -> int:
    """The largest result in RGB, its sRGB or upright copy, and the JPEG encoder's
    coefficients (progressive and optimised: the whole image, 4:2:0, 2 bytes a sample)."""
    return MAX_SIDE * MAX_SIDE * (4 + 4 + 3)


def _jpeg_coefficient_bytes(data: bytes) -> int:
    """Bytes of libjpeg's whole-image coefficient buffer, 0 for a single-scan JPEG."""
    frame = None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:  # stray bytes between segments: skipped, as Pillow does
            position += 1
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        segment = data[position + 4:position + 2 + length]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frame = (marker, segment)
        elif marker == 0xDA:
            if frame is None or not segment:
                raise _Refused("scan before frame header")
            sof, header = frame
            progressive = sof in (0xC2, 0xC6, 0xCA, 0xCE)
            height, width, components = struct.unpack(">HHB", header[1:6])
            if not progressive and segment[0] >= components:
                return 0
            sampling = [(b >> 4, b & 15) for b in header[7:6 + 3 * components:3]]
            if not sampling or min(min(s) for s in sampling) < 1:
                raise _Refused("bad sampling factors")
            h_max = max(h for h, _v in sampling)
            v_max = max(v for _h, v in sampling)
            blocks = 0
            for h, v in sampling:
                across = math.ceil(math.ceil(width * h / h_max) / 8)
                down = math.ceil(math.ceil(height * v / v_max) / 8)
                blocks += math.ceil(across / h) * h * math.ceil(down / v) * v
            return blocks * 64 * 2
        position += 2 + length
    raise _Refused("no scan")


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


def _check_png_complete(data: bytes) -> None:
    """Refuse a PNG whose compressed data ends before its last row.

    Pillow fills the missing rows with zeros when the zlib stream ends early (a 69-byte
    file then decodes as 64 megapixels), so count the bytes the stream inflates to, in
    bounded steps, against what the header promises."""
    width, height, depth, colour, interlaced = struct.unpack(">IIBB2xB", data[16:29])
    bits = _PNG_CHANNELS.get(colour, 0) * depth
    if not bits:
        raise _Refused("bad PNG colour type")

    def rows(w: int, h: int) -> int:
        return h * (1 + math.ceil(w * bits / 8)) if w and h else 0

    if interlaced:
        expected = sum(rows(math.ceil(max(width - x, 0) / dx), math.ceil(max(height - y, 0) / dy))
                       for x, y, dx, dy in _ADAM7)
    else:
        expected = rows(width, height)
    inflater = zlib.decompressobj()
    inflated = 0
    seen_data = False
    position = 8
    while position + 8 <= len(data) and inflated < expected:
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind != b"IDAT":
            if seen_data or kind == b"IEND":  # the data chunks are consecutive
                break
        else:
            seen_data = True
            pending = data[position + 8:position + 8 + length]
            while inflated < expected:
                step = len(inflater.decompress(pending, 1 << 20))
                inflated += step
                pending = inflater.unconsumed_tail
                if not pending and step < 1 << 20:  # all in, nothing held back
                    break
        position += 12 + length
    if inflated < expected:
        raise _Refused("PNG data ends early")


def _flatten(image: Image.Image) -> Image.Image:
    """The same picture in a mode resampling keeps as is (RGB, L or CMYK), transparent
    parts on white: JPEG has no transparency, and black behind a cut-out looks broken."""
    if image.mode in ("RGB", "L", "CMYK"):
        return image
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit greyscale: scale down to 8 bits rather than clip to white.
        return image.point(lambda value: value / 256).convert("L")
    if image.mode in ("P", "PA"):
        has_alpha = image.mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        if not has_alpha:
            return image
    if image.mode not in ("RGBA", "LA"):
        return image.convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB in sRGB. A photo's own profile (Display P3 on many phones) is applied rather than
    dropped, or its colours would come out dull; one that cannot be read is ignored."""
    if icc_profile:
        try:
            return ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(
                io.BytesIO(icc_profile)), _srgb(), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return image if image.mode == "RGB" else image.convert("RGB")


def _fitted(image: Image.Image, side: int) -> Image.Image:
    """A new image at most `side` pixels on its longest side, without a full-size copy."""
    scale = side / max(image.size)
    if scale >= 1:
        return image.copy()
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # Pillow's JPEG writer copies a "comment" from image.info (as GIF and PNG comments are
    # read): the picture goes out with no info at all, and no exif=, xmp= or icc_profile=.
    image.info = {}
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def open_header(data: bytes) -> tuple[Image.Image, tuple[int, int]]:
    """The image opened from its header, set to decode at the size it will be decoded at,
    and its size as the header states it. Nothing is decoded yet."""
    image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    width, height = image.size
    if image.format in ("JPEG", "MPO") and width and height:
        # Let the JPEG decoder scale down while decoding: less memory, same result. Ask
        # for the capped size itself, not a MAX_SIDE square: draft() only halves while
        # *both* sides stay as large as asked, so a square box would leave a wide 48 MP
        # photo (8064 × 4536) at full size. Rounding up keeps the result the same.
        scale = min(1.0, MAX_SIDE / max(width, height))
        image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    return image, (width, height)


def open_within_limits(data: bytes) -> Image.Image:
    """The image opened from its header once the limits allow decoding it; _TooLarge or
    _Refused otherwise. Nothing is decoded yet."""
    image, (width, height) = open_header(data)
    if width < 1 or height < 1:
        raise _Refused("empty image")
    if width * height > MAX_PIXELS:
        raise _TooLarge(width, height, MAX_PIXELS)
    needed = work_bytes(image, data)
    if needed > WORK_BUDGET_BYTES:
        raise _TooLarge(width, height, int(width * height * WORK_BUDGET_BYTES / needed))
    if image.format == "PNG":
        _check_png_complete(data)
    return image


def within_limits(data: bytes) -> bool:
    """Whether the limits let this image file be decoded (for bench/photo.py)."""
    try:
        open_within_limits(data)
    except (_TooLarge, _Refused):
        return False
    return True


def _decode(data: bytes) -> tuple[Image.Image, int | None, bytes | None]:
    """The image's first frame scaled to at most MAX_SIDE, its EXIF orientation and ICC
    profile; _TooLarge or _Refused before anything is decoded."""
    image = open_within_limits(data)
    icc_profile = image.info.get("icc_profile")
    image.load()  # the first frame only: nothing here ever seeks
    orientation = image.getexif().get(ExifTags.Base.Orientation)
    # Each step leaves the previous image unreferenced, so at most two full-size ones live.
    image = _flatten(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image, orientation, icc_profile


def reencode(data: bytes, name: str) -> EncodedPhoto:
    """Decode an image file and re-encode it as a capped sRGB JPEG and a thumbnail, or
    refuse it with a message naming the file (`name`)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image, orientation, icc_profile = _decode(data)
            image = _to_srgb(image, icc_profile)
            if orientation in _ORIENTATION:
                image = image.transpose(_ORIENTATION[orientation])
            thumbnail = _fitted(image, THUMBNAIL_SIDE)
            return EncodedPhoto(image=_jpeg(image, quality=85),
                                thumbnail=_jpeg(thumbnail, quality=80),
                                width=image.width, height=image.height)
    except _TooLarge as large:
        raise InvalidInput(
            _("«%(file)s» har for store mål (%(width)s × %(height)s piksler). Gjør bildet "
              "mindre, til høyst %(megapixels)s megapiksler, og prøv igjen.",
              file=name, width=large.width, height=large.height,
              megapixels=max(1, large.max_pixels // 1_000_000)),
            field="photos",
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(
            _("«%(file)s» har for store mål til å kunne åpnes.", file=name),
            field="photos",
        ) from exc
    except (_Refused, UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError,
            EOFError, IndexError, KeyError, ZeroDivisionError, MemoryError,
            struct.error, zlib.error) as exc:
        # Pillow's plugins signal broken input with a wide range of exceptions.
        raise InvalidInput(
            _("«%(file)s» er ikke et bilde vi kan lese. Last opp et foto i JPEG-, PNG- eller "
              "WebP-format.", file=name),
            field="photos",
        ) from exc
