"""Tokens with offsets and lemmas, and a phrase matcher for the lexicons' cue phrases.

Lemmas come from simplemma (most languages) or pymorphy3 (Russian), as the lexicon's
``lemmatizer`` says. Cue phrases are matched on surface forms and on lemmas.

Phrase syntax (one phrase a string):
  ``word``      a token whose case-folded surface or lemma equals the word (or its lemma)
  ``=phrase``   the whole phrase matches surface forms only (tense matters: ``=a visité``)
  ``word*``     a token whose surface starts with ``word``
  ``~`` / ``~3``  a gap of 0-2 (or 0-3) word tokens
  ``{adj}`` ``{place}`` ``{org}``  a slot filled by a demonym, a place or an organisation
  ``{adj}?``    an optional slot (``?`` also makes a literal optional: ``du?``)
  ``re:REGEX``  a regular expression over the sentence text, case-insensitive
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import regex

_HYPHENS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen
_APOS = "'\u2019\u02bc"  # apostrophe, right single quotation mark, modifier letter apostrophe
_WORD = regex.compile(
    r"[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}]|(?<!\p{N})[" + _HYPHENS + _APOS + r"](?=[\p{L}\p{N}])"
    r"|(?<=\p{N})[" + _HYPHENS + _APOS + r"](?=\p{L}))*|[^\s]"
)  # "8-9 July" splits at its hyphen, "Nato-Chef", "18-go" and "COVID-19" do not


# one spelling for letters written two ways: Romanian s and t with a cedilla (the comma below is
# the standard, CLDR's spelling), the modifier letter apostrophe (Ukrainian) and the typographic one
_SPELLING = str.maketrans(
    {"\u015f": "\u0219", "\u0163": "\u021b", "\u015e": "\u0218", "\u0162": "\u021a", "\u02bc": "'", "\u2019": "'"}
)


def fold_spelling(word: str) -> str:
    """The word with its letters in one spelling (case kept): 'Franţa' -> 'Franța', U+02BC -> "'"."""
    return word.translate(_SPELLING)


def norm(word: str) -> str:
    folded = fold_spelling(word.casefold()).replace("\u0451", "\u0435")  # Cyrillic yo
    return folded.replace("\u2010", "-").replace("\u2011", "-")


class Token:
    __slots__ = ("end", "i", "lemma", "lower", "start", "tag", "text")

    def __init__(self, text: str, start: int, i: int):
        self.text, self.start, self.end, self.i = text, start, start + len(text), i
        self.lower = norm(text)
        self.lemma = self.lower
        self.tag = ""

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def is_upper(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()

    def __repr__(self) -> str:
        return f"Token({self.text!r}@{self.start})"


class Lemmatizer:
    def __init__(self, language: str, backend: str, rules: list | None = None):
        self.language, self.backend = language, backend
        self.rules = [(norm(a), norm(b)) for a, b in (rules or [])]  # suffix rewrites where the dictionary fails
        self._cache: dict[str, tuple[str, str]] = {}

    def __call__(self, word: str) -> tuple[str, str]:
        """(lemma, morphological tag) of a word; the tag is empty where the backend has none."""
        hit = self._cache.get(word)
        if hit is None:
            hit = self._cache[word] = self._lemma(word)
        return hit

    def _lemma(self, word: str) -> tuple[str, str]:
        if not word[0].isalpha():
            return norm(word), ""
        if self.backend == "pymorphy3":
            parse = _morph().parse(fold_spelling(word))[0]
            return norm(parse.normal_form), str(parse.tag)
        lemma = norm(word)
        # as written first, then in the folded spelling ("Franţei" is looked up as "Franței")
        for spelling in dict.fromkeys((word, fold_spelling(word))):
            try:
                lemma = norm(_simplemma().lemmatize(spelling, lang=self.language))
            except ValueError:
                break
            if lemma != norm(word):
                break
        if lemma == norm(word) and word[0].islower():
            for suffix, replacement in self.rules:
                if lemma.endswith(suffix) and len(lemma) > len(suffix) + 2:
                    return lemma[: -len(suffix)] + replacement, ""
        return lemma, ""


@cache
def _dictionaries():
    """simplemma's dictionaries read as streams, shared by every language: all 22 languages'
    dictionaries decoded into dicts would take about 2 GiB, streamed a few hundred MiB."""
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamDictionaryFactory

    return StreamDictionaryFactory(cache_max_size=64)  # never evict: a worker reads every language


@cache
def _simplemma():
    import simplemma
    from simplemma.strategies import DefaultStrategy

    return simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_dictionaries()))


def known_word(word: str, language: str) -> bool:
    """Whether simplemma's dictionary of ``language`` has ``word`` (False for a language it lacks)."""
    from simplemma.strategies import DictionaryLookupStrategy

    try:
        return DictionaryLookupStrategy(_dictionaries()).get_lemma(word, language) is not None
    except ValueError:
        return False


@cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def morph():
    """The shared pymorphy3 analyser (for languages whose lexicon names it)."""
    return _morph()


_ELISIONS: dict[int, tuple[set[str], str | None]] = {}
UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u30fc\u3005]")  # scripts written without spaces


def uncased(word: str) -> bool:
    """Whether a word's first letter belongs to a script without case (Arabic, Han, Kana, Devanagari,
    Georgian Mkhedruli, ...): capitalisation then tells nothing about names."""
    letter = next((c for c in word if c.isalpha()), "")
    if not letter:
        return False
    # Georgian Mkhedruli counts as lower case (Mtavruli capitals exist) but is written without capitals
    return not (letter.isupper() or letter.islower()) or "\u10d0" <= letter <= "\u10ff"


class Segmenter:
    """Words of a text written without spaces, from jieba (Chinese) or janome (Japanese), loaded on first
    use. Pieces carry exact offsets; adjacent pieces whose concatenation is a registered word (a cue, a
    place, a name) are joined, so that the lexicons' phrases and the gazetteer's names stay whole."""

    MAX_JOIN = 8

    def __init__(self, backend: str):
        self.backend = backend
        self.words: set[str] = set()
        self._engine = None
        self._pending: set[str] = set()

    def register(self, words) -> None:
        for word in words:
            word = word.strip()
            if len(word) > 1 and UNSPACED.search(word) and " " not in word:
                self.words.add(word)
                self._pending.add(word)

    def _load(self):
        if self._engine is None:
            if self.backend == "jieba":
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                self._engine = jieba.Tokenizer()
                self._engine.initialize()
            elif self.backend == "janome":
                from janome.tokenizer import Tokenizer as Janome

                self._engine = Janome(wakati=True)
            else:
                raise ValueError(f"unknown segmenter {self.backend!r}")
        if self._pending and self.backend == "jieba":
            for word in self._pending:
                self._engine.add_word(word)
        self._pending = set()
        return self._engine

    def _pieces(self, text: str) -> list[str]:
        engine = self._load()
        if self.backend == "jieba":
            return [w for w, _, _ in engine.tokenize(text, HMM=True)]
        return list(engine.tokenize(text, wakati=True))

    def cut(self, text: str) -> list[tuple[str, int]]:
        """(piece, offset in text) of every word; pieces concatenate back to the text exactly."""
        pieces, pos = [], 0
        for piece in self._pieces(text):
            found = text.find(piece, pos)
            if found < 0 or text[pos:found].strip():  # a backend normalising its input: keep the rest whole
                pieces.append((text[pos:], pos))
                pos = len(text)
                break
            pos = found
            if piece.strip():
                pieces.append((piece, pos))
            pos += len(piece)
        if pos < len(text) and text[pos:].strip():
            pieces.append((text[pos:], pos))
        return self._join(pieces)

    def _join(self, pieces: list[tuple[str, int]]) -> list[tuple[str, int]]:
        if not self.words:
            return pieces
        out, i = [], 0
        while i < len(pieces):
            best = 1
            joined = pieces[i][0]
            for n in range(2, min(self.MAX_JOIN, len(pieces) - i) + 1):
                last = pieces[i + n - 1]
                if last[1] != pieces[i + n - 2][1] + len(pieces[i + n - 2][0]):
                    break
                joined += last[0]
                if joined in self.words:
                    best = n
            out.append(("".join(p for p, _ in pieces[i : i + best]), pieces[i][1]))
            i += best
        return out


