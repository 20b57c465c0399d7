"""The extraction scorer (visits/evaluation.py), its command, and the labelled evaluation set."""

from __future__ import annotations

import copy
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from visits.evaluation import FIELDS, load_eval_set, names_match, normalize_name, score, unpaired_files

EVAL_DIR = Path(__file__).parent / "extraction_eval"
SHARED_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "docs" / "extraction.schema.json"
LOCAL_SCHEMA = EVAL_DIR / "extraction.schema.json"
TOPICS = {
    "energy-security",
    "membership-process",
    "partnership",
    "defence-cooperation",
    "peace-process",
    "trade-investment",
    "sanctions",
    "ukraine-war",
    "migration",
    "climate",
    "other",
}


# --- small hand-made extractions ---------------------------------------------------------------


def person(name: str) -> dict:
    return {"name": name}


def stop(
    country: str,
    city: str | None = None,
    start: str | None = None,
    end: str | None = None,
    status: str | None = None,
    topics: list[str] | None = None,
) -> dict:
    return {"country": country, "city": city, "start": start, "end": end, "status": status, "topics": topics or []}


def trip(traveller: str, stops: list[dict], status: str = "completed") -> dict:
    return {"traveller": person(traveller), "stops": stops, "status": status, "evidence": []}


def meeting(
    names: list[str],
    date: str | None = None,
    country: str | None = None,
    status: str = "held",
    topics: list[str] | None = None,
) -> dict:
    return {
        "participants": [person(n) for n in names],
        "date": date,
        "country": country,
        "status": status,
        "topics": topics or [],
        "evidence": [],
    }


def extraction(trips: list[dict] | None = None, meetings: list[dict] | None = None, language: str = "en") -> dict:
    return {"report": {"language": language}, "officials": [], "trips": trips or [], "meetings": meetings or []}


TOUR = extraction(
    [
        trip(
            "Jens Stoltenberg",
            [
                stop("AZ", "Baku", "2024-03-17", "2024-03-17", "completed"),
                stop("GE", "Tbilisi", "2024-03-18", "2024-03-18", "completed", ["membership-process"]),
                stop("AM", "Yerevan", "2024-03-19", "2024-03-19", "completed"),
            ],
        )
    ],
    [
        meeting(["Jens Stoltenberg", "Nikol Pashinyan"], "2024-03-19", "AM", topics=["peace-process", "partnership"]),
        meeting(["Jens Stoltenberg", "Ilham Aliyev"], "2024-03-17", "AZ"),
    ],
)


def f1(result, field_name: str, language: str = "all") -> float | None:
    return result.f1(field_name, language)


# --- names -------------------------------------------------------------------------------------


def test_normalize_name_folds_case_accents_and_cyrillic():
    assert normalize_name("  Irakli  KOBAKHIDZÉ ") == "irakli kobakhidze"
    assert normalize_name("Viktor Orbán") == "viktor orban"
    assert normalize_name("Сергей Лавров") == "sergei lavrov"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Sergey Lavrov", "Sergei Lavrov"),
        ("Sergey Lavrov", "Сергей Лавров"),
        ("Nikol Pashinyan", "Nikol Pachinian"),
        ("Volodymyr Zelensky", "Volodymyr Zelenskyy"),
        ("Ilham Aliyev", "Ilham Aliev"),
        ("Pedro Sánchez", "pedro sanchez"),
        ("Xi Jinping", "Jinping Xi"),
        ("Volodymyr Zelensky", "Wolodymyr Selenskyj"),
        ("Sergey Lavrov", "Sergej Lawrow"),
        ("Ilham Aliyev", "Ilham Alijew"),
        ("Josep Borrell", "Жозеп Боррель"),
        ("Irakli Kobakhidze", "Irakli Kobachidse"),
    ],
)
def test_transliteration_variants_match(left, right):
    assert names_match(left, right)


@pytest.mark.parametrize(
    ("left", "right"),
    [("Olaf Scholz", "Emmanuel Macron"), ("Joe Biden", "Jill Biden"), ("Wang Yi", "Li Qiang"), ("", "")],
)
def test_different_people_do_not_match(left, right):
    assert not names_match(left, right)


# --- scoring -----------------------------------------------------------------------------------


def test_perfect_prediction_scores_one_everywhere_it_applies():
    result = score({"en/1": copy.deepcopy(TOUR)}, {"en/1": TOUR})
    for name in (
        "trips",
        "destinations",
        "stop_dates",
        "trip_status",
        "stop_status",
        "meetings",
        "meeting_participants",
        "meeting_status",
        "topics",
    ):
        assert f1(result, name) == 1.0, name
    assert result.overall["stop_dates"].tp == 6
    assert result.overall["topics"].tp == 3
    assert result.overall["evidence"].empty


