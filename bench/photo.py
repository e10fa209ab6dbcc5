"""Benchmark of the photo pipeline: one 12-megapixel phone JPEG from uploaded bytes to the
re-encoded stored image and thumbnail, in wall time and peak memory; and the peak memory of
the worst images the limits accept, in every format.

    python bench/photo.py [--repeats N] [--json OUT]    (exit status 1 if a target is missed)

What is measured is `reuse.services.photos.encode`, which does all the work of an upload
(decode, EXIF orientation, cap at MAX_SIDE, thumbnail, re-encode); `add_photos` only adds a
database row and writes the two resulting files. For comparison the same input goes through a
naive full-resolution Pillow pipeline. The worst accepted images are what an attacker would
send: for each format and costly mode, the largest image `reuse.services.imaging` lets through
(found by asking it), in one colour, so the file is a few KB. Every measurement runs in a fresh
interpreter, so its peak RSS belongs to one upload and nothing else. MB in this module means
MiB (2**20 bytes).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

# Pillow and the app are imported only inside the child processes: the parent must stay small
# (see _peak_rss_kib) and must not pay for imports it does not measure.

ROOT = Path(__file__).resolve().parent.parent
TARGET_TIME_S = 1.0
TARGET_PEAK_RSS_MB = 250

# A landscape sensor image, as a 12 MP phone writes it: pixels stored sideways, EXIF says
# "rotate 90° clockwise to display" (orientation 6).
SENSOR_SIZE = (4032, 3024)
ORIENTATION = 6
CAMERA_MAKE = "BenchPhoneMaker"  # distinctive, so its absence in the output can be checked
JPEG_QUALITY = 90
# A red square in the sensor's top-left corner; after orientation 6 it must be top-right.
MARKER_FRACTION = 0.1
MARKER_RGB = (230, 20, 20)

Kind = Literal["pipeline", "naive", "worst"]

# (label, format, mode, save options, search): the worst inputs. "search" looks for the
# largest accepted square; a number is a fixed side. JPEG has both: up to twice MAX_SIDE it
# is decoded at full size, beyond that at half size or less, up to MAX_PIXELS.
WORST_CASES: tuple[tuple[str, str, str, dict[str, Any], str | int], ...] = (
    ("PNG RGBA", "PNG", "RGBA", {}, "search"),
    ("PNG palette, transparent", "PNG", "P", {"transparency": 0}, "search"),
    ("PNG greyscale", "PNG", "L", {}, "search"),
    ("WebP lossless", "WEBP", "RGB", {"lossless": True, "method": 0}, "search"),
    ("WebP lossy, alpha", "WEBP", "RGBA", {"quality": 80, "method": 0}, "search"),
    ("GIF, transparent", "GIF", "P", {"transparency": 0}, "search"),
    ("JPEG baseline", "JPEG", "RGB", {}, "search"),
    ("JPEG progressive 4:4:4", "JPEG", "RGB", {"progressive": True, "subsampling": 0},
     "search"),
    ("JPEG baseline, 64 MP", "JPEG", "RGB", {}, 8000),
)


class BenchmarkError(RuntimeError):
    """The pipeline produced wrong output, or the measurement itself cannot be trusted."""


def _check(condition: bool, message: str) -> None:
    # Not `assert`: the checks must also run under `python -O`.
    if not condition:
        raise BenchmarkError(message)


# -- the test image ----------------------------------------------------------------------

def make_input(path: Path) -> None:
    """Write a photo-like 4032×3024 JPEG with orientation 6, camera make and GPS in EXIF."""
    from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter

    def stretched(gradient: Image.Image) -> Image.Image:
        return gradient.resize(SENSOR_SIZE, Image.Resampling.BICUBIC)

    # Smooth gradients for sky-like areas, soft-edged shapes for objects, and per-pixel
    # noise like sensor noise: flat colour would compress to almost nothing and decode
    # unrealistically fast, noise is what makes a 12 MP photo 3–6 MB.
    bands = [stretched(Image.linear_gradient("L")),
             stretched(Image.radial_gradient("L")),
             stretched(Image.linear_gradient("L").rotate(90))]
    image = Image.merge("RGB", bands)
    draw = ImageDraw.Draw(image)
    width, height = SENSOR_SIZE
    for i in range(12):
        x, y = (i * 797) % width, (i * 1231) % height
        colour = ((i * 67) % 256, (i * 131) % 256, (i * 29) % 256)
        draw.ellipse((x, y, x + 300 + 90 * i, y + 200 + 60 * i), fill=colour)
    image = image.filter(ImageFilter.BoxBlur(3))
    image = Image.merge("RGB", [ImageChops.add(band, Image.effect_noise(SENSOR_SIZE, 10), 1.0, -128)
                                for band in image.split()])
    side = int(width * MARKER_FRACTION)
    image.paste(MARKER_RGB, (0, 0, side, side))

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = ORIENTATION
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    exif[ExifTags.Base.Model] = "Bench 12"
    exif[ExifTags.Base.DateTime] = "2024:05:14 09:30:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (60.0, 23.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (5.0, 19.0, 30.0)
    image.save(path, format="JPEG", quality=JPEG_QUALITY, exif=exif.tobytes())

    # The benchmark is only meaningful if the input carries what the pipeline must handle.
    with Image.open(path) as written:
        tags = written.getexif()
        _check(written.size == SENSOR_SIZE, f"test image is {written.size}")
        _check(tags.get(ExifTags.Base.Orientation) == ORIENTATION, "test image lacks orientation")
        _check(bool(tags.get_ifd(ExifTags.IFD.GPSInfo)), "test image lacks GPS")


# -- the child: one measurement ----------------------------------------------------------

def _naive(stream: io.BufferedReader, max_side: int, thumbnail_side: int) -> tuple[bytes, bytes]:
    """What one writes without thinking about memory: full decode, then resize."""
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(stream.read()))
    image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    scale = min(1.0, max_side / max(image.size))
    image = image.resize((round(image.width * scale), round(image.height * scale)),
                         Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
    # Same encoder settings as the pipeline, so only decoding and resizing differ.
    outputs = []
    for picture, quality in ((image, 85), (thumbnail, 80)):
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
        outputs.append(out.getvalue())
    return outputs[0], outputs[1]


def _peak_rss_kib() -> int:
    """Peak RSS of this process so far, in KiB, from getrusage as the benchmark reports it.

    Linux carries ru_maxrss across exec, so a child started by a big process inherits that
    process's peak. /proc's VmHWM belongs to this address space only; if the two disagree,
    the figure would be the parent's, not ours, and the run is refused."""
    ru_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    if match and ru_maxrss > int(match.group(1)):
        raise BenchmarkError(
            f"ru_maxrss ({ru_maxrss} KiB) is the parent's peak, not this process's "
            f"(VmHWM {match.group(1)} KiB): run the benchmark from a smaller process")
    return ru_maxrss


