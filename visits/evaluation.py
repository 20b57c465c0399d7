"""Score extractions against the hand-labelled evaluation set in ``tests/extraction_eval``.

``score(predictions, gold)`` compares two mappings of case name -> extraction (the form of
``extraction.schema.json``) and counts true positives, false positives and false negatives per
field, per language and overall:

- ``trips``: trip detection. A predicted trip matches a gold trip when the travellers' names match
  and they share at least one country; pairs are matched one-to-one, best first.
- ``destinations``: the country sets of matched trips.
- ``traveller_countries``: (traveller, country) pairs over all trips of a report, matched or not: what
  a reader of the timeline gets from the report, so a missed or invented trip counts here too.
- ``stop_dates``: start and end of matched stops (matched by country, then city or dates), exact
  ISO strings; a date given on one side only is a false positive or negative.
- ``trip_status``, ``stop_status``: the status of matched trips and matched stops.
- ``meetings``: meeting detection; a meeting matches when the participants overlap and the dates
  or countries do not contradict each other.
- ``meeting_participants``: the participant names of matched meetings.
- ``meeting_status``: the status of matched meetings.
- ``topics``: topic slugs of matched meetings and of matched stops.
- ``evidence``: only when report texts are given; the share of predicted evidence spans whose
  ``quote`` is the text at ``start:end`` (precision only).

Field scores other than detection are computed on matched items only, so they say how good the
extracted details are once a trip or meeting is found; detection scores say how many are found.

Names are compared after casefolding, stripping accents, transliterating Cyrillic and collapsing
punctuation, then with a fuzzy ratio (rapidfuzz) so that "Sergei Lavrov" matches "Sergey Lavrov".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

FIELDS = (
    "trips",
    "destinations",
    "traveller_countries",
    "stop_dates",
    "trip_status",
    "stop_status",
    "meetings",
    "meeting_participants",
    "meeting_status",
    "topics",
    "evidence",
)
NAME_THRESHOLD = 85.0
OVERALL = "all"

# Cyrillic to Latin, applied after NFKD has split й, ё and ї into a base letter and a diacritic.
_CYRILLIC = str.maketrans(
    {
        **dict(zip("абвгдезиклмнопрстуфыэі", "abvgdeziklmnoprstufyei", strict=True)),
        **{"ж": "zh", "\u0445": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"},
        **{"ъ": "", "ь": "", "є": "ye", "ґ": "g"},
    }
)


# --- counting ----------------------------------------------------------------------------------


@dataclass
class Counts:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def empty(self) -> bool:
        return self.tp + self.fp + self.fn == 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; None when there was nothing to score."""
        if self.empty:
            return None
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    def as_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _compare_sets(gold: Iterable, predicted: Iterable) -> Counts:
    gold_set, predicted_set = set(gold), set(predicted)
    common = len(gold_set & predicted_set)
    return Counts(common, len(predicted_set) - common, len(gold_set) - common)


def _compare_values(gold: object, predicted: object) -> Counts:
    """One value each side; None means "not stated" and counts on the other side only."""
    if gold is None and predicted is None:
        return Counts()
    if gold == predicted:
        return Counts(tp=1)
    return Counts(fp=int(predicted is not None), fn=int(gold is not None))


# --- names -------------------------------------------------------------------------------------


def normalize_name(name: str | None) -> str:
    """Casefold, strip accents, transliterate Cyrillic, keep letters, digits and single spaces."""
    text = unicodedata.normalize("NFKD", (name or "").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_CYRILLIC)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


# Spellings that transliteration schemes (English, German, French, Spanish) render differently.
_LOOSE = [
    (r"shch", "sch"),
    (r"kh", "h"),
    (r"zh", "j"),
    (r"w", "v"),
    (r"j", "y"),
    (r"z", "s"),
    (r"(\w)\1", r"\1"),
    (r"(?:ii|iy|yi|yy)\b", "y"),
]


def loose_name(name: str | None) -> str:
    """``normalize_name`` with transliteration differences levelled: Selenskyj ~ Zelensky, Alijew ~ Aliyev."""
    text = normalize_name(name)
    for pattern, replacement in _LOOSE:
        text = re.sub(pattern, replacement, text)
    return text


