# ruff: noqa: RUF001
"""Arabic, Chinese, Japanese, Hindi, Georgian and Armenian: languages whose names no capital marks
(Armenian has capitals, but its names take case endings). Reports written for these tests, in our own
words: an arrival with a meeting with a known official, a planned visit, a phone call (no trip)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lexicon_support import check_evidence
from visits.extraction import KnownPerson, KnownPosition, MemoryDirectory, extract_report
from visits.extraction.lexicons import load
from visits.extraction.text import tokenize

PUBLISHED = "2024-03-20"  # a Wednesday: Monday is 2024-03-18
KOB = KnownPerson(1, "Irakli Kobakhidze", "GE")
PASH = KnownPerson(2, "Nikol Pashinyan", "AM")
DIRECTORY = MemoryDirectory(
    [
        KnownPosition(KOB, "Prime Minister", "GE", None, None, None),
        KnownPosition(PASH, "Prime Minister", "AM", None, None, None),
    ],
    aliases={
        "ირაკლი კობახიძე": KOB,
        "ნიკოლ ფაშინიანი": PASH,
        "伊拉克利·科巴希泽": KOB,
        "尼科尔·帕希尼扬": PASH,
        "イラクリ・コバヒゼ": KOB,
        "ニコル・パシニャン": PASH,
        "إيراكلي كوباخيدزه": KOB,
        "نيكول باشينيان": PASH,
        "इराकली कोबाखिद्ज़े": KOB,
        "निकोल पशिन्यान": PASH,
        "Իրակլի Կոբախիձե": KOB,
        "Նիկոլ Փաշինյան": PASH,
    },
)
LANGUAGES = ["ar", "zh", "ja", "hi", "ka", "hy"]

ARRIVALS = {
    "ar": "وصل رئيس الوزراء الجورجي إيراكلي كوباخيدزه إلى يريفان يوم الاثنين في زيارة رسمية، "
    "والتقى نظيره الأرميني نيكول باشينيان.",
    "zh": "格鲁吉亚总理伊拉克利·科巴希泽周一抵达埃里温进行正式访问，并与亚美尼亚总理帕希尼扬举行会谈。",
    "ja": "ジョージアのコバヒゼ首相は18日、エレバンに到着し、アルメニアのパシニャン首相と会談した。",
    "hi": "जॉर्जिया के प्रधानमंत्री इराकली कोबाखिद्ज़े सोमवार को आधिकारिक यात्रा पर येरेवान पहुंचे और आर्मेनिया के "
    "प्रधानमंत्री निकोल पशिन्यान से मुलाकात की।",
    "ka": "საქართველოს პრემიერ-მინისტრი ირაკლი კობახიძე ორშაბათს ოფიციალური ვიზიტით ერევანში ჩავიდა, სადაც "
    "სომხეთის პრემიერ-მინისტრ ნიკოლ ფაშინიანს შეხვდა.",
    "hy": "Վրաստանի վարչապետ Իրակլի Կոբախիձեն երկուշաբթի պաշտոնական այցով ժամանեց Երևան, որտեղ հանդիպեց "
    "Հայաստանի վարչապետ Նիկոլ Փաշինյանի հետ։",
}
PLANNED = {
    "ar": "يعتزم رئيس الوزراء الأرميني نيكول باشينيان زيارة تبليسي الأسبوع المقبل.",
    "zh": "亚美尼亚总理帕希尼扬将于下周访问第比利斯。",
    "ja": "アルメニアのパシニャン首相は来週、トビリシを訪問する予定だ。",
    "hi": "आर्मेनिया के प्रधानमंत्री निकोल पशिन्यान अगले सप्ताह त्बिलिसी की यात्रा करेंगे।",
    "ka": "სომხეთის პრემიერ-მინისტრი ნიკოლ ფაშინიანი მომავალ კვირას თბილისს ეწვევა.",
    "hy": "Հայաստանի վարչապետ Նիկոլ Փաշինյանը հաջորդ շաբաթ կայցելի Թբիլիսի։",
}
CALLS = {
    "ar": "أجرى رئيس الوزراء الجورجي إيراكلي كوباخيدزه اتصالا هاتفيا مع نيكول باشينيان.",
    "zh": "格鲁吉亚总理科巴希泽与亚美尼亚总理帕希尼扬通电话。",
    "ja": "コバヒゼ首相は、アルメニアのパシニャン首相と電話会談を行った。",
    "hi": "प्रधानमंत्री इराकली कोबाखिद्ज़े ने निकोल पशिन्यान से फोन पर बातचीत की।",
    "ka": "პრემიერ-მინისტრმა ირაკლი კობახიძემ ნიკოლ ფაშინიანთან სატელეფონო საუბარი გამართა.",
    "hy": "Վարչապետ Նիկոլ Փաշինյանը հեռախոսազրույց է ունեցել Իրակլի Կոբախիձեի հետ։",
}


def run(text: str, language: str) -> dict:
    result = extract_report(text, published=dt.date.fromisoformat(PUBLISHED), language=language, directory=DIRECTORY)
    return check_evidence(text, result)


def names(people) -> set[str]:
    return {p["name"] if isinstance(p, dict) else p for p in people}


def traveller(trip: dict) -> str:
    who = trip["traveller"]
    return who["name"] if isinstance(who, dict) else who


@pytest.mark.parametrize("language", LANGUAGES)
def test_cue_files_load(language):
    lexicon = load(language)
    assert lexicon["language"] == language and not lexicon.get("generic")


@pytest.mark.parametrize(("language", "text"), [("zh", ARRIVALS["zh"]), ("ja", ARRIVALS["ja"])])
def test_segmented_tokens_keep_exact_offsets(language, text):
    tokens = tokenize(text, load(language))
    assert len(tokens) > 10
    for token in tokens:
        assert text[token.start : token.end] == token.text
    assert "".join(t.text for t in tokens) == "".join(text.split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_arrival_and_meeting_with_a_known_official(language):
    result = run(ARRIVALS[language], language)
    officials = {o["name"]: o for o in result["officials"]}
    assert officials["Irakli Kobakhidze"]["id"] == 1 and officials["Nikol Pashinyan"]["id"] == 2
    (trip,) = result["trips"]
    assert traveller(trip) == "Irakli Kobakhidze"
    assert [(s["country"], s["city"]) for s in trip["stops"]] == [("AM", "Yerevan")]
    # told in the past tense: under way (not said to be over) or completed, never planned
    assert trip["stops"][0]["status"] in (None, "ongoing", "completed")
    assert any(names(m["participants"]) == {"Irakli Kobakhidze", "Nikol Pashinyan"} for m in result["meetings"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_planned_visit(language):
    result = run(PLANNED[language], language)
    (trip,) = result["trips"]
    assert traveller(trip) == "Nikol Pashinyan"
    assert [(s["country"], s["city"], s["status"]) for s in trip["stops"]] == [("GE", "Tbilisi", "planned")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_phone_call_is_no_trip(language):
    result = run(CALLS[language], language)
    assert result["trips"] == []
    assert {"Irakli Kobakhidze", "Nikol Pashinyan"} <= {o["name"] for o in result["officials"]}