_SEGMENTERS: dict[str, Segmenter] = {}


def segmenter(backend: str) -> Segmenter:
    """The process's segmenter for a backend (its dictionary is loaded only when text is cut)."""
    if backend not in _SEGMENTERS:
        _SEGMENTERS[backend] = Segmenter(backend)
    return _SEGMENTERS[backend]


def _words(text: str, lexicon: dict):
    """(word, offset) pairs: the regular word pattern, then runs of unspaced scripts cut by the segmenter."""
    backend = lexicon.get("segmenter")
    for m in _WORD.finditer(text):
        word = m.group()
        if backend and UNSPACED.search(word):
            for piece, at in segmenter(backend).cut(word):
                yield piece, m.start() + at
        else:
            yield word, m.start()


def is_possessive_ending(piece: str, possessive: str | None) -> bool:
    """Whether ``piece`` is the language's possessive ending after its apostrophe ("'s" in "Biden's");
    ``possessive`` is the lexicon's ``possessive``."""
    return bool(possessive) and piece[:1] in _APOS and norm(piece[1:]) == norm(possessive)


def tokenize(text: str, lexicon: dict, lemmatizer: Lemmatizer | None = None, offset: int = 0) -> list[Token]:
    cached = _ELISIONS.get(id(lexicon))
    if cached is None:
        possessive = norm(lexicon["possessive"]) if lexicon.get("possessive") else None
        cached = _ELISIONS[id(lexicon)] = ({norm(e) for e in lexicon.get("elisions", [])}, possessive)
    elisions, possessive = cached
    tokens: list[Token] = []

    def add(piece: str, start: int) -> None:
        tokens.append(Token(piece, start, len(tokens)))

    for word, at in _words(text, lexicon):
        start = at + offset
        cut = next((k for k, c in enumerate(word) if c in _APOS), -1)
        if cut > 0 and norm(word[:cut]) in elisions:
            add(word[: cut + 1], start)
            word, start = word[cut + 1 :], start + cut + 1
        elif cut > 0 and is_possessive_ending(word[cut:], possessive):
            add(word[:cut], start)
            add(word[cut:], start + cut)
            continue
        add(word, start)
    if lemmatizer is not None:
        for token in tokens:
            if token.is_word and not token.text.endswith(tuple(_APOS)):
                token.lemma, token.tag = lemmatizer(token.text)
    return tokens


# --- phrase matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    kind: str  # "lit", "prefix", "gap", "slot"
    text: str = ""
    lemma: str = ""
    optional: bool = False
    gap: int = 0


@dataclass
class Match:
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    value: object
    slots: dict = field(default_factory=dict)
    surface_only: bool = False


@dataclass
class _Phrase:
    specs: list[Spec]
    value: object
    surface_only: bool