def test_empty_prediction_has_zero_recall_and_no_detail_scores():
    result = score({"en/1": extraction()}, {"en/1": TOUR})
    assert result.overall["trips"].as_dict() == {"tp": 0, "fp": 0, "fn": 1, "precision": None, "recall": 0.0, "f1": 0.0}
    assert f1(result, "meetings") == 0.0
    assert f1(result, "destinations") is None  # nothing matched, nothing to compare
    assert result.below({"destinations": 0.1, "trips": 0.0}) == ["destinations F1 n/a < 0.100"]


def test_missing_or_broken_prediction_counts_as_empty():
    result = score({"en/2": None}, {"en/1": TOUR, "en/2": TOUR})
    assert result.overall["trips"].fn == 2
    assert result.overall["trips"].fp == 0


def test_partial_prediction():
    predicted = extraction(
        [
            trip(
                "Jens Stoltenberg",
                [
                    stop("AZ", "Baku", "2024-03-17", "2024-03-17", "completed"),
                    stop("GE", None, "2024-03-19", None, "completed", ["membership-process", "partnership"]),
                    stop("TR", "Ankara", "2024-03-20", "2024-03-20", "completed"),
                ],
            )
        ],
        [meeting(["Jens Stoltenberg", "Nikol Pashinyan", "Ararat Mirzoyan"], "2024-03-19", "AM")],
    )
    result = score({"en/1": predicted}, {"en/1": TOUR})
    destinations = result.overall["destinations"]
    assert (destinations.tp, destinations.fp, destinations.fn) == (2, 1, 1)
    dates = result.overall["stop_dates"]  # Baku both right; Tbilisi start wrong, end missing
    assert (dates.tp, dates.fp, dates.fn) == (2, 1, 2)
    participants = result.overall["meeting_participants"]
    assert (participants.tp, participants.fp, participants.fn) == (2, 1, 0)
    meetings = result.overall["meetings"]
    assert (meetings.tp, meetings.fp, meetings.fn) == (1, 0, 1)
    topics = result.overall["topics"]  # stop: membership-process right, partnership extra; meeting: 2 missed
    assert (topics.tp, topics.fp, topics.fn) == (1, 1, 2)
    assert f1(result, "trips") == 1.0


def test_wrong_status_is_scored_but_trip_still_matches():
    predicted = copy.deepcopy(TOUR)
    predicted["trips"][0]["status"] = "planned"
    predicted["meetings"][0]["status"] = "planned"
    result = score({"en/1": predicted}, {"en/1": TOUR})
    assert f1(result, "trips") == 1.0
    assert f1(result, "trip_status") == 0.0
    assert result.overall["meeting_status"].as_dict()["tp"] == 1  # the other meeting is right
    assert result.overall["meeting_status"].fn == 1


def test_name_variants_in_prediction_still_match():
    predicted = copy.deepcopy(TOUR)
    predicted["trips"][0]["traveller"] = person("Йенс Столтенберг")
    predicted["meetings"][0]["participants"] = [person("Jens Stoltenberg"), person("Nikol Pachinian")]
    result = score({"en/1": predicted}, {"en/1": TOUR})
    assert f1(result, "trips") == 1.0
    assert f1(result, "meeting_participants") == 1.0


def test_trip_needs_same_traveller_and_a_shared_country():
    wrong_person = extraction([trip("Antony Blinken", TOUR["trips"][0]["stops"])])
    wrong_place = extraction([trip("Jens Stoltenberg", [stop("TR", "Ankara")])])
    result = score({"a": wrong_person, "b": wrong_place}, {"a": TOUR, "b": TOUR})
    assert result.overall["trips"].tp == 0
    assert result.overall["trips"].fp == 2


def test_trips_in_a_no_visit_report_are_false_positives():
    predicted = extraction([trip("Olaf Scholz", [stop("RU", "Moscow")])], [meeting(["Olaf Scholz", "Vladimir Putin"])])
    result = score({"de/1": predicted}, {"de/1": extraction(language="de")})
    assert result.overall["trips"].fp == 1
    assert result.overall["meetings"].fp == 1
    assert f1(result, "trips", "de") == 0.0


def test_meetings_with_clashing_date_and_country_do_not_match():
    gold = extraction(meetings=[meeting(["Viktor Orbán", "Vladimir Putin"], "2024-07-05", "RU")])
    predicted = extraction(meetings=[meeting(["Viktor Orban", "Xi Jinping"], "2024-07-08", "CN")])
    assert score({"x": predicted}, {"x": gold}).overall["meetings"].tp == 0
    predicted["meetings"][0]["country"] = None
    assert score({"x": predicted}, {"x": gold}).overall["meetings"].tp == 1


