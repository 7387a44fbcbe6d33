"""Arabic date parsing: Levantine, MSA/Egyptian and Maghreb month names, Hijri dates, relative dates, ISO."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTER_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "،": ",", "\u00a0": " "}
)


# The three steps of normalize() in one table: digits, deleted diacritics and tatweel, letter folds (no step
# produces a character another step maps, so one str.translate equals the three in sequence).
NORMALIZE_TABLE: dict[int, str | None] = {
    **{k: chr(v) for k, v in _DIGITS.items()},
    **dict.fromkeys((*range(0x064B, 0x0653), 0x0670, 0x0640)),  # tashkeel, superscript alef, tatweel
    **_LETTER_FOLD,
}


def normalize(text: str) -> str:
    """Fold what outlets spell in several ways: digits to 0-9, alef forms, ى, ة, diacritics, tatweel."""
    return text.translate(NORMALIZE_TABLE)


_GREGORIAN_MONTHS: dict[str, int] = {
    # Levantine / Iraqi (Syriac) names
    "كانون الثاني": 1, "كانون ثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6,
    "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين اول": 10, "تشرين الثاني": 11,
    "تشرين ثاني": 11, "كانون الاول": 12, "كانون اول": 12,
    # Egyptian / MSA names
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7,
    "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Maghreb (Algeria, Tunisia; Morocco)
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويليه": 7, "جويليا": 7, "اوت": 8,
    "يوليوز": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
}  # fmt: skip

_HIJRI_MONTHS: dict[str, int] = {
    "محرم": 1, "صفر": 2, "ربيع الاول": 3, "ربيع اول": 3, "ربيع الثاني": 4, "ربيع الاخر": 4,
    "ربيع ثاني": 4, "جمادي الاولي": 5, "جمادي الاول": 5, "جمادي الثانيه": 6, "جمادي الاخره": 6,
    "جمادي الثاني": 6, "جمادي الاخر": 6, "رجب": 7, "شعبان": 8, "رمضان": 9, "شوال": 10,
    "ذو القعده": 11, "ذي القعده": 11, "ذو الحجه": 12, "ذي الحجه": 12,
}  # fmt: skip


def _alternation(names: dict[str, int]) -> str:
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))


_MONTH = _alternation(_GREGORIAN_MONTHS)
_HMONTH = _alternation(_HIJRI_MONTHS)
_NOT_LETTER = r"(?<![\w])"
_END = r"(?![\w])"
_TIME = (
    r"(?:\s*(?:[-–|,/]|الساعه|في|-)?\s*){0,3}"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>صباحا|مساءا|مساء|ظهرا|عصرا|ليلا|ص|م|am|pm|AM|PM)?" + _END
)

# "11 أيار 2022", "الأربعاء 11 من أيار، 2022", "24 نيسان / أبريل 2020 09:22 مساءً", "11 مارس/ آذار 2020"
_GREGORIAN_RE = re.compile(
    _NOT_LETTER + r"(?P<day>\d{1,2})\s*(?:من\s+)?(?P<month>" + _MONTH + r")" + _END
    + r"(?:\s*[/\-(]\s*(?:" + _MONTH + r")\s*\)?)?"
    + r"\s*,?\s*(?:من\s+)?(?:عام\s+|سنه\s+)?(?P<year>\d{4})(?!\d)\s*(?:م(?![\w]))?"
    + r"(?:" + _TIME + r")?"
)  # fmt: skip
# "15 جمادى الأولى 1447 هـ"
_HIJRI_RE = re.compile(
    _NOT_LETTER + r"(?P<day>\d{1,2})\s*(?:من\s+)?(?P<month>" + _HMONTH + r")" + _END
    + r"\s*,?\s*(?:من\s+)?(?:عام\s+|سنه\s+)?(?P<year>1[34]\d\d)(?!\d)\s*(?:ه(?![\w])|هجري\w*)?"
)  # fmt: skip
# 2020-08-24, 2020/8/24 12:30, 24/08/2020, 24-08-2020 - 10:15
_NUMERIC_RE = re.compile(
    r"(?<![\d/.\-])(?:(?P<y1>(?:19|20)\d\d)[/.\-](?P<m1>\d{1,2})[/.\-](?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})[/.\-](?P<m2>\d{1,2})[/.\-](?P<y2>(?:19|20)\d\d))(?![\d/.\-])"
    r"(?:(?:T|" + _TIME.replace("(?P<", "(?P<n") + r"))?"
)
_UNITS: dict[str, timedelta] = {
    "ثانيه": timedelta(seconds=1), "ثانيتين": timedelta(seconds=2), "ثوان": timedelta(seconds=1),
    "ثواني": timedelta(seconds=1), "دقيقه": timedelta(minutes=1), "دقيقتين": timedelta(minutes=2),
    "دقائق": timedelta(minutes=1), "ساعه": timedelta(hours=1), "ساعتين": timedelta(hours=2),
    "ساعات": timedelta(hours=1), "يوم": timedelta(days=1), "يومين": timedelta(days=2),
    "ايام": timedelta(days=1), "اسبوع": timedelta(weeks=1), "اسبوعين": timedelta(weeks=2),
    "اسابيع": timedelta(weeks=1),
}  # fmt: skip
_UNIT_NAMES = "|".join(sorted(_UNITS, key=len, reverse=True))
_RELATIVE_RE = re.compile(
    _NOT_LETTER + r"(?:منذ|قبل)\s+(?P<count>\d+\s+)?(?P<unit>" + _UNIT_NAMES + r")" + _END
)


@dataclass(frozen=True)
class FoundDate:
    """A date found in a text: the moment, whether a time of day was printed, and where it was."""

    value: datetime
    has_time: bool
    start: int
    end: int


def resolve_timezone(name: str | None) -> tzinfo:
    """ZoneInfo for an IANA name; UTC when the name is missing or unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """Tabular (arithmetical, civil epoch) Islamic calendar to Gregorian.

    Umm al-Qura and sighting-based calendars can differ from it by a day or two.
    """
    if not (1 <= month <= 12 and 1 <= day <= 30 and year >= 1):
        raise ValueError(f"not a Hijri date: {year}-{month}-{day}")
    jdn = day + (59 * (month - 1) + 1) // 2 + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439
    return date.fromordinal(jdn - 1721425)