class PhraseMatcher:
    """Finds lexicon phrases in a token list; phrases are (text, value) pairs."""

    def __init__(self, phrases, lexicon: dict, lemmatizer: Lemmatizer):
        self.lexicon, self.lemmatizer = lexicon, lemmatizer
        self._by_first: dict[str, list[_Phrase]] = {}
        self._generic: list[_Phrase] = []  # phrases whose first part is optional: tried everywhere
        self._by_slot: dict[str, list[_Phrase]] = {}
        self._by_prefix: dict[str, list[_Phrase]] = {}
        self._regexes: list[tuple[re.Pattern, object]] = []
        for text, value in phrases:
            self.add(text, value)

    def add(self, text: str, value) -> None:
        if text.startswith("re:"):
            self._regexes.append((re.compile(text[3:], re.IGNORECASE), value))
            return
        surface_only = text.startswith("=")
        specs = self._compile(text.lstrip("="), surface_only)
        if not specs:
            return
        phrase = _Phrase(specs, value, surface_only)
        first = specs[0]
        if first.kind == "lit" and not first.optional:
            for key in {first.text, first.lemma}:
                self._by_first.setdefault(key, []).append(phrase)
        elif first.kind == "slot" and not first.optional:
            self._by_slot.setdefault(first.text, []).append(phrase)
        elif first.kind == "prefix" and not first.optional and len(first.text) >= 2:
            self._by_prefix.setdefault(first.text[:2], []).append(phrase)
        else:
            self._generic.append(phrase)

    def _compile(self, text: str, surface_only: bool) -> list[Spec]:
        specs: list[Spec] = []
        for part in text.split():
            optional = part.endswith("?") and len(part) > 1
            part = part.rstrip("?") if optional else part
            if part.startswith("~"):
                specs.append(Spec("gap", gap=int(part[1:] or 2)))
            elif part.startswith("{") and part.endswith("}"):
                specs.append(Spec("slot", text=part[1:-1], optional=optional))
            elif part.endswith("*") and len(part) > 1:
                specs.append(Spec("prefix", text=norm(part[:-1]), optional=optional))
            elif part[-1] in _APOS and len(part) > 1:
                specs.append(Spec("lit", text=norm(part), lemma=norm(part), optional=optional))
            else:
                for k, tok in enumerate(tokenize(part, self.lexicon)):
                    lemma = tok.lower if surface_only else self.lemmatizer(tok.text)[0]
                    specs.append(Spec("lit", text=tok.lower, lemma=lemma, optional=optional and k == 0))
        return specs

    def find(self, tokens: list[Token], slots: dict | None = None, text: str = "", offset: int = 0) -> list[Match]:
        """All matches, longest first at each start; ``slots``: name -> {start index: (end, payload)}."""
        slots = slots or {}
        found: list[Match] = []
        for i, token in enumerate(tokens):
            candidates = self._by_first.get(token.lower, []) + (
                self._by_first.get(token.lemma, []) if token.lemma != token.lower else []
            )
            candidates += self._by_prefix.get(token.lower[:2], [])
            for name, phrases in self._by_slot.items():
                if i in slots.get(name, ()):
                    candidates += phrases
            if not candidates and not self._generic:
                continue
            seen: set[int] = set()
            for phrase in candidates + self._generic:
                if id(phrase) in seen:
                    continue
                seen.add(id(phrase))
                captured: dict = {}
                end = _match(phrase.specs, 0, tokens, i, slots, captured, phrase.surface_only)
                if end is not None and end > i:
                    found.append(Match(i, end, phrase.value, captured, phrase.surface_only))
        for pattern, value in self._regexes:
            for m in pattern.finditer(text):
                covered = [t.i for t in tokens if t.start < m.end() + offset and t.end > m.start() + offset]
                if covered:
                    found.append(Match(covered[0], covered[-1] + 1, value, {}, True))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        return found


def _lit_ok(spec: Spec, token: Token, surface_only: bool) -> bool:
    if spec.kind == "prefix":
        return token.lower.startswith(spec.text)
    if token.lower == spec.text:
        return True
    return not surface_only and token.lemma == spec.lemma


def _match(specs, k, tokens, j, slots, captured, surface_only) -> int | None:
    if k == len(specs):
        return j
    spec = specs[k]
    if spec.kind == "gap":
        for extra in range(spec.gap + 1):
            if extra and (j + extra - 1 >= len(tokens) or not tokens[j + extra - 1].is_word):
                break
            end = _match(specs, k + 1, tokens, j + extra, slots, captured, surface_only)
            if end is not None:
                return end
        return None
    if j < len(tokens):
        if spec.kind == "slot":
            hit = slots.get(spec.text, {}).get(j)
            if hit is not None:
                end = _match(specs, k + 1, tokens, hit[0], slots, captured, surface_only)
                if end is not None:
                    captured[spec.text] = (j, hit[0], hit[1])
                    return end
        elif _lit_ok(spec, tokens[j], surface_only):
            end = _match(specs, k + 1, tokens, j + 1, slots, captured, surface_only)
            if end is not None:
                return end
    if spec.optional:
        return _match(specs, k + 1, tokens, j, slots, captured, surface_only)
    return None


def longest_nonoverlapping(matches: list[Match]) -> list[Match]:
    """Keep the longest of overlapping matches (earlier first on ties)."""
    chosen: list[Match] = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)
