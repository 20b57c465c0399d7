"""Everything one language needs, built once per process from its lexicon."""

from __future__ import annotations

from functools import cache

from visits.extraction import lexicons
from visits.extraction.text import UNSPACED, Lemmatizer, PhraseMatcher, Token, norm, segmenter, tokenize, uncased

STATUSES = ("cancelled", "postponed", "planned", "ongoing", "completed")
NAMES_TAKE_ARTICLES = {"it", "pt", "el", "ca"}  # "la Meloni", "o Lula", Greek names with their article


class Toolkit:
    def __init__(self, language: str):
        from visits.extraction.dates import DateFinder
        from visits.extraction.places import gazetteer

        self.language = language
        self.lexicon = lex = lexicons.load(language)
        # without a cue file only data-derived facts are read: places, dates, known officials
        self.reading = "partial" if lex.get("generic") else "full"
        self.lemmatizer = Lemmatizer(language, lex.get("lemmatizer", "simplemma"), lex.get("lemma_rules"))
        self.morphology = lex.get("lemmatizer") == "pymorphy3" and lex.get("tense_from_morphology", False)
        # languages written without spaces: the segmenter keeps the cue file's words whole (loaded lazily)
        self.segmenter = segmenter(lex["segmenter"]) if lex.get("segmenter") else None
        if self.segmenter is not None:
            self.segmenter.register(_cue_words(lex))
        self.gazetteer = gazetteer(language)
        if self.segmenter is not None:
            _whole_place_names(self.gazetteer, self.segmenter)
        self.dates = DateFinder(language, self.lemmatizer)

        def matcher(phrases):
            return PhraseMatcher(phrases, lex, self.lemmatizer)

        def words(key):
            return {norm(w) for w in lex.get(key, [])}

        self.roles = matcher([(r[0], tuple(r[1:])) for r in lex.get("roles", [])])
        self.organizations = matcher([(name, canonical) for name, canonical in lex.get("organizations", {}).items()])
        self.org_case = {norm(n): n for n in lex.get("organizations", {})}
        self.travel = matcher([(p, "travel") for p in lex.get("travel", [])])
        self.stop_nouns = matcher([(p, "stop") for p in lex.get("stop_nouns", [])])
        self.status = matcher([(p, s) for s in STATUSES for p in lex.get("status", {}).get(s, [])])
        self.tense = matcher([(p, t) for t, ps in lex.get("tense", {}).items() for p in ps])
        self.meetings = matcher([(p, kind) for kind, ps in lex.get("meetings", {}).items() for p in ps])
        self.host = matcher([(p, "host") for p in lex.get("host", [])])
        self.attend = matcher([(p, "attend") for p in lex.get("attend", [])])
        self.statements = matcher([(p, "say") for p in lex.get("statement_verbs", [])])
        self.according_to = matcher([(p, "source") for p in lex.get("according_to", [])])
        self.remote = matcher([(p, "remote") for p in lex.get("remote", [])])
        self.returns = matcher([(p, "home") for p in lex.get("return_cues", [])])
        self.topics = matcher([(p, slug) for slug, ps in lex.get("topics", {}).items() for p in ps])
        self.honorifics = {norm(h).rstrip(".") for h in lex.get("honorifics", [])}
        self.particles = words("name_particles")
        self.pronouns = words("subject_pronouns")
        self.articles = words("articles")
        self.role_links = words("role_links")
        self.destination_preps = words("destination_preps")
        self.exclude_preps = words("exclude_preps")
        self.conjunctions = words("conjunctions")
        self.meeting_with = words("meeting_with")
        self.negations = words("negations")
        self.complementizers = words("complementizers")
        self.not_visit_date = words("not_visit_date")
        self.capital_words = words("capital_words")
        self.separately = words("separately")
        self.passive_aux = words("passive_aux")
        self.possessives = words("possessives")
        self.non_person_words = words("non_person_words")
        self.function_words = (
            self.articles
            | self.role_links
            | self.destination_preps
            | self.exclude_preps
            | self.conjunctions
            | self.pronouns
            | self.meeting_with
            | self.negations
        )
        self.single_roles = {
            norm(r[0]): tuple(r[1:]) for r in lex.get("roles", []) if " " not in r[0] and "{" not in r[0]
        }
        self.org_by_name = {norm(name): canonical for name, canonical in lex.get("organizations", {}).items()}
        self.role_prefixes = words("role_prefixes")
        self.common_words = words("common_initials") | self.function_words | self.pronouns
        for key in ("travel", "statement_verbs", "stop_nouns", "attend", "honorifics"):
            for phrase in lex.get(key, []):
                self.common_words |= {norm(w) for w in phrase.lstrip("=").split() if w.isalpha()}
        for phrases in [*lex.get("meetings", {}).values(), *lex.get("status", {}).values()]:
            for phrase in phrases:
                if not phrase.startswith("re:"):
                    self.common_words |= {norm(w) for w in phrase.lstrip("=").split() if w.isalpha()}
        # words of travel, meeting and status cues: no part of a person's name ("Besuch Stoltenbergs")
        self.cue_words = set()
        for key in ("travel", "stop_nouns", "remote"):
            self.cue_words |= _plain_words(lex.get(key, []))
        for group in ("meetings", "status"):
            for phrases in lex.get(group, {}).values():
                self.cue_words |= _plain_words(phrases)
        self.cue_words = {w for w in self.cue_words if len(w) >= 4} - self.particles
        self.cue_words |= {self.lemmatizer(w)[0] for w in self.cue_words}
        self.role_words = set()
        for role in lex.get("roles", []):
            for part in role[0].split():
                if not part.startswith(("{", "~")):
                    self.role_words.add(norm(part.rstrip("?")))

    @property
    def caseless(self) -> bool:
        """Whether the language is written in a script without capitals (Arabic, Chinese, Japanese, Hindi,
        Georgian): names are then found by role phrases and by the directory's known names."""
        phrases = [r[0] for r in self.lexicon.get("roles", [])] + list(self.lexicon.get("travel", []))
        sample = next((w for w in phrases if any(c.isalpha() for c in w) and not w.startswith("re:")), "")
        return uncased(sample)

    def is_common_word(self, token: Token) -> bool:
        """Whether a capitalised word is an ordinary word of the language (sentence-initial 'Затем', 'Dann')."""
        word = token.text
        if self.lexicon.get("lemmatizer") == "pymorphy3":
            from visits.extraction.text import morph

            parse = morph().parse(word)[0]
            return parse.is_known and not ({"Name", "Surn", "Patr", "Geox", "Orgn"} & parse.tag.grammemes)
        return norm(word) in self.common_words or token.lemma in self.common_words

    def plausible_person(self, tokens: list[Token], start: int = 0, end: int | None = None) -> bool:
        """Whether the bare capitalised phrase ``tokens[start:end]`` can be a person's name: not 'Mariinsky
        Palace' or 'EE UU', not a phrase with a place in it ('Franja de Gaza', 'Saudi Arabian', 'Lebanon-based
        Hezbollah'), not one an article introduces ('the Iron Dome', 'la Asociación Estratégica'), not one
        with a word of the cue file in it ('Besuch Stoltenbergs', 'Melonis Aufenthalt', 'Xi Will Visit')."""
        end = len(tokens) if end is None else end
        words = [t for t in tokens[start:end] if t.is_word]
        if len(words) < 2:
            return False
        if start > 0 and tokens[start - 1].lower in self.articles and self.language not in NAMES_TAKE_ARTICLES:
            return False
        for token in words:
            if token.lower in self.non_person_words or token.lemma in self.non_person_words:
                return False
            if token.is_upper or any(c.isdigit() for c in token.text):
                return False
            if any(self.gazetteer.names_place(part) for part in token.text.split("-")):
                return False
            if token.lower in self.cue_words or token.lemma in self.cue_words:
                return False
        return True

    def tokenize(self, text: str, offset: int = 0) -> list[Token]:
        return tokenize(text, self.lexicon, self.lemmatizer, offset)


