"""Which sessions a pasted text mentions: the pure functions, then the demo and its trip report."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.mentions import TICK_THRESHOLD
from tracker.mentions import search
from tracker.mentions import suggest
from tracker.mentions import words
from tracker.models import Conference
from tracker.services.writeups import suggest_talks

SEED = Path(__file__).parent / "resources" / "xen-at-linuxcon-2011.txt"
STORAGE = "What to Expect From Linux Storage"
KVM = "Optimizing Performance of Persistent Data Storage in KVM-based Clouds"


def talk(title: str, *speakers: str) -> SimpleNamespace:
    return SimpleNamespace(title=title, speakers=[SimpleNamespace(name=name) for name in speakers])


PROGRAMME = [
    talk("Opening"),
    talk("Keynote", "Jim Zemlin"),
    talk("Lunch break"),
    talk("Rust"),
    talk(STORAGE, "James Bottomley"),
    talk(KVM, "Khoa Huynh"),
    talk("20 Years of Linux", "Jon “maddog” Hall", "José Müller"),
    talk("The Stable Kernel Tree", "Greg Kroah-Hartman"),
    talk("Linus Torvalds in Conversation with Greg Kroah-Hartman", "Linus Torvalds", "Greg Kroah-Hartman"),
]


def titles(mentions) -> list[str]:
    return [mention.talk.title for mention in mentions]


def test_words_ignore_case_accents_punctuation_and_plurals():
    assert words("“KVM-based” Clouds, Müller's café!") == ["kvm", "based", "cloud", "muller", "s", "cafe"]


@pytest.mark.parametrize("text", [
    "I liked What to Expect From Linux Storage a lot.",
    "I liked “what to expect from LINUX storage?” a lot.",
    "I liked 'What to expect from Linux-storage' a lot.",
])
def test_a_title_in_any_case_or_quotes_matches_fully(text):
    [mention] = suggest(text, PROGRAMME)
    assert mention.talk.title == STORAGE and mention.score == 1.0 and mention.ticked
    assert mention.reasons == ["title matched"]


def test_a_title_with_small_differences_nearly_matches():
    text = "Don't miss optimising performance of persistent data storage in KVM clouds next year."
    [mention] = suggest(text, PROGRAMME)
    assert mention.talk.title == KVM and mention.ticked
    assert TICK_THRESHOLD < mention.score < 1
    assert mention.reasons == ["title nearly matched"] and mention.title_similarity < 1


def test_a_verbatim_title_ranks_above_a_near_one():
    text = f"{KVM.replace('Optimizing', 'Optimising')} and {STORAGE}"
    assert titles(suggest(text, PROGRAMME)) == [STORAGE, KVM]


def test_scattered_title_words_do_not_match():
    text = ("Storage is what I expect to fix first; Linux from scratch is fun. The kernel is stable, "
            "and my tree of tools grows.")
    assert suggest(text, PROGRAMME) == []


@pytest.mark.parametrize("text", [
    "The opening keynote was a good start; lunch break was long.",
    "Rust everywhere this year.",
])
def test_short_or_generic_titles_are_not_ticked(text):
    assert [mention for mention in suggest(text, PROGRAMME) if mention.ticked] == []


def test_a_word_common_to_the_titles_counts_less():
    programme = [talk(f"Linux {topic}") for topic in ("Storage", "Networking", "Audio", "Security", "Kernel")]
    text = "Linux storage, at last"
    [mention] = suggest(text, programme)
    assert mention.talk.title == "Linux Storage"
    assert mention.score < suggest(text, [talk("Linux Storage")])[0].score


def test_a_named_speaker_is_a_hint_below_the_threshold():
    [mention] = suggest("I had a long chat with Khoa Huynh about caches.", PROGRAMME)
    assert mention.talk.title == KVM and mention.reasons == ["speaker named: Khoa Huynh"]
    assert 0 < mention.score < TICK_THRESHOLD


def test_names_match_without_accents_and_nicknames():
    [mention] = suggest("Jon Hall and Jose Muller were on stage.", PROGRAMME)
    assert mention.talk.title == "20 Years of Linux"
    assert mention.speakers_named == ("Jon “maddog” Hall", "José Müller")
    assert mention.ticked, "two of its speakers named"


def test_a_speaker_of_several_sessions_shares_the_hint():
    mentions = suggest("Greg Kroah-Hartman was there.", PROGRAMME)
    assert set(titles(mentions)) == {"The Stable Kernel Tree", "Linus Torvalds in Conversation with Greg Kroah-Hartman"}
    assert mentions[0].score == mentions[1].score < suggest("Khoa Huynh was there.", PROGRAMME)[0].score


def test_title_and_speaker_together_score_above_either():
    alone = suggest("Linux storage by James Bottomley", PROGRAMME)
    assert titles(alone) == [STORAGE] and alone[0].reasons == ["speaker named: James Bottomley"]
    both = suggest(f"{STORAGE}, by James Bottomley", PROGRAMME)
    assert both[0].reasons == ["title matched", "speaker named: James Bottomley"]


def test_nothing_mentioned_nothing_suggested():
    assert suggest("The weather in Vancouver was lovely and the food even better.", PROGRAMME) == []
    assert suggest("", PROGRAMME) == [] and suggest("anything", []) == []


def test_search_finds_word_beginnings_in_titles_and_speakers():
    assert [found.title for found in search("stor", PROGRAMME)] == [STORAGE, KVM]
    assert [found.title for found in search("kroah stable", PROGRAMME)] == ["The Stable Kernel Tree"]
    assert search("the", PROGRAMME) == []


def conference_id(slug: str) -> int:
    return db.session.scalar(sa.select(Conference.id).where(Conference.slug == slug))


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def test_the_seed_trip_report_across_all_conferences(app, demo):
    mentions = suggest_talks(seed_text())
    assert set(titles(mentions[:2])) == {STORAGE, KVM}
    assert all(mention.score == 1.0 and mention.ticked for mention in mentions[:2])
    assert max(mention.score for mention in mentions[2:]) < mentions[1].score, "nothing unrelated ties them"
    assert mentions[0].reasons[0] == "title matched"
    assert {reason for mention in mentions[:2] for reason in mention.reasons} == {
        "title matched", "speaker named: James Bottomley", "speaker named: Khoa Huynh"}


@pytest.mark.parametrize(("slug", "named"), [("linuxcon-na-2011", STORAGE), ("kvm-forum-2011", KVM)])
def test_the_seed_trip_report_in_the_chosen_conference(app, demo, slug, named):
    mentions = suggest_talks(seed_text(), [conference_id(slug)])
    assert titles(mentions)[0] == named and mentions[0].score == 1.0
    assert all(mention.score < 1.0 for mention in mentions[1:])
    assert all(mention.talk.conference.slug == slug for mention in mentions)


def test_the_two_chosen_conferences_give_what_all_give(app, demo):
    both = [conference_id("linuxcon-na-2011"), conference_id("kvm-forum-2011")]
    assert titles(suggest_talks(seed_text(), both)) == titles(suggest_talks(seed_text()))


def test_a_text_naming_only_a_speaker_in_the_demo(app, demo):
    [mention] = suggest_talks("After the break I spoke with James Bottomley about SCSI.")
    assert mention.talk.title == STORAGE and mention.reasons == ["speaker named: James Bottomley"]
    assert not mention.ticked


def test_a_text_without_mentions_suggests_nothing_above_the_threshold(app, demo):
    text = ("Vancouver was sunny all week. We walked around Stanley Park, had excellent sushi "
            "and took far too many pictures of the harbour. Next year: Prague!")
    assert [mention for mention in suggest_talks(text) if mention.ticked] == []


def test_a_verbatim_title_ranks_above_decoys_naming_the_same_people():
    """Talks by people the text thanks, on words the text uses, must not outrank the talks
    it names: "KVM and Xen" by Alexander Graf and Anthony Liguori, both named in the seed."""
    decoys = [
        talk("KVM and Xen: Virtualization on Linux", "Alexander Graf", "Anthony Liguori"),
        talk("What to Expect From Linux Networking", "Stephen Hemminger"),
        talk("Linux Storage and Filesystem Summit Report", "James Bottomley"),
        talk("Persistent Memory in KVM Clouds", "Khoa Huynh"),
        *(talk(f"Session {number} on Xen, KVM, storage and the Linux ecosystem") for number in range(30)),
    ]
    mentions = suggest(seed_text(), PROGRAMME + decoys)
    assert set(titles(mentions[:2])) == {STORAGE, KVM}
    assert all(mention.title_quoted for mention in mentions[:2])
    assert not any(mention.title_quoted for mention in mentions[2:])
    assert "KVM and Xen: Virtualization on Linux" in titles(mentions)  # suggested, just lower


@pytest.mark.parametrize("written", ["Bottomley, James", "J. Bottomley", "james bottomley", "Bottomley James"])
def test_a_speaker_named_surname_first_or_with_an_initial(written):
    [mention] = suggest(f"Then {written} spoke about SCSI.", PROGRAMME)
    assert mention.talk.title == STORAGE and mention.speakers_named == ("James Bottomley",)


def test_an_initial_that_is_a_word_is_not_a_name():
    assert suggest("We hired a hall for the party.", [talk("Party planning", "Anna Hall")]) == []
