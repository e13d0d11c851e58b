"""Which sessions a pasted text (a blog post, a trip report) mentions.

Plain functions over talk-like objects (`title`, `speakers` with `name`), so that tests
call them without a database. A talk is suggested when

- its title appears in the text, verbatim or nearly: case, accents, punctuation and quotes
  are ignored, words may be spelled a little differently (optimising / optimizing), and a
  long title may lose a word in three. A verbatim title scores 1; a near one at most
  NEAR_TITLE_CAP, less the more of it is missing or the more other words stand among its
  own. Words weigh by length and by rarity among the titles searched, so that "Linux" in
  a Linux conference counts for little; and a title's score is scaled by its strength, so
  that a short or generic title ("Opening", "Keynote", "Rust") found in the text is never
  taken for a mention on its own. Talks whose telling title stands verbatim in the text
  come first, before any found by near titles or speakers' names;
- or one of its speakers is named in full (a nickname in quotes may be left out, the
  surname may come first, the given name may be an initial). A name
  alone is a hint, not proof (a trip report names people it met in the corridor), so it
  stays below TICK_THRESHOLD unless the title matches too, or several of the session's
  speakers are named; a speaker with several sessions shares the hint among them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from difflib import SequenceMatcher
from typing import Any

#: suggestions at or above this score are ticked in the form
TICK_THRESHOLD = 0.5
#: a title found at less than this similarity does not count at all
MIN_TITLE_SIMILARITY = 0.6
#: a near (not verbatim) title scores at most this, so verbatim titles rank first
NEAR_TITLE_CAP = 0.95
#: what naming one speaker of a session adds, shared among that speaker's sessions
SPEAKER_EVIDENCE = 0.4
#: weighted characters of specific words a title needs to count fully ("Linux Storage" has 12)
FULL_STRENGTH_CHARS = 15
#: suggestions scoring less are dropped
MIN_SCORE = 0.1
#: extra words allowed around a title in the text
SLACK = 2
#: spelling tolerance for words of at least FUZZY_MIN_LENGTH letters
FUZZY_RATIO = 0.85
FUZZY_MIN_LENGTH = 5

STOPWORDS = frozenset("""
    a an and are as at be by de der die for from how i in into is it its la le of on or our s
    t than that the this to und vs we what when where who why will with you your
""".split())
#: words of session titles that say what kind of session it is, not what it is about
GENERIC = frozenset("""
    afternoon bof break breakfast ceremony closing coffee conference day dinner evening
    introduction intro keynote lightning lunch morning opening panel party plenary qa
    remark session social talk tba tbd welcome workshop
""".split())
WORD = re.compile(r"[^\W_]+")
#: a nickname in a name: Jon “maddog” Hall
NICKNAME = re.compile(r"[“\"«(][^”\"»)]*[”\"»)]")


@dataclass(frozen=True)
class Mention:
    """A talk the text seems to mention, with why."""

    talk: Any
    score: float
    #: how closely the title was found, 0 to 1 (1: verbatim)
    title_similarity: float = 0.0
    #: the names of the talk's speakers found in the text
    speakers_named: tuple[str, ...] = ()

    @property
    def ticked(self) -> bool:
        return self.score >= TICK_THRESHOLD

    @property
    def title_quoted(self) -> bool:
        """The title stands in the text verbatim and is telling enough to be ticked on its
        own: such a talk ranks above every other suggestion, whatever names the text drops."""
        return self.title_similarity >= 1 and self.score >= TICK_THRESHOLD

    @property
    def reasons(self) -> list[str]:
        """Why, in words: "title matched", "title nearly matched", "speaker named: ..."."""
        reasons = []
        if self.title_similarity >= 1:
            reasons.append("title matched")
        elif self.title_similarity > 0:
            reasons.append("title nearly matched")
        reasons.extend(f"speaker named: {name}" for name in self.speakers_named)
        return reasons


def words(text: str) -> list[str]:
    """The text's words, compared loosely: accents dropped, case folded, punctuation and
    quotes as spaces, a plural -s dropped (KVM-based Clouds -> kvm, based, cloud)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return [_singular(word) for word in WORD.findall(plain)]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def suggest(text: str, talks: Iterable[Any]) -> list[Mention]:
    """The talks `text` mentions, best first (ties in the order given).

    :param talks: talk-like objects with `title` and `speakers` (each with `name`),
        usually every talk of the conferences the text is about
    """
    talks = list(talks)
    text_words = words(text)
    if not text_words or not talks:
        return []
    document = _Document(text_words)
    titles = [_Title(words(talk.title)) for talk in talks]
    rarity = _rarity(titles)
    named = _speakers_named(document, talks)
    mentions = []
    for position, (talk, title) in enumerate(zip(talks, titles, strict=True)):
        similarity = document.title_similarity(title, rarity)
        title_score = similarity * title.strength(rarity)
        speaker_names, speaker_score = named.get(position, ((), 0.0))
        score = 1 - (1 - title_score) * (1 - speaker_score)
        if score >= MIN_SCORE:
            mentions.append((position, Mention(talk, round(score, 3), round(similarity, 3), speaker_names)))
    mentions.sort(key=lambda item: (not item[1].title_quoted, -item[1].score, -item[1].title_similarity, item[0]))
    return [mention for _, mention in mentions]