def test_meetings_are_paired_one_to_one_best_first():
    gold = extraction(
        meetings=[
            meeting(["Emmanuel Macron", "Xi Jinping"], "2023-04-06", "CN"),
            meeting(["Emmanuel Macron", "Xi Jinping", "Ursula von der Leyen"], "2023-04-06", "CN"),
        ]
    )
    predicted = extraction(
        meetings=[meeting(["Emmanuel Macron", "Xi Jinping", "Ursula von der Leyen"], "2023-04-06", "CN")]
    )
    result = score({"x": predicted}, {"x": gold})
    assert result.overall["meetings"].as_dict()["fn"] == 1
    assert f1(result, "meeting_participants") == 1.0  # paired with the trilateral, not the bilateral


def test_evidence_spans_are_checked_against_the_text():
    text = "Headline\nStoltenberg arrived in Baku on Sunday."
    quote = "Stoltenberg arrived in Baku on Sunday."
    predicted = copy.deepcopy(TOUR)
    start = text.index(quote)
    predicted["trips"][0]["evidence"] = [
        {"quote": quote, "start": start, "end": start + len(quote)},
        {"quote": quote, "start": 0, "end": len(quote)},
    ]
    result = score({"en/1": predicted}, {"en/1": TOUR}, {"en/1": text})
    assert result.overall["evidence"].as_dict()["precision"] == 0.5


def test_scores_are_kept_per_language_and_overall():
    gold = {"en/1": TOUR, "fr/2": {**TOUR, "meta": {"language": "fr"}}}
    result = score({"en/1": copy.deepcopy(TOUR), "fr/2": extraction()}, gold)
    assert result.languages == ["en", "fr"]
    assert f1(result, "trips", "en") == 1.0
    assert f1(result, "trips", "fr") == 0.0
    assert f1(result, "trips") == pytest.approx(2 / 3)
    assert "trips" in result.format_table()
    assert set(result.as_dict()["by_language"]["all"]) == set(FIELDS)


# --- the evaluation set ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cases():
    return load_eval_set(EVAL_DIR)


@pytest.fixture(scope="module")
def schema():
    path = SHARED_SCHEMA if SHARED_SCHEMA.exists() else LOCAL_SCHEMA
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_report_has_a_label_and_every_label_a_report():
    assert unpaired_files(EVAL_DIR) == ([], [])


def test_labels_validate_against_the_schema(cases, schema):
    validator = jsonschema.Draft202012Validator(schema)
    for case in cases:
        label = {k: v for k, v in case.gold.items() if k != "meta"}
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(label)]
        assert not errors, f"{case.name}: {errors}"


def test_labels_use_known_topics_and_statuses(cases):
    for case in cases:
        topics = [t for m in case.gold["meetings"] for t in m["topics"]]
        topics += [t for trip_ in case.gold["trips"] for s in trip_["stops"] for t in s.get("topics", [])]
        assert set(topics) <= TOPICS, case.name
        for trip_ in case.gold["trips"]:
            assert trip_["stops"], f"{case.name}: a trip without stops"
            assert all(len(s["country"]) == 2 and s["country"].isupper() for s in trip_["stops"]), case.name


def test_meta_is_consistent(cases):
    real_trips = defaultdict(set)
    for case in cases:
        meta = case.meta
        assert meta["language"] == case.language == case.gold["report"]["language"], case.name
        assert meta["published"] == case.gold["report"]["published"], case.name
        assert case.published is not None
        assert case.gold["report"]["title"] == case.title, case.name
        assert 80 <= len(case.text.split()) <= 300, case.name
        if meta["cluster"]:
            real_trips[meta["cluster"]].add(tuple(meta["real_trips"]))
            assert meta["real_trips"], case.name
    assert all(len(v) == 1 for v in real_trips.values()), "reports of a cluster disagree on its real trips"


def test_the_set_is_big_and_varied_enough(cases):
    assert len(cases) >= 60
    per_language = Counter(c.language for c in cases)
    assert set(per_language) == {"en", "fr", "de", "es", "ru"}
    assert min(per_language.values()) >= 10
    clusters = Counter(c.cluster for c in cases if c.cluster)
    assert sum(1 for n in clusters.values() if 2 <= n <= 5) >= 12
    no_visit = [c for c in cases if not c.gold["trips"] and not c.gold["meetings"]]
    assert len(no_visit) >= 8
    statuses = {t["status"] for c in cases for t in c.gold["trips"]}
    assert {"planned", "ongoing", "completed", "postponed", "cancelled"} <= statuses


