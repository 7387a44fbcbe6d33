"""Normalisation (DESIGN.md "Arabic text") and the map back to original offsets."""

from rasid.matching import normalize
from rasid.matching.normalize import normalize_mapped


def test_tashkeel_and_tatweel_removed() -> None:
    assert normalize("مُعْتَقَلِي") == "معتقلي"
    assert normalize("بيانًا مشتركًا") == "بيانا مشتركا"
    assert normalize("الـتحالـــف") == "التحالف"


def test_alef_forms_ya_and_ta_marbuta() -> None:
    assert normalize("أإآٱ") == "اااا"
    assert normalize("الإسلامية") == "الاسلاميه"
    assert normalize("تولّى") == "تولي"


def test_hamza_seats_fold_so_spelling_variants_meet() -> None:
    assert normalize("مسؤول") == normalize("مسئول")
    assert normalize("شؤون") == normalize("شئون")


def test_digits_and_quotes() -> None:
    assert normalize("٢٠٢٦ و۹۰") == "2026 و90"
    assert normalize("«داعش» “الدولة” 'x' \"y\"") == '"داعش" "الدوله" "x" "y"'


def test_latin_lowercased_and_invisible_marks_removed() -> None:
    assert normalize("ISIS\u200f") == "isis"


def test_offsets_map_back_to_original() -> None:
    original = "أعلنَ «التحالفُ» انضمامَ سوريا"
    norm = normalize_mapped(original)
    i = norm.text.index("التحالف")
    start, end = norm.to_original(i, i + len("التحالف"))
    assert original[start:end] == "التحالفُ"  # the trailing damma belongs to the word
    j = norm.text.index("سوريا")
    assert norm.to_original(j, j + 5) == (original.index("سوريا"), len(original))