def search(query: str, talks: Iterable[Any]) -> list[Any]:
    """The talks whose title or speakers contain every word of `query` (word beginnings
    count: "stor" finds "Storage"), in the order given."""
    wanted = [word for word in words(query) if word not in STOPWORDS]
    if not wanted:
        return []
    found = []
    for talk in talks:
        haystack = words(" ".join([talk.title, *(speaker.name for speaker in talk.speakers)]))
        if all(any(word.startswith(part) for word in haystack) for part in wanted):
            found.append(talk)
    return found


@dataclass(frozen=True)
class _Title:
    words: list[str]
    specific: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "specific", frozenset(
            word for word in self.words if word not in STOPWORDS and word not in GENERIC))

    def weight(self, word: str, rarity: dict[str, float]) -> float:
        return len(word) * rarity.get(word, 1.0)

    def total_weight(self, rarity: dict[str, float]) -> float:
        return sum(self.weight(word, rarity) for word in self.specific)

    def strength(self, rarity: dict[str, float]) -> float:
        """How much a match of this title can be trusted, 0 to 1: long titles of rare
        words fully, "Opening" or "Keynote" not at all."""
        return min(1.0, self.total_weight(rarity) / FULL_STRENGTH_CHARS)


def _rarity(titles: Sequence[_Title]) -> dict[str, float]:
    """Each title word's rarity among the titles searched: 1 for a word in one title,
    down towards 0.5 for a word in every title."""
    counts = Counter(word for title in titles for word in title.specific)
    most = math.log(1 + len(titles))
    return {word: 0.5 + 0.5 * math.log(1 + len(titles) / count) / most for word, count in counts.items()}