def _plain_words(phrases: list[str]) -> set[str]:
    words = set()
    for phrase in phrases:
        if not phrase.startswith("re:"):
            words |= {norm(w) for w in phrase.lstrip("=").replace("~", " ").split() if w.isalpha()}
    return words


def _cue_words(lex: dict) -> set[str]:
    """Every word of the cue file's phrases (regular expressions and slots aside), for the segmenter."""
    phrases: list[str] = [r[0] for r in lex.get("roles", [])] + list(lex.get("organizations", {}))
    phrases += list(lex.get("countries", {})) + list(lex.get("cities", {})) + list(lex.get("demonyms", {}))
    phrases += list(lex.get("regions", [])) + list(lex.get("relative_days", {})) + list(lex.get("relative_periods", {}))
    phrases += list(lex.get("seasons", {}))
    for value in lex.values():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            phrases += value
        elif isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
            for items in value.values():
                phrases += [v for v in items if isinstance(v, str)]
    words = set()
    for phrase in phrases:
        if phrase.startswith("re:"):
            continue
        for part in phrase.lstrip("=").split():
            part = part.rstrip("?*")
            if part and not part.startswith(("{", "~")):
                words.add(part)
    return words


def _whole_place_names(gazetteer, seg) -> None:
    """Place names as single words: registered with the segmenter and indexed under the joined form,
    whatever pieces the segmenter cut them into when the gazetteer was built."""
    for table in (gazetteer.index, gazetteer.demonyms):
        for key, place in list(table.items()):
            joined = "".join(key)
            if not UNSPACED.search(joined):
                continue
            if len(key) > 1:
                table.setdefault((joined,), place)
            seg.register([joined])
    gazetteer._first_words = None


@cache
def toolkit(language: str) -> Toolkit:
    return Toolkit(language)