def _verify(image_bytes: bytes, thumbnail_bytes: bytes, max_side: int, thumbnail_side: int,
            reported_size: tuple[int, int] | None) -> None:
    """Refuse output that is not capped, upright and stripped of metadata."""
    from PIL import Image, ImageStat

    expected_long = min(max_side, max(SENSOR_SIZE))
    for label, data, longest in (("image", image_bytes, expected_long),
                                 ("thumbnail", thumbnail_bytes, thumbnail_side)):
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            _check(picture.format == "JPEG", f"{label} is {picture.format}, not JPEG")
            _check(max(width, height) == longest,
                   f"{label} is {width}×{height}, longest side should be {longest}")
            # Orientation 6 turns the landscape sensor image into a portrait one.
            _check(width < height, f"{label} is {width}×{height}: orientation not applied")
            _check(abs(height / width - SENSOR_SIZE[0] / SENSOR_SIZE[1]) < 0.01,
                   f"{label} is {width}×{height}: aspect ratio changed")
            _check(len(picture.getexif()) == 0, f"{label} still has EXIF tags")
            _check(b"Exif" not in data and CAMERA_MAKE.encode() not in data,
                   f"{label} still carries EXIF data (camera make or GPS)")
            if label == "image":
                _check(reported_size in (None, (width, height)),
                       f"encode reported {reported_size}, file is {width}×{height}")
                # Width < height would also hold if it were turned the wrong way: the marker
                # from the sensor's top-left must now be in the top-right corner.
                side = int(width * MARKER_FRACTION)
                corners = {"top-right": (width - side, 0), "top-left": (0, 0),
                           "bottom-left": (0, height - side),
                           "bottom-right": (width - side, height - side)}
                red = {}
                for corner, (x, y) in corners.items():
                    patch = picture.crop((x + side // 4, y + side // 4,
                                          x + 3 * side // 4, y + 3 * side // 4))
                    r, g, b = ImageStat.Stat(patch.convert("RGB")).mean
                    red[corner] = r > 180 and g < 80 and b < 80
                _check(red == {"top-right": True, "top-left": False, "bottom-left": False,
                               "bottom-right": False},
                       f"image rotated the wrong way: red marker found at {red}")


def child(kind: Kind, path: Path) -> dict[str, float]:
    """Process one upload in this (fresh) process and return its time and memory figures."""
    # The child runs as a script, so put this checkout first rather than whichever one an
    # editable install points at.
    sys.path.insert(0, str(ROOT))
    from PIL import Image

    from reuse.config import DEFAULTS
    from reuse.services import imaging, photos

    # Pillow imports its format plugins on the first open; a running server has done that
    # long before, so it belongs to the baseline, not to the upload.
    Image.preinit()
    rss_before = _peak_rss_kib()

    with path.open("rb") as stream:  # werkzeug spools uploads this large to a temporary file
        start = time.perf_counter()
        if kind in ("pipeline", "worst"):
            encoded = photos.encode(photos.Upload(stream, path.name), DEFAULTS["PHOTO_MAX_BYTES"])
            image_bytes, thumbnail_bytes = encoded.image, encoded.thumbnail
            reported: tuple[int, int] | None = (encoded.width, encoded.height)
        else:
            image_bytes, thumbnail_bytes = _naive(stream, imaging.MAX_SIDE, imaging.THUMBNAIL_SIDE)
            reported = None
        elapsed = time.perf_counter() - start
    # Read before verifying: decoding the output to check it must not count as the upload's.
    rss_peak = _peak_rss_kib()

    if kind == "worst":
        with Image.open(io.BytesIO(image_bytes)) as picture:
            _check(picture.format == "JPEG" and max(picture.size) <= imaging.MAX_SIDE,
                   f"worst case came out as {picture.format} {picture.size}")
    else:
        _verify(image_bytes, thumbnail_bytes, imaging.MAX_SIDE, imaging.THUMBNAIL_SIDE,
                reported)
    return {"time_s": elapsed, "rss_before_mb": rss_before / 1024,
            "peak_rss_mb": rss_peak / 1024}


# -- the worst accepted images -----------------------------------------------------------

def _one_colour(fmt: str, mode: str, options: dict[str, Any], side: int) -> bytes:
    from PIL import Image

    colour = {"RGBA": (200, 60, 40, 128), "RGB": (200, 60, 40), "L": 128, "P": 0}[mode]
    out = io.BytesIO()
    Image.new(mode, (side, side), colour).save(out, format=fmt, **options)
    return out.getvalue()


def make_worst(index: int, path: Path) -> None:
    """Write the largest square of WORST_CASES[index] the limits accept, and say its side.

    Acceptance grows no larger with the side within a searched range, so a binary search
    finds the last side accepted; the next one up is checked to be refused."""
    sys.path.insert(0, str(ROOT))
    from reuse.services import imaging

    _label, fmt, mode, options, search = WORST_CASES[index]

    def accepted(side: int) -> bool:
        return imaging.within_limits(_one_colour(fmt, mode, options, side))

    if search == "search":
        # JPEG beyond twice MAX_SIDE is decoded reduced: a separate, fixed case.
        low, high = 64, (2 * imaging.MAX_SIDE - 1 if fmt == "JPEG"
                         else math.isqrt(imaging.MAX_PIXELS))
        _check(accepted(low), f"{fmt} {mode} of {low} px refused")
        if accepted(high):
            low = high
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if accepted(middle) else (low, middle)
        side = low
        _check(side == high or not accepted(side + 1), "search did not find the largest")
    else:
        side = int(search)
        _check(accepted(side), f"{fmt} {mode} of {side} px refused")
    path.write_bytes(_one_colour(fmt, mode, options, side))
    print(side)


def run_worst() -> list[dict[str, Any]]:
    """Peak RSS and time of each worst case, each in a fresh process."""
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-photo-worst-") as tmp:
        for index, (label, fmt, mode, _options, _search) in enumerate(WORST_CASES):
            path = Path(tmp) / f"worst-{index}.{fmt.lower()}"
            side = int(_spawn("--make-worst", str(index), str(path)).strip())
            figures = json.loads(_spawn("--child", "worst", str(path)))
            results.append({"label": label, "format": fmt, "mode": mode, "side": side,
                            "input_bytes": path.stat().st_size, **figures})
    return results


# -- the parent: repeat, summarise, report -----------------------------------------------

def _spawn(*args: str) -> str:
    """Run this file in a fresh interpreter; its stdout, or a loud failure with its stderr."""
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchmarkError(f"child {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def _summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    def stats(key: str) -> dict[str, float]:
        values = [sample[key] for sample in samples]
        return {"median": statistics.median(values), "max": max(values)}

    return {"time_s": stats("time_s"), "peak_rss_mb": stats("peak_rss_mb"),
            "rss_before_mb": statistics.median(s["rss_before_mb"] for s in samples)}


def run(repeats: int = 5) -> dict[str, Any]:
    """Measure the pipeline and the naive baseline `repeats` times each, one process per run.

    Time is judged on the median (single runs are noisy on a shared machine), peak memory on
    the maximum (it hardly varies, and every upload must fit)."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-photo-") as tmp:
        path = Path(tmp) / "IMG_0001.jpg"
        # Made in a child too: building a 12 MP image here would raise this process's peak
        # RSS, which every later child would inherit (see _peak_rss_kib).
        _spawn("--make-input", str(path))
        samples: dict[Kind, list[dict[str, float]]] = {"pipeline": [], "naive": []}
        for _ in range(repeats):
            # Interleaved, so a burst of load on the machine hits both alike.
            for kind in samples:
                samples[kind].append(json.loads(_spawn("--child", kind, str(path))))
        input_bytes = path.stat().st_size

    worst = run_worst()
    worst_by_format = {fmt: max(case["peak_rss_mb"] for case in worst if case["format"] == fmt)
                       for fmt in dict.fromkeys(case["format"] for case in worst)}
    result = {"megapixels": round(SENSOR_SIZE[0] * SENSOR_SIZE[1] / 1e6, 2),
              "input_bytes": input_bytes,
              "function": "reuse.services.photos.encode",
              "repeats": repeats,
              **_summary(samples["pipeline"]),
              "naive": _summary(samples["naive"]),
              "targets": {"time_s": TARGET_TIME_S, "peak_rss_mb": TARGET_PEAK_RSS_MB}}
    result["met"] = (result["time_s"]["median"] < TARGET_TIME_S
                     and result["peak_rss_mb"]["max"] < TARGET_PEAK_RSS_MB)
    result["worst"] = {"cases": worst, "peak_rss_mb_by_format": worst_by_format,
                       "met": max(worst_by_format.values()) < TARGET_PEAK_RSS_MB}
    return result


def report(result: dict[str, Any]) -> str:
    """A small readable table of a run() result."""
    width, height = SENSOR_SIZE
    lines = [f"{result['function']}: {width}×{height} JPEG ({result['megapixels']} MP, "
             f"{result['input_bytes'] / 2**20:.1f} MB, EXIF orientation {ORIENTATION}), "
             f"{result['repeats']} fresh processes each",
             "",
             f"{'':9}{'time median':>12}{'time max':>10}{'peak median':>13}{'peak max':>10}"
             f"{'before':>8}{'added':>8}"]
    for label, figures in (("pipeline", result), ("naive", result["naive"])):
        time_s, peak = figures["time_s"], figures["peak_rss_mb"]
        added = peak["median"] - figures["rss_before_mb"]
        lines.append(f"{label:9}{time_s['median']:>10.2f} s{time_s['max']:>8.2f} s"
                     f"{peak['median']:>10.0f} MB{peak['max']:>7.0f} MB"
                     f"{figures['rss_before_mb']:>5.0f} MB{added:>5.0f} MB")
    targets = result["targets"]
    lines.append(f"{'target':9}{'< ' + format(targets['time_s'], '.2f'):>10} s"
                 f"{'':10}{'':13}{'< ' + str(targets['peak_rss_mb']):>7} MB")
    naive = result["naive"]
    lines += ["",
              f"pipeline {result['time_s']['median']:.2f} s / "
              f"{result['peak_rss_mb']['max']:.0f} MB peak vs naive "
              f"{naive['time_s']['median']:.2f} s / {naive['peak_rss_mb']['max']:.0f} MB: "
              f"targets {'met' if result['met'] else 'NOT met'}"]
    lines += ["", report_worst(result["worst"])]
    return "\n".join(lines)


def report_worst(worst: dict[str, Any]) -> str:
    """The worst accepted images: one line each, then the peak per format with its verdict."""
    lines = ["worst accepted images (largest square the limits let through, one colour; "
             "a fresh process each)",
             "",
             f"{'':26}{'side':>6}{'file':>10}{'time':>8}{'peak':>9}{'added':>8}"]
    for case in worst["cases"]:
        added = case["peak_rss_mb"] - case["rss_before_mb"]
        lines.append(f"{case['label']:26}{case['side']:>6}{case['input_bytes'] / 1024:>7.0f} KB"
                     f"{case['time_s']:>6.2f} s{case['peak_rss_mb']:>6.0f} MB{added:>5.0f} MB")
    by_format = ", ".join(f"{fmt} {peak:.0f} MB"
                          for fmt, peak in worst["peak_rss_mb_by_format"].items())
    lines += ["", f"worst accepted image, peak per format: {by_format}: target "
                  f"< {TARGET_PEAK_RSS_MB} MB {'met' if worst['met'] else 'NOT met'}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time and peak memory of one 12 MP photo upload, pipeline vs naive, and "
                    "peak memory of the worst accepted images.")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each kind (default 5)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the result here")
    # Internal: how the parent starts its fresh processes.
    parser.add_argument("--child", nargs=2, metavar=("KIND", "JPEG"), help=argparse.SUPPRESS)
    parser.add_argument("--make-input", type=Path, metavar="JPEG", help=argparse.SUPPRESS)
    parser.add_argument("--make-worst", nargs=2, metavar=("CASE", "FILE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.make_input:
        make_input(args.make_input)
        return 0
    if args.make_worst:
        make_worst(int(args.make_worst[0]), Path(args.make_worst[1]))
        return 0
    if args.child:
        kind, path = args.child
        if kind not in ("pipeline", "naive", "worst"):
            parser.error(f"unknown kind {kind!r}")
        print(json.dumps(child(kind, Path(path))))
        return 0

    result = run(args.repeats)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["met"] and result["worst"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