class _Document:
    """The pasted text, indexed for finding titles and names in it."""

    def __init__(self, text_words: list[str]):
        self.words = text_words
        self.positions: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(text_words):
            self.positions[word].append(position)
        self.by_initial: dict[str, set[str]] = defaultdict(set)
        for word in self.positions:
            if len(word) >= FUZZY_MIN_LENGTH:
                self.by_initial[word[0]].add(word)
        self._variants: dict[str, frozenset[str]] = {}

    def variants(self, word: str) -> frozenset[str]:
        """The text's spellings of `word`: itself, and near spellings of long words."""
        if word not in self._variants:
            close = {other for other in self.by_initial.get(word[0], ())
                     if len(word) >= FUZZY_MIN_LENGTH and other != word
                     and SequenceMatcher(None, word, other).ratio() >= FUZZY_RATIO}
            if word in self.positions:
                close.add(word)
            self._variants[word] = frozenset(close)
        return self._variants[word]

    def contains_phrase(self, phrase: Sequence[str]) -> bool:
        length = len(phrase)
        return any(self.words[start:start + length] == list(phrase)
                   for start in self.positions.get(phrase[0], ()))

    def title_similarity(self, title: _Title, rarity: dict[str, float]) -> float:
        """1 for the title verbatim; otherwise the best place in the text where most of its
        (weighted) words stand close together, capped at NEAR_TITLE_CAP; 0 below
        MIN_TITLE_SIMILARITY."""
        total = title.total_weight(rarity)
        if not total:
            return 0.0
        variants = {word: self.variants(word) for word in title.specific}
        missing = [word for word, found in variants.items() if not found]
        if len(missing) > (len(title.specific) - 1) // 3:
            return 0.0
        if self.contains_phrase(title.words):
            return 1.0
        best = max(self._window_similarity(title, start, variants, rarity, total)
                   for start in self._window_starts(title, variants))
        return min(best, NEAR_TITLE_CAP) if best >= MIN_TITLE_SIMILARITY else 0.0

    def _window_starts(self, title: _Title, variants: dict[str, frozenset[str]]) -> set[int]:
        """Where the title could begin: lined up on each occurrence of each of its words."""
        starts = set()
        for index, word in enumerate(title.words):
            for spelling in variants.get(word, ()):
                for position in self.positions[spelling]:
                    starts.add(max(0, position - index - SLACK))
        return starts

    def _window_similarity(self, title: _Title, start: int, variants: dict[str, frozenset[str]],
                           rarity: dict[str, float], total: float) -> float:
        """The weighted share of the title's words found in the window from `start`, times
        how tightly they stand (the title's length over the span they cover), both squared:
        a missing word or a word in between costs much."""
        window = self.words[start:start + len(title.words) + 2 * SLACK]
        found_at = {}
        for word, spellings in variants.items():
            hits = [offset for offset, text_word in enumerate(window) if text_word in spellings]
            if hits:
                found_at[word] = hits
        if not found_at:
            return 0.0
        coverage = (sum(title.weight(word, rarity) for word in found_at) / total) ** 2
        first = min(hits[0] for hits in found_at.values())
        last = max(hits[-1] for hits in found_at.values())
        tightness = min(1.0, len(title.words) / (last - first + 1)) ** 2
        return coverage * tightness


def _name_forms(name: str) -> set[tuple[str, ...]]:
    """A name's word sequences to look for: in full and without a nickname in quotes, each
    also as "Surname, Given" and "G. Surname". One-word names are left out: too many
    texts contain the word for other reasons."""
    forms = set()
    for full in (words(name), words(NICKNAME.sub(" ", name))):
        if len(full) >= 2:
            forms |= {tuple(full), (full[-1], *full[:-1])}
            if full[0][0] not in STOPWORDS:  # "A. Smith" must not be found in "a smith"
                forms.add((full[0][0], *full[1:]))
    return forms


def _speakers_named(document: _Document, talks: Sequence[Any]) -> dict[int, tuple[tuple[str, ...], float]]:
    """For each talk (by position) whose speakers the text names: their names and the
    evidence, each named speaker's SPEAKER_EVIDENCE shared among their sessions."""
    sessions_of: Counter[str] = Counter()
    for talk in talks:
        for speaker in talk.speakers:
            sessions_of[" ".join(words(speaker.name))] += 1
    named_cache: dict[str, bool] = {}
    found = {}
    for position, talk in enumerate(talks):
        names, doubt = [], 1.0
        for speaker in talk.speakers:
            if speaker.name not in named_cache:
                named_cache[speaker.name] = any(document.contains_phrase(form) for form in _name_forms(speaker.name))
            if named_cache[speaker.name]:
                names.append(speaker.name)
                doubt *= 1 - SPEAKER_EVIDENCE / sessions_of[" ".join(words(speaker.name))]
        if names:
            found[position] = (tuple(names), 1 - doubt)
    return found