def _clock(hour: str | None, minute: str | None, second: str | None, ampm: str | None) -> time | None:
    if hour is None or minute is None:
        return None
    h, m, s = int(hour), int(minute), int(second or 0)
    marker = (ampm or "").lower()
    afternoon = marker in {"م", "مساء", "مساءا", "عصرا", "ليلا", "pm"} and h < 12
    if afternoon or (marker == "ظهرا" and h < 11):
        h += 12
    elif marker in {"ص", "صباحا", "am"} and h == 12:
        h = 0
    if h > 23 or m > 59 or s > 59:
        return None
    return time(h, m, s)


def _make(d: date, clock: time | None, tz: tzinfo) -> datetime:
    return datetime.combine(d, clock or time(0, 0), tzinfo=tz)


def iter_dates(text: str, tz: tzinfo = UTC, now: datetime | None = None) -> Iterator[FoundDate]:
    """Every date printed in text, in order of position. Naive times are read in tz.

    Positions refer to the normalised text (same length as the input: normalisation maps characters
    one to one except removed diacritics, so positions are approximate when the text has tashkeel).
    Relative dates ("منذ 3 ساعات") are found only when now is given.
    """
    norm = normalize(text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _HIJRI_RE.finditer(norm):
        month = _HIJRI_MONTHS[" ".join(m.group("month").split())]
        try:
            d = hijri_to_gregorian(int(m.group("year")), month, int(m.group("day")))
        except ValueError:
            continue
        found.append(FoundDate(_make(d, None, tz), False, m.start(), m.end()))
        taken.append(m.span())
    for m in _GREGORIAN_RE.finditer(norm):
        if not free(*m.span()):
            continue
        month = _GREGORIAN_MONTHS[" ".join(m.group("month").split())]
        try:
            d = date(int(m.group("year")), month, int(m.group("day")))
        except ValueError:
            continue
        clock = _clock(m.group("hour"), m.group("minute"), m.group("second"), m.group("ampm"))
        found.append(FoundDate(_make(d, clock, tz), clock is not None, m.start(), m.end()))
        taken.append(m.span())
    for m in _NUMERIC_RE.finditer(norm):
        if not free(*m.span()):
            continue
        if m.group("y1"):
            y, mo, dd = m.group("y1"), m.group("m1"), m.group("d1")
        else:
            y, mo, dd = m.group("y2"), m.group("m2"), m.group("d2")
        try:
            d = date(int(y), int(mo), int(dd))
        except ValueError:
            continue
        clock = _clock(m.group("nhour"), m.group("nminute"), m.group("nsecond"), m.group("nampm"))
        found.append(FoundDate(_make(d, clock, tz), clock is not None, m.start(), m.end()))
        taken.append(m.span())
    if now is not None:
        for m in _RELATIVE_RE.finditer(norm):
            if not free(*m.span()):
                continue
            count = int(m.group("count") or 1)
            moment = now - count * _UNITS[m.group("unit")]
            found.append(FoundDate(moment, True, m.start(), m.end()))
    found.sort(key=lambda f: f.start)
    yield from found


def parse_date(text: str, tz: tzinfo | str | None = None, now: datetime | None = None) -> datetime | None:
    """The first date in text (ISO 8601 strings first, then Arabic forms), timezone-aware, or None.

    tz (a tzinfo or IANA name) is applied to dates printed without an offset; default UTC.
    """
    zone = tz if isinstance(tz, tzinfo) else resolve_timezone(tz)
    iso = parse_iso(text, zone)
    if iso is not None:
        return iso
    for found in iter_dates(text, zone, now):
        return found.value
    return None


_ISO_RE = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?\s*$",
    re.IGNORECASE,
)


def parse_iso(text: str, tz: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 date or date-time (as in meta tags), made timezone-aware with tz when naive."""
    m = _ISO_RE.match(normalize(text))
    if not m:
        return None
    day, clock, offset = m.group(1), m.group(2), m.group(3)
    raw = day + ("T" + clock if clock else "")
    if offset:
        off = offset.upper()
        raw += "+00:00" if off in {"Z", "UTC", "GMT"} else (off if ":" in off else off[:3] + ":" + off[3:])
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)