# --- the command -------------------------------------------------------------------------------


def _small_set(tmp_path: Path, names: list[str]) -> Path:
    for name in names:
        for kind, suffix in (("reports", ".txt"), ("labels", ".json")):
            target = tmp_path / kind / f"{name}{suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(EVAL_DIR / kind / f"{name}{suffix}", target)
    return tmp_path


CLUSTER = [
    "en/001-stoltenberg-caucasus-announced",
    "fr/002-stoltenberg-tbilissi",
    "ru/003-stoltenberg-erevan",
    "de/004-stoltenberg-kaukasus-bilanz",
]


def _fake_engine(monkeypatch, answer) -> list[dict]:
    """Replace the engine with ``answer(text)``; returns the calls it received."""
    import visits.extraction

    calls = []

    def extract_report(text, **kwargs):
        calls.append(kwargs)
        return answer(text)

    monkeypatch.setattr(visits.extraction, "extract_report", extract_report, raising=False)
    return calls


def _gold_by_text(root: Path) -> dict[str, dict]:
    return {c.text: {k: v for k, v in c.gold.items() if k != "meta"} for c in load_eval_set(root)}


def test_command_reports_scores_and_passes_its_floors(tmp_path, monkeypatch, capsys):
    root = _small_set(tmp_path, CLUSTER)
    gold = _gold_by_text(root)
    calls = _fake_engine(monkeypatch, lambda text: gold[text])
    call_command(
        "evaluate_extraction", "--path", str(root), "--format", "json", "--min-f1", "trips=0.99", "meetings=0.99"
    )
    out, err = capsys.readouterr()
    payload = json.loads(out)
    assert payload["by_language"]["all"]["trips"]["f1"] == 1.0
    assert sorted(payload["by_language"]) == ["all", "de", "en", "fr", "ru"]
    assert "EmptyDirectory" in err
    assert payload["merge"] == {"skipped": "database unreachable or not migrated"}
    assert {str(c["published"]) for c in calls} == {"2024-03-15", "2024-03-18", "2024-03-19", "2024-03-20"}


def test_command_fails_naming_each_field_under_its_floor(tmp_path, monkeypatch, capsys):
    root = _small_set(tmp_path, CLUSTER[:2])
    _fake_engine(monkeypatch, lambda text: extraction())
    with pytest.raises(CommandError) as failure:
        call_command(
            "evaluate_extraction", "--path", str(root), "--language", "fr", "--min-f1", "trips=0.5", "meetings=0.5"
        )
    assert "trips F1 0.000 < 0.500" in str(failure.value)
    assert "meetings F1 0.000 < 0.500" in str(failure.value)
    assert "1 reports" in capsys.readouterr().out


def test_command_rejects_unknown_fields():
    with pytest.raises(CommandError, match="FIELD=VALUE"):
        call_command("evaluate_extraction", "--min-f1", "speed=1")


def test_command_keeps_going_when_the_engine_fails_on_one_report(tmp_path, monkeypatch, capsys):
    root = _small_set(tmp_path, CLUSTER[:2])
    gold = _gold_by_text(root)

    def answer(text):
        if "Tbilissi" in text:
            raise ValueError("boom")
        return gold[text]

    _fake_engine(monkeypatch, answer)
    call_command("evaluate_extraction", "--path", str(root), "--format", "json")
    out, err = capsys.readouterr()
    payload = json.loads(out)
    assert list(payload["errors"]) == ["fr/002-stoltenberg-tbilissi"]
    assert payload["by_language"]["en"]["trips"]["f1"] == 1.0
    assert payload["by_language"]["fr"]["trips"]["f1"] == 0.0
    assert "boom" in err


@pytest.mark.django_db(transaction=True)
def test_command_merges_each_cluster_without_keeping_anything(tmp_path, monkeypatch, capsys):
    from visits.models import Country, Report, Trip

    Country.objects.bulk_create([Country(code=c, name=c) for c in ("AZ", "GE", "AM", "RU")])
    root = _small_set(tmp_path, CLUSTER)
    gold = _gold_by_text(root)
    _fake_engine(monkeypatch, lambda text: gold[text])
    call_command("evaluate_extraction", "--path", str(root), "--format", "json")
    out, _err = capsys.readouterr()
    (row,) = json.loads(out)["merge"]["clusters"]
    assert row["cluster"] == "stoltenberg-caucasus-2024"
    assert row["reports"] == 4
    assert row["real_trips"] == 1
    assert row.get("merged_trips", 0) >= 1, row  # the other reports should merge into it (1 real trip)
    assert Report.objects.count() == 0
    assert Trip.objects.count() == 0
