"""Which characters text people give the application may hold: one rule for every caller.

A title with "\\r\\nBcc: x@evil.example" broke e-mail headers; an invisible or direction-
reversing character makes a title or a name read differently from what it is (a U+202E
turns "gpj.exe" around). So:

- single-line fields (titles, names, addresses, references, search words) refuse every
  control character (C0 including TAB, CR and LF; DEL; C1; the line and paragraph
  separators U+2028/U+2029), invisible characters (U+200B–U+200F, U+2060–U+2064, U+FEFF)
  and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069,
  and the Arabic letter mark U+061C);
- multi-line fields (descriptions, notes, messages) keep their line breaks (LF, and the CR
  browsers send before it) and refuse the rest.

The soft hyphen (U+00AD) is allowed: Word and PDFs put it in pasted Norwegian compounds
("kontor\\u00adstol"), it only ever shows as a hyphen at a line break, and it can neither
hide text nor reorder it, so refusing it would turn away honest text for no safety.

Forms (the PlainText validator in reuse.web.fields), the API parser (reuse.api.parsing) and
the services (check(), the last word, so the command line is covered too) all ask
first_refused(); each words the answer in its own language.
"""

from __future__ import annotations

import enum
import re

from reuse.i18n import gettext as _
from reuse.services.errors import InvalidInput


class Refused(enum.Enum):
    LINE_BREAK = "line_break"
    CONTROL = "control"
    INVISIBLE = "invisible"
    BIDI = "bidi"


_LINE_BREAKS = "\n\r\u2028\u2029"
_CONTROLS = "\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f"
_INVISIBLE = "\u200b-\u200d\u2060-\u2064\ufeff"
# U+200E/U+200F (the left-to-right and right-to-left marks) are invisible too, but they are
# direction characters first: named as such.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"

_SINGLE_LINE = re.compile(f"[{_LINE_BREAKS}{_CONTROLS}{_INVISIBLE}{_BIDI}]")
_MULTI_LINE = re.compile(f"[\u2028\u2029{_CONTROLS}{_INVISIBLE}{_BIDI}]")


def _kind(char: str) -> Refused:
    if char in _LINE_BREAKS:
        return Refused.LINE_BREAK
    if re.match(f"[{_INVISIBLE}]", char):
        return Refused.INVISIBLE
    if re.match(f"[{_BIDI}]", char):
        return Refused.BIDI
    return Refused.CONTROL


def first_refused(value: str, *, multiline: bool = False) -> tuple[Refused, str] | None:
    """The kind of the first character this field may not hold and its code ("U+202E"),
    or None when the text is fine."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    return _kind(char), f"U+{ord(char):04X}"


def message(label: str, kind: Refused, code: str) -> str:
    """The refusal in the request's language (bokmål by default), naming the field."""
    if kind is Refused.LINE_BREAK:
        return _("«%(field)s» må stå på én linje, uten linjeskift (fant %(char)s).",
                 field=label, char=code)
    if kind is Refused.INVISIBLE:
        return _("«%(field)s» kan ikke inneholde usynlige tegn (fant %(char)s).",
                 field=label, char=code)
    if kind is Refused.BIDI:
        return _("«%(field)s» kan ikke inneholde tegn som endrer skriveretningen "
                 "(fant %(char)s).", field=label, char=code)
    return _("«%(field)s» kan ikke inneholde kontrolltegn (fant %(char)s).",
             field=label, char=code)


ENGLISH = {
    Refused.LINE_BREAK: "must be one line, without line breaks",
    Refused.CONTROL: "may not contain control characters",
    Refused.INVISIBLE: "may not contain invisible characters",
    Refused.BIDI: "may not contain characters that change the writing direction",
}


def check(value: str | None, label: str, *, field: str, multiline: bool = False) -> None:
    """Raise InvalidInput naming the field if the text holds a character it may not."""
    found = first_refused(value or "", multiline=multiline)
    if found is not None:
        raise InvalidInput(message(label, *found), field=field)
