"""Modality cues: sentences that deny an event, announce it as planned, and particles that negate a word."""

from __future__ import annotations

from typing import Literal

Modality = Literal["asserted", "planned"]

DENIAL_TERMS: tuple[str, ...] = (
    "نفى",
    "=نفت",
    "ينفي",
    "تنفي",
    "نفوا",
    "نفي",
    "=لا صحة",
    "غير صحيح",
    "غير صحيحة",
    "عار =عن الصحة",
    "عارية =عن الصحة",
    "كذبت",
    "تكذيب",
)
"""A sentence with one of these denies what it reports: it never makes a topic fire."""

BACKGROUND_TERMS: tuple[str, ...] = (
    "السنوات الماضية",
    "الأعوام الماضية",
    "السنوات السابقة",
    "الأعوام السابقة",
    "السنوات الأخيرة",
    "=منذ سنوات",
    "=على مدى سنوات",
    "=خلال سنوات",
)
"""A sentence anchored in past years recalls background (detainees received over the past years), not the
news of the day: it never makes a topic fire."""

PLANNED_TERMS: tuple[str, ...] = (
    "=من المقرر",
    "=من المنتظر",
    "=من المتوقع",
    "=من المرتقب",
    "المرتقب",
    "مرتقب",
    "يعتزم",
    "تعتزم",
    "اعتزام",
    "ينوي",
    "تنوي",
    "يتوقع",
    "تتوقع",
    "يرتقب",
    "سوف",
    "سيتم",
    "ستتم",
    "يخطط",
    "تخطط",
    "يستعد",
    "تستعد",
    "يزمع",
    "تزمع",
    "سيصدر",
    "ستصدر",
    "سيعقد",
    "ستعقد",
    "سيجتمع",
    "ستجتمع",
    "سيصبح",
    "ستصبح",
    "الأسبوع المقبل",
    "الشهر المقبل",
    "العام المقبل",
    "الأيام المقبلة",
    "الأسابيع المقبلة",
    "الأشهر المقبلة",
    "=قريبا",
)
"""A sentence with one of these (or a matched verb carrying the future prefix س) reports a planned event."""

NEGATORS: frozenset[str] = frozenset(c + n for c in ("", "و", "ف") for n in ("لم", "لن", "لا", "ليس", "ليست"))
"""A matched word right after one of these (لم تنضم، لن تتسلم) is negated and does not count."""

AUXILIARIES: frozenset[str] = frozenset(
    c + v
    for c in ("", "و", "ف")
    for v in (
        "ينوي", "تنوي", "ننوي", "يعتزم", "تعتزم", "نعتزم", "يتم", "تتم", "يجر", "تجر", "يجري", "تجري",
        "يكن", "تكن", "يكون", "تكون", "يقرر", "تقرر", "يريد", "تريد", "نريد", "يرغب", "ترغب", "يسعي",
        "تسعي", "يوافق", "توافق", "يقبل", "تقبل", "يعلن", "تعلن", "يستطيع", "تستطيع", "بصدد", "يخطط", "تخطط",
        "يفكر", "تفكر", "يعتزمون", "ينوون",
    )
)  # fmt: skip
"""Verbs of intention, decision or doing (normalised) that pass a negation on to the event they govern:
لا تنوي الانضمام، لم يتم تسليم، لن يتم نقل، ليست بصدد الانضمام. A negator two words before an event word,
with one of these between, negates it as a negator right before it does."""