def name_similarity(a: str | None, b: str | None) -> float:
    """0-100: the better of the fuzzy ratios of the normalised and of the loose spellings."""
    left, right = normalize_name(a), normalize_name(b)
    if not left or not right:
        return 0.0
    return max(fuzz.token_sort_ratio(left, right), fuzz.token_sort_ratio(loose_name(a), loose_name(b)))


def names_match(a: str | None, b: str | None, threshold: float = NAME_THRESHOLD) -> bool:
    """Whether two spellings name the same person (casefolded, accent-free, fuzzy)."""
    return name_similarity(a, b) >= threshold


def _person_name(person: object) -> str:
    if isinstance(person, dict):
        return str(person.get("name") or person.get("as_written") or "")
    return str(person or "")


def _match_names(gold: list[str], predicted: list[str]) -> Counts:
    """One-to-one alignment of two name lists, best ratio first."""
    scores = ((name_similarity(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(predicted))
    pairs = [item for item in scores if item[0] >= NAME_THRESHOLD]
    used_gold, used_predicted = set(), set()
    for _, i, j in sorted(pairs, reverse=True):
        if i not in used_gold and j not in used_predicted:
            used_gold.add(i)
            used_predicted.add(j)
    matched = len(used_gold)
    return Counts(matched, len(set(predicted)) - matched, len(set(gold)) - matched)


# --- alignment ---------------------------------------------------------------------------------


def _align(gold: list, predicted: list, affinity: Callable[[dict, dict], float | None]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (gold index, predicted index), highest affinity first.

    ``affinity`` returns None for pairs that must not be matched.
    """
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(predicted):
            value = affinity(g, p)
            if value is not None:
                candidates.append((value, -i, -j))
    pairs, used_gold, used_predicted = [], set(), set()
    for _, i, j in sorted(candidates, reverse=True):
        if -i not in used_gold and -j not in used_predicted:
            used_gold.add(-i)
            used_predicted.add(-j)
            pairs.append((-i, -j))
    return sorted(pairs)


def _countries(trip: dict) -> set[str]:
    return {str(s.get("country") or "").upper() for s in _stops(trip) if s.get("country")}


def _stops(trip: dict) -> list[dict]:
    return [s for s in trip.get("stops") or [] if isinstance(s, dict)]


def _trip_affinity(gold: dict, predicted: dict) -> float | None:
    if not names_match(_person_name(gold.get("traveller")), _person_name(predicted.get("traveller"))):
        return None
    shared = _countries(gold) & _countries(predicted)
    if not shared:
        return None
    same_start = gold.get("start") is not None and gold.get("start") == predicted.get("start")
    return len(shared) + 0.5 * same_start + 0.25 * (gold.get("status") == predicted.get("status"))


def _stop_affinity(gold: dict, predicted: dict) -> float | None:
    if str(gold.get("country") or "").upper() != str(predicted.get("country") or "").upper():
        return None
    value = 1.0
    if gold.get("city") and predicted.get("city") and names_match(gold["city"], predicted["city"]):
        value += 2
    value += sum(0.5 for key in ("start", "end") if gold.get(key) and gold.get(key) == predicted.get(key))
    return value


def _participants(meeting: dict) -> list[str]:
    return [n for n in (_person_name(p) for p in meeting.get("participants") or []) if n]


def _meeting_affinity(gold: dict, predicted: dict) -> float | None:
    overlap = _match_names(_participants(gold), _participants(predicted)).tp
    if not overlap:
        return None
    dates = gold.get("date"), predicted.get("date")
    countries = gold.get("country"), predicted.get("country")
    date_clash = all(dates) and dates[0] != dates[1]
    country_clash = all(countries) and str(countries[0]).upper() != str(countries[1]).upper()
    if date_clash and country_clash:
        return None
    return 2 * overlap + (not date_clash and all(dates)) + (not country_clash and all(countries))


# --- one case ----------------------------------------------------------------------------------


def _trips(extraction: dict) -> list[dict]:
    return [t for t in extraction.get("trips") or [] if isinstance(t, dict)]


def _meetings(extraction: dict) -> list[dict]:
    return [m for m in extraction.get("meetings") or [] if isinstance(m, dict)]


def _score_stops(gold: dict, predicted: dict, counts: dict[str, Counts]) -> None:
    gold_stops, predicted_stops = _stops(gold), _stops(predicted)
    for i, j in _align(gold_stops, predicted_stops, _stop_affinity):
        g, p = gold_stops[i], predicted_stops[j]
        for key in ("start", "end"):
            counts["stop_dates"].add(_compare_values(g.get(key), p.get(key)))
        counts["stop_status"].add(_compare_values(g.get("status"), p.get("status")))
        counts["topics"].add(_compare_sets(g.get("topics") or [], p.get("topics") or []))


def _traveller_countries(trips: list[dict]) -> list[tuple[str, str]]:
    pairs = {(_person_name(t.get("traveller")), country) for t in trips for country in _countries(t)}
    return sorted(pairs)


def _score_traveller_countries(gold_trips: list[dict], predicted_trips: list[dict]) -> Counts:
    gold, predicted = _traveller_countries(gold_trips), _traveller_countries(predicted_trips)
    used: set[int] = set()
    for name, country in gold:
        for j, (other, other_country) in enumerate(predicted):
            if j not in used and country == other_country and names_match(name, other):
                used.add(j)
                break
    return Counts(len(used), len(predicted) - len(used), len(gold) - len(used))


def _score_trips(gold: dict, predicted: dict, counts: dict[str, Counts]) -> None:
    gold_trips, predicted_trips = _trips(gold), _trips(predicted)
    counts["traveller_countries"].add(_score_traveller_countries(gold_trips, predicted_trips))
    pairs = _align(gold_trips, predicted_trips, _trip_affinity)
    counts["trips"].add(Counts(len(pairs), len(predicted_trips) - len(pairs), len(gold_trips) - len(pairs)))
    for i, j in pairs:
        g, p = gold_trips[i], predicted_trips[j]
        counts["destinations"].add(_compare_sets(_countries(g), _countries(p)))
        counts["trip_status"].add(_compare_values(g.get("status"), p.get("status")))
        _score_stops(g, p, counts)


def _score_meetings(gold: dict, predicted: dict, counts: dict[str, Counts]) -> None:
    gold_meetings, predicted_meetings = _meetings(gold), _meetings(predicted)
    pairs = _align(gold_meetings, predicted_meetings, _meeting_affinity)
    counts["meetings"].add(Counts(len(pairs), len(predicted_meetings) - len(pairs), len(gold_meetings) - len(pairs)))
    for i, j in pairs:
        g, p = gold_meetings[i], predicted_meetings[j]
        counts["meeting_participants"].add(_match_names(_participants(g), _participants(p)))
        counts["meeting_status"].add(_compare_values(g.get("status"), p.get("status")))
        counts["topics"].add(_compare_sets(g.get("topics") or [], p.get("topics") or []))


def _evidence_items(extraction: dict) -> Iterable[dict]:
    for fact in [*_trips(extraction), *_meetings(extraction)]:
        yield from (e for e in fact.get("evidence") or [] if isinstance(e, dict))


def _score_evidence(predicted: dict, text: str) -> Counts:
    """Predicted spans whose quote is the text at start:end (tp) or is not (fp)."""
    counts = Counts()
    for item in _evidence_items(predicted):
        start, end = item.get("start"), item.get("end")
        valid = isinstance(start, int) and isinstance(end, int) and text[start:end] == item.get("quote")
        counts.add(Counts(tp=int(valid), fp=int(not valid)))
    return counts


def score_case(predicted: dict | None, gold: dict, text: str | None = None) -> dict[str, Counts]:
    """Counts per field for one report."""
    counts = {name: Counts() for name in FIELDS}
    predicted = predicted if isinstance(predicted, dict) else {}
    _score_trips(gold, predicted, counts)
    _score_meetings(gold, predicted, counts)
    if text is not None:
        counts["evidence"] = _score_evidence(predicted, text)
    return counts


# --- many cases --------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """Counts per case, per language and overall (the language key ``all``)."""

    per_case: dict[str, dict[str, Counts]] = field(default_factory=dict)
    by_language: dict[str, dict[str, Counts]] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        return sorted(k for k in self.by_language if k != OVERALL)

    @property
    def overall(self) -> dict[str, Counts]:
        return self.by_language.get(OVERALL) or {name: Counts() for name in FIELDS}

    def f1(self, field_name: str, language: str = OVERALL) -> float | None:
        return self.by_language.get(language, {}).get(field_name, Counts()).f1

    def below(self, floors: dict[str, float]) -> list[str]:
        """Fields whose overall F1 is under its floor (no score at all counts as under)."""
        failures = []
        for name, floor in floors.items():
            value = self.f1(name)
            if value is None or value < floor:
                shown = "n/a" if value is None else f"{value:.3f}"
                failures.append(f"{name} F1 {shown} < {floor:.3f}")
        return failures

    def as_dict(self) -> dict:
        return {
            "fields": list(FIELDS),
            "by_language": {
                lang: {name: counts.as_dict() for name, counts in fields.items()}
                for lang, fields in self.by_language.items()
            },
            "per_case": {
                case: {name: counts.as_dict() for name, counts in fields.items() if not counts.empty}
                for case, fields in self.per_case.items()
            },
        }

    def format_table(self) -> str:
        """Plain-text table: one row per field, P/R/F1 per language and overall."""
        columns = [*self.languages, OVERALL]
        lines = [f"{'field':<22}" + "".join(f"{c:>18}" for c in columns)]
        for name in FIELDS:
            cells = [_cell(self.by_language[c][name]) for c in columns]
            lines.append(f"{name:<22}" + "".join(f"{cell:>18}" for cell in cells))
        lines.append(f"{'':<22}" + "".join(f"{'(P/R/F1)':>18}" for _ in columns))
        return "\n".join(lines)


def _cell(counts: Counts) -> str:
    if counts.empty:
        return "-"
    return "/".join("-" if v is None else f"{v:.2f}" for v in (counts.precision, counts.recall, counts.f1))


def _language_of(name: str, gold: dict) -> str:
    meta = gold.get("meta") or {}
    report = gold.get("report") or {}
    return meta.get("language") or report.get("language") or (name.split("/")[0] if "/" in name else "xx")


def score(
    predictions: dict[str, dict],
    gold: dict[str, dict],
    texts: dict[str, str] | None = None,
) -> EvaluationResult:
    """Score ``predictions`` against ``gold`` (both keyed by case name).

    Every gold case is scored; a case missing from ``predictions`` counts as an empty extraction.
    ``texts`` (case name -> report text) enables the evidence check.
    """
    result = EvaluationResult()
    for name, expected in gold.items():
        text = (texts or {}).get(name)
        counts = score_case(predictions.get(name), expected, text)
        result.per_case[name] = counts
        for language in (_language_of(name, expected), OVERALL):
            bucket = result.by_language.setdefault(language, {n: Counts() for n in FIELDS})
            for field_name, value in counts.items():
                bucket[field_name].add(value)
    return result


# --- the evaluation set on disk ----------------------------------------------------------------


@dataclass
class EvalCase:
    """One labelled report of the evaluation set."""

    name: str  # "<lang>/<NNN>-<slug>"
    language: str
    text: str
    gold: dict
    report_path: Path
    label_path: Path

    @property
    def meta(self) -> dict:
        return self.gold.get("meta") or {}

    @property
    def published(self) -> dt.date | None:
        value = self.meta.get("published") or (self.gold.get("report") or {}).get("published")
        return dt.date.fromisoformat(value) if value else None

    @property
    def published_for_engine(self) -> dt.date | None:
        """The date ingestion would hand the engine: a date only the text states is the engine's to find."""
        if self.meta.get("published_from", "page") != "page":
            return None
        return self.published

    @property
    def page_month(self) -> str | None:
        """The stored page's date where it gives only a month (``YYYY-MM``): what a page's metadata tells
        ingestion about a report that carries no day of its own, or None."""
        value = self.meta.get("page_date") or ""
        return value if len(value) == 7 else None

    @property
    def split(self) -> str | None:
        return self.meta.get("split")

    @property
    def kind(self) -> str:
        return self.meta.get("kind") or "visit"

    @property
    def cluster(self) -> str | None:
        return self.meta.get("cluster")

    @property
    def real_trips(self) -> list[str]:
        return list(self.meta.get("real_trips") or [])

    @property
    def title(self) -> str:
        return self.text.strip().splitlines()[0].strip() if self.text.strip() else ""


def unpaired_files(path: Path | str) -> tuple[list[str], list[str]]:
    """(reports without a label, labels without a report), as ``<lang>/<name>``."""
    root = Path(path)
    reports = {p.relative_to(root / "reports").with_suffix("").as_posix() for p in root.glob("reports/*/*.txt")}
    labels = {p.relative_to(root / "labels").with_suffix("").as_posix() for p in root.glob("labels/*/*.json")}
    return sorted(reports - labels), sorted(labels - reports)


def load_eval_set(path: Path | str, language: str | None = None) -> list[EvalCase]:
    """Read every report and its label under ``path`` (optionally one language), sorted by name.

    Raises FileNotFoundError when a report has no label or a label no report.
    """
    root = Path(path)
    missing_labels, missing_reports = unpaired_files(root)
    if missing_labels or missing_reports:
        raise FileNotFoundError(f"unpaired files: no label for {missing_labels}, no report for {missing_reports}")
    cases = []
    for report_path in sorted(root.glob("reports/*/*.txt")):
        lang = report_path.parent.name
        if language and lang != language:
            continue
        label_path = root / "labels" / lang / f"{report_path.stem}.json"
        cases.append(
            EvalCase(
                name=f"{lang}/{report_path.stem}",
                language=lang,
                text=report_path.read_text(encoding="utf-8"),
                gold=json.loads(label_path.read_text(encoding="utf-8")),
                report_path=report_path,
                label_path=label_path,
            )
        )
    return cases


# --- the real-report corpus --------------------------------------------------------------------

REAL_SPLITS = ("dev", "test")
REMOTE_KINDS = ("phone-call", "video-call")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class RealCorpus:
    """The labelled real reports of one split whose texts are in the local cache, and those that are not."""

    cases: list[EvalCase]
    missing: list[str]  # "<lang>/<id>" of labels whose text is not cached
    differing: list[str]  # cached, but not the text that was labelled (sha256 differs)


def real_label_paths(labels_root: Path | str) -> list[Path]:
    return sorted(Path(labels_root).glob("*/*.json"))


def load_real_corpus(
    labels_root: Path | str,
    cache_root: Path | str,
    *,
    split: str | None = None,
    language: str | None = None,
) -> RealCorpus:
    """Labels under ``labels_root/<lang>/<id>.json`` with texts under ``cache_root/reports/<lang>/<id>.txt``.

    ``split`` is ``dev``, ``test`` or ``None`` (both). A label without its cached text is listed in
    ``missing``, not an error: the texts are never committed, so a fresh clone has none.
    """
    cases, missing, differing = [], [], []
    for label_path in real_label_paths(labels_root):
        lang = label_path.parent.name
        gold = json.loads(label_path.read_text(encoding="utf-8"))
        meta = gold.get("meta") or {}
        if (split and meta.get("split") != split) or (language and lang != language):
            continue
        name = f"{lang}/{label_path.stem}"
        report_path = Path(cache_root) / "reports" / lang / f"{label_path.stem}.txt"
        if not report_path.is_file():
            missing.append(name)
            continue
        text = report_path.read_text(encoding="utf-8")
        if meta.get("sha256") and meta["sha256"] != text_sha256(text):
            differing.append(name)
        cases.append(EvalCase(name, lang, text, gold, report_path, label_path))
    return RealCorpus(cases, missing, differing)


def remote_contacts_with_trips(cases: list[EvalCase], predictions: dict[str, dict]) -> list[str]:
    """Reports of a phone or video call for which the engine still extracted a trip."""
    return [
        case.name
        for case in cases
        if case.kind in REMOTE_KINDS and not case.gold.get("trips") and (predictions.get(case.name) or {}).get("trips")
    ]
