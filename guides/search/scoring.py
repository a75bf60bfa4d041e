"""Search the guides the way people describe their problem, and lead them to a fix.

Plain data, no Django: ``guides.search.index`` hands over the published guides once per content
version. People type what they see, on a phone, in chat spelling and with typos, and sometimes
name an app we have no guide for. So both sides are normalised the same way (lowercase, no
apostrophes, a few synonyms, a crude stemmer), a word we don't know is matched to the nearest
word we do (unless it is a common English word in its own right), a query that names only apps
no guide covers gets an honest answer instead of unrelated pages, and so does a query about
something the guide it points to does not cover ("tiktok login problem" in a guide about messages).

The index is inverted twice, so a query only touches the postings of its own words, however
many guides there are: term → guides, to pick the few guides worth scoring, and in each guide
term → documents (causes, symptoms, fix steps, FAQ entries) with field weights. What people
see (a symptom) weighs more than what a cause is called.

This module is long because the normalising, the matching of unknown words and the scoring
share their word tables and must agree on them; reading them apart would hide that.
"""

import hashlib
import math
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset({
    "a", "after", "an", "and", "any", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from",
    "has", "have", "her", "him", "his", "how", "i", "if", "in", "is", "it", "its", "just", "me", "my", "not", "of",
    "on", "or", "our", "she", "so", "that", "the", "their", "them", "then", "there", "they", "this", "to", "too",
    "up", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "won", "you", "your", "yours",
    "u", "ur", "urs", "youre", "ya", "im", "ive", "id", "cant", "dont", "wont", "didnt", "doesnt", "isnt", "arent",
    "wasnt", "aint", "couldnt", "wouldnt", "hasnt", "havent", "pls", "plz", "please", "help", "thx", "thanks", "bc",
    "cuz", "coz", "lol", "omg", "idk", "rn", "did",
})  # fmt: skip
# Words people use for the same thing, mapped onto one word (then stemmed like any other).
SYNONYMS = {
    "dm": "message", "dms": "message", "dmd": "message", "dmed": "message", "dming": "message", "msg": "message",
    "msgs": "message", "msging": "message", "pm": "message", "pms": "message", "txt": "message",
    "text": "message", "texts": "message", "chat": "message", "chats": "message", "inbox": "message",
    "sent": "send", "deliver": "send", "delivered": "send",
    "banned": "ban", "suspended": "ban", "suspension": "ban", "wifi": "wi", "fi": "wi", "cellular": "mobile",
    "4g": "mobile", "5g": "mobile", "crashes": "crash", "crashing": "crash", "crashed": "crash",
    "frozen": "freeze", "freezes": "freeze", "freezing": "freeze", "buggy": "bug", "glitchy": "glitch",
    "quickly": "fast", "quick": "fast", "red": "exclamation",
    "outdated": "old", "upgrade": "update", "kid": "teen", "kids": "teen", "child": "teen", "son": "teen",
    "daughter": "teen", "teens": "teen", "teenager": "teen", "underage": "teen",
    "mom": "parent", "mum": "parent", "dad": "parent", "mother": "parent", "father": "parent", "parental": "parent",
    "strike": "strik", "strikes": "strik", "vpn": "proxy", "thru": "through", "ppl": "people",
    "spamming": "spam", "spammed": "spam", "spammy": "spam", "outage": "down", "outages": "down",
    "for you page": "fyp", "foryou": "fyp", "foryoupage": "fyp", "blocked you": "blockedyou",
    # Ages: "im 15", "my 13 year old", "aged 16 and over", "the birthday on the account".
    "10": "teen", "11": "teen", "12": "teen", "13": "teen", "14": "teen", "15": "teen", "16": "teen", "17": "teen",
    "age": "age", "aged": "age", "ages": "age", "year": "age", "years": "age", "yr": "age", "yrs": "age",
    "yo": "age", "birthday": "age",
}  # fmt: skip
# Words that say something is wrong, or to whom, but not what: "tiktok not working" names no topic.
# A guide covers a query when the query's other words are in it (see ``uncovered``).
GENERIC_WORDS = frozenset({
    "problem", "problems", "issue", "issues", "trouble", "work", "works", "working", "worked", "wrong", "broken",
    "fix", "fixed", "error", "errors", "keep", "keeps", "kept", "let", "lets", "letting", "still", "anymore",
    "again", "now", "get", "gets", "getting", "got", "show", "shows", "showing", "happen", "happens", "happening",
    "anyone", "someone", "everyone", "anything", "something", "nothing", "all", "app", "apps",
})  # fmt: skip
# The most frequent English words: a word in it is what the visitor meant, never a slip of another word
# ("hacked" is not "packed"). Where the list comes from is in its header.
COMMON_WORDS = frozenset(
    line.strip()
    for line in (Path(__file__).with_name("common_english.txt")).read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
# Words asking whether an app is down for everyone: the honest answer says how to tell.
OUTAGE_WORDS = frozenset({"down", "outage", "outages", "server", "servers", "offline"})
LOGGING = frozenset({"log", "logs", "logged", "logging", "sign", "signs", "signed", "signing"})  # "... in"
BLOCKING = frozenset({"block", "blocks", "blocked", "blocking"})  # "... me", "... you"
GOING = frozenset({"go", "goes", "going", "gone", "went", "get", "gets", "got", "getting"})  # "... through"
SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s", "e", "y")

# Apps people name, with the ways they write them. A guide is about the apps its title names;
# a query naming only apps no guide covers is told so. Ambiguous words ("signal", "line", "x")
# are left out: "weak signal" is not an app.
KNOWN_APPS = {
    "TikTok": ("tiktok", "tik tok"),
    "Instagram": ("instagram", "insta", "ig"),
    "Snapchat": ("snapchat", "snap chat", "snap"),
    "WhatsApp": ("whatsapp", "whats app"),
    "Facebook": ("facebook", "fb"),
    "Messenger": ("messenger",),
    "YouTube": ("youtube", "you tube", "yt"),
    "Discord": ("discord",),
    "X (Twitter)": ("twitter",),
    "Telegram": ("telegram",),
    "Threads": ("threads",),
    "Pinterest": ("pinterest",),
    "Reddit": ("reddit",),
    "BeReal": ("bereal", "be real"),
    "Roblox": ("roblox",),
    "Fortnite": ("fortnite",),
    "Spotify": ("spotify",),
    "Twitch": ("twitch",),
    "Tumblr": ("tumblr",),
    "Kik": ("kik",),
    "Viber": ("viber",),
    "WeChat": ("wechat",),
    "Skype": ("skype",),
    "iMessage": ("imessage",),
    "LinkedIn": ("linkedin",),
    "Tinder": ("tinder",),
    "Minecraft": ("minecraft",),
    "Xbox": ("xbox",),
    "PlayStation": ("playstation", "psn"),
    "CapCut": ("capcut",),
    "Duolingo": ("duolingo",),
    "Netflix": ("netflix",),
}
APP_WORDS = {alias: app for app, aliases in KNOWN_APPS.items() for alias in aliases if " " not in alias}
APP_PAIRS = {tuple(alias.split()): app for app, aliases in KNOWN_APPS.items() for alias in aliases if " " in alias}

# Field weights: what people see weighs most, long explanations least.
SYMPTOM_TITLE, SYMPTOM_TEXT = 3.0, 1.0
CAUSE_TITLE, CAUSE_SUMMARY, CAUSE_TEXT, FACET_TITLE, FACET_TEXT = 2.0, 1.0, 0.4, 1.2, 0.3
STEP_TITLE, STEP_WHERE, STEP_TEXT, STEP_PHONE_TEXT = 2.0, 1.0, 0.5, 0.4
FAQ_QUESTION, FAQ_ANSWER = 2.0, 0.5
# A fix step that matches counts for the causes it fixes, at half weight: the words people type are
# mostly about what they see, less about what they already tried.
STEP_SHARE = 0.5
# Two query words side by side score extra in a text that has them within this many words of each other
# ("after the update" matches "after an app or phone update").
PAIR_WINDOW = 3
# Only in short texts (titles, summaries, what people see): in long explanations words meet by chance,
# and their pairs would make the index several times larger.
PAIR_FIELD_WEIGHT = 1.0
# A cause is as likely as the one text of it that matches best (people describe one thing they see);
# words it matches elsewhere only corroborate, or a cause with many symptoms would collect them.
CORROBORATION = 0.25
# An answer in the troubleshooter describes what people see, and says which causes it points to.
ANSWER_TEXT = 2.0
ANSWER_SHARE = {"strong": 1.0, "more": 0.5}
# A word matched by spelling alone is less sure than one typed right.
FUZZY_WEIGHT = 0.7
# A word is in a guide when a title, summary, symptom, "where" or answer has it; a word only in long
# explanations ("down" in "scroll down") does not make the query one the guide covers.
COVERED_WEIGHT = 1.0
# ...and a word only in summaries, symptoms' texts or "where" must be in this many of them.
PASSING = 2
# The words a guide does cover point to a related cause only when one cause stands out this clearly.
RELATED_MARGIN = 1.5
# Only the few guides the words point to are scored in full; more would cost time and show nothing.
GUIDES_SCORED = 3
CAUSES_SHOWN, STEPS_SHOWN, FAQ_SHOWN, GUIDES_SHOWN = 3, 4, 2, 3
# A cause, or another guide, far behind the best one is noise, not an answer.
CAUSE_FLOOR = 0.2
OTHER_GUIDE_FLOOR = 0.5
CONTEXT_CHARS = 160
# A step or an answer shows what matched only if the words mean something: "message" alone (in nearly
# every text of a guide about messages) says nothing, "VPN" does.
CONTEXT_FLOOR = 1.5


@lru_cache(maxsize=65536)  # queries are unbounded input: keep the cache bounded
def stem(word: str) -> str:
    word = SYNONYMS.get(word, word)
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ed", "ing") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # "stopped" and "stops" are both "stop"
            break
    return sys.intern(SYNONYMS.get(word, word))  # one string per term, however many texts use it


GENERIC_TERMS = frozenset(stem(word) for word in GENERIC_WORDS)
OUTAGE_TERMS = frozenset(stem(word) for word in OUTAGE_WORDS)


def normalise(text: str) -> str:
    """Lowercase, accents and apostrophes dropped: "Don't", "dont" and "don\u2019t" become one word."""
    text = text.lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.replace("'", "").replace("\u2019", "").replace("\u2018", "")


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


def terms(text: str, text_words: list[str] | None = None) -> list[str]:
    return [stem(word) for word in content_words(words(text) if text_words is None else text_words)]


def content_words(text_words: list[str]) -> list[str]:
    """The words that carry meaning, read in context.

    In "15 years old" the "old" is the age, not an old phone; a message that "went through" was sent;
    to "log in" or "sign in" is a login; "for you page" is TikTok's feed, not any page; someone who
    "blocked me" is a person who "blocked you", not a network that blocks the app.
    """
    result, previous, raw = [], "", ("", "")
    for word in text_words:
        raw, before = (raw[1], word), raw
        if word == "page" and before == ("for", "you"):
            result.append("for you page")
            continue
        if word == "old" and SYNONYMS.get(previous) in ("age", "teen"):
            continue
        if word in ("through", "thru") and previous in GOING:
            result[-1] = "sent"
            continue
        if word == "in" and previous in LOGGING:
            result[-1] = "login"
            continue
        if word in ("me", "you") and previous in BLOCKING:
            result[-1] = "blocked you"
            continue
        previous = word
        if word not in STOPWORDS:
            result.append(word)
    return result


def apps_named(text_words: list[str]) -> tuple[list[str], list[str]]:
    """The known apps a text names, in order, and its words without them."""
    apps, rest = [], []
    skip = False
    for word, following in pairwise([*text_words, ""]):
        if skip:
            skip = False
            continue
        app = APP_PAIRS.get((word, following))
        if app:
            skip = True
        else:
            app = APP_WORDS.get(word)
        if app:
            if app not in apps:
                apps.append(app)
        else:
            rest.append(word)
    return apps, rest


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters counts once), or limit + 1 beyond it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if before is not None and i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def allowed_distance(word: str) -> int:
    """One slip in a short word, two in a long one; shorter words have too many neighbours."""
    return 1 if len(word) <= 7 else 2


def same_word(typed: str, known: str) -> bool:
    """Whether two spellings are forms of one word ("violating", "violation"), not two words ("hacked", "packed")."""
    shorter = min(len(typed), len(known))
    prefix = next((n for n, (a, b) in enumerate(zip(typed, known, strict=False)) if a != b), shorter)
    return prefix >= 5 and prefix >= shorter - 3


def deletes(word: str, distance: int) -> set[str]:
    found, frontier = set(), {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Document(NamedTuple):
    """One searchable text of a guide: a cause, symptom, fix step or FAQ entry."""

    kind: str  # "cause", "symptom", "fix_step", "faq" or "answer" (to a question of the troubleshooter)
    slug: str
    title: str
    url: str
    fields: tuple[tuple[str, float], ...]  # plain text, weight
    # The causes it is evidence for, each with how much: a cause itself and a symptom's causes fully,
    # a fix step's causes at half, an answer's causes as strongly as the answer points to them.
    causes: tuple[tuple[str, float], ...] = ()
    summary: str = ""  # a cause's summary; a fix step's "where"


class GuideContent(NamedTuple):
    """A published guide, as the index needs it."""

    slug: str
    title: str
    url: str
    summary: str
    documents: tuple[Document, ...]
    steps_by_cause: dict[str, tuple[str, ...]]  # cause slug → fix step slugs, in the order to try them
    commonness: dict[str, int]  # cause slug → how common it is; breaks ties
    hand_off: str = ""  # the fix step that hands over to the app's own support, if the guide has one


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    summary: str = ""
    # The text that matched, in pieces: (text, True) is a matched word, shown in <mark>.
    context: tuple[tuple[str, bool], ...] = ()
    slug: str = ""


@dataclass(frozen=True)
class GuideHit:
    slug: str
    title: str
    url: str
    summary: str


@dataclass
class Results:
    guide: GuideHit | None = None  # the best-matching guide: its causes, steps and troubleshooter
    causes: list[Hit] = field(default_factory=list)
    fix_steps: list[Hit] = field(default_factory=list)  # the top cause's steps, in the order to try them
    faq: list[Hit] = field(default_factory=list)
    guides: list[GuideHit] = field(default_factory=list)  # other guides worth a look
    uncovered_apps: list[str] = field(default_factory=list)  # apps the query names that no guide is about
    covered_apps: list[str] = field(default_factory=list)  # every app some guide is about
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as)
    # The words of a query about something the best guide does not cover ("login"), and the nearest help
    # it has: the app's own support (its hand-off step) and a cause the rest of the query clearly points to.
    not_covered: list[str] = field(default_factory=list)
    outage: str = ""  # the app an uncovered query asks is down ("is tiktok down"), if it asks that
    hand_off: Hit | None = None
    related: Hit | None = None
    no_words: bool = False  # the query has no letter or digit the guides are written in (another script, emoji)

    def __bool__(self):
        return bool(self.causes or self.fix_steps or self.faq or self.guides)


def digest(content: GuideContent) -> str:
    """A fingerprint of a guide's content: an unchanged guide keeps its index across content saves."""
    return hashlib.sha256(repr(content).encode()).hexdigest()


class GuideIndex:
    """One guide's documents, inverted: term → postings, each ``document number << 4 | weight code``.

    Postings are plain ints and every word is interned, so the pickled index that processes
    share stays small and quick to load.
    """

    def __init__(self, content: GuideContent):
        self.content = content
        self.digest = digest(content)
        apps, title_words = apps_named(words(content.title))
        self.apps = frozenset(apps)
        # What the guide is about: "send" and "message" in "Why is TikTok not letting me send messages?".
        self.topic = frozenset(term for term in terms("", title_words) if term not in GENERIC_TERMS)
        self.weights = tuple(sorted({weight for document in content.documents for _, weight in document.fields}))
        code = {weight: n for n, weight in enumerate(self.weights)}
        postings: dict[str, dict[int, int]] = defaultdict(dict)
        pairs: dict[str, set[int]] = defaultdict(set)  # "word word": documents with the two close together
        vocabulary: set[str] = set()
        for number, document in enumerate(content.documents):
            for text, weight in document.fields:
                text_words = words(text)
                found = terms(text, text_words)
                vocabulary.update(text_words)
                for term in found:
                    if postings[term].get(number, -1) < code[weight]:
                        postings[term][number] = code[weight]
                if weight >= PAIR_FIELD_WEIGHT:
                    for i, a in enumerate(found):
                        for b in found[i + 1 : i + 1 + PAIR_WINDOW]:
                            pairs[sys.intern(f"{a} {b}")].add(number)
        total = len(content.documents) or 1
        self.idf = {term: math.log(1 + total / len(docs)) for term, docs in postings.items()}
        self.postings = {term: tuple(n << 4 | c for n, c in docs.items()) for term, docs in postings.items()}
        self.pairs = {pair: tuple(docs) for pair, docs in pairs.items()}
        self.vocabulary = frozenset(sys.intern(word) for word in vocabulary)
        self.steps = {d.slug: d for d in content.documents if d.kind == "fix_step"}
        self.causes = {d.slug: d for d in content.documents if d.kind == "cause"}
        self.cause_order = {slug: n for n, slug in enumerate(self.causes)}
        self.hand_off = self._hand_off()

    def _hand_off(self) -> Hit | None:
        """The step that hands over to the app's own support, linked on the page of a cause it is a step of."""
        step = self.steps.get(self.content.hand_off)
        cause = next((c for c, steps in self.content.steps_by_cause.items() if step and step.slug in steps), None)
        if cause is None or cause not in self.causes:
            return None
        return Hit(step.title, f"{self.causes[cause].url}#fix-{step.slug}", step.summary, slug=step.slug)

    def covers(self, term: str) -> bool:
        """Whether the guide is about the term: a title or an answer has it, or more than one summary,
        symptom or "where" does. Named once in passing ("Posts, comments or messages that break the
        rules earn strikes") the guide does not cover it: "tiktok comments not showing" is not answered there.
        """
        weights = [self.weights[p & 15] for p in self.postings.get(term, ())]
        return any(w > COVERED_WEIGHT for w in weights) or sum(w >= COVERED_WEIGHT for w in weights) >= PASSING

    def strongest(self) -> dict[str, float]:
        """Each term's strongest field weight in this guide, for ranking guides against each other."""
        return {term: self.weights[max(p & 15 for p in found)] for term, found in self.postings.items()}

    def score(
        self, query: dict[str, float], pairs: set[tuple[str, str]]
    ) -> tuple[dict[int, float], list[tuple[float, str, Document | None]]]:
        """Score the documents, then the causes: (score, cause slug, its best-matching symptom), best first.

        A cause scores each query word once, by its strongest evidence for it: its own text, a
        symptom, an answer in the troubleshooter, or (at half weight) a step that fixes it. So a
        long explanation that happens to repeat common words can't outrank the symptom people
        described; causes that share that symptom are told apart by the words it doesn't cover,
        then by how common they are, then by the guide's own order.
        """
        documents, weights = self.content.documents, self.weights
        scores: dict[int, float] = defaultdict(float)
        best: dict[str, dict] = defaultdict(dict)
        matches = [
            (term, self.idf.get(term, 0.0) * strength, [(p >> 4, weights[p & 15]) for p in self.postings.get(term, ())])
            for term, strength in query.items()
        ]
        for a, b in pairs:
            found = self.pairs.get(f"{a} {b}", ())
            matches.append(((a, b), (self.idf.get(a, 0.0) + self.idf.get(b, 0.0)) * 0.5, [(n, 1.0) for n in found]))
        for key, value, postings in matches:
            for number, weight in postings:
                points = value * weight
                scores[number] += points
                for cause, share in documents[number].causes:
                    if best[cause].get(key, 0.0) < points * share:
                        best[cause][key] = points * share
        primary: dict[str, float] = defaultdict(float)
        symptoms: dict[str, tuple[float, Document]] = {}
        for number, score in scores.items():
            document = documents[number]
            for cause, share in document.causes:
                primary[cause] = max(primary[cause], score * share)
                if document.kind == "symptom" and (cause not in symptoms or score > symptoms[cause][0]):
                    symptoms[cause] = (score, document)
        ranked = [
            (
                primary[cause] + CORROBORATION * max(0.0, sum(found.values()) - primary[cause]),
                cause,
                symptoms.get(cause, (0.0, None))[1],
            )
            for cause, found in best.items()
            if cause in self.causes
        ]
        commonness, order = self.content.commonness, self.cause_order
        ranked.sort(key=lambda item: (-round(item[0], 6), -commonness.get(item[1], 0), order[item[1]]))
        return scores, ranked


class Index:
    def __init__(self, guides: list[GuideIndex]):
        """Join the guides' indexes: which guides each term is in, and the words known for spelling slips."""
        self.guides = guides
        by_term: dict[str, list[tuple[int, float]]] = defaultdict(list)
        vocabulary: set[str] = set()
        self.apps: dict[str, list[int]] = defaultdict(list)
        for number, guide in enumerate(self.guides):
            for term, weight in guide.strongest().items():
                by_term[term].append((number, weight))
            vocabulary |= guide.vocabulary
            for app in guide.apps:
                self.apps[app].append(number)
        total = len(self.guides) or 1
        self.guide_postings = {term: tuple(found) for term, found in by_term.items()}
        self.guide_idf = {term: math.log(1 + total / len(found)) for term, found in by_term.items()}
        # Known words for spelling slips: every word in the guides, found by a symmetric-delete index
        # (a slip and the word it stands for share a deletion), so no query compares against all of them.
        self.vocabulary = {word for word in vocabulary if stem(word) in self.guide_postings}
        spelled: dict[str, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            if len(word) > 3 and not word.isdigit():
                for deleted in deletes(word, allowed_distance(word)):
                    spelled[deleted].append(word)
        self.deletes = {key: tuple(found) for key, found in spelled.items()}

    def correct(self, word: str) -> str | None:
        """The known word this one is most likely a slip of, or None.

        A common English word is what the visitor meant: it is only read as another form of itself.
        """
        if len(word) <= 3 or word.isdigit():
            return None
        limit = allowed_distance(word)
        candidates = set(self.deletes.get(word, ()))
        for deleted in deletes(word, limit):
            if deleted in self.vocabulary:
                candidates.add(deleted)
            candidates.update(self.deletes.get(deleted, ()))
        scored = []
        for candidate in candidates:
            distance = edit_distance(word, candidate, limit)
            if distance <= limit and (word not in COMMON_WORDS or same_word(word, candidate)):
                scored.append((distance, -len(self.guide_postings.get(stem(candidate), ())), candidate))
        return min(scored)[2] if scored else None

    def read_query(self, query_words: list[str]) -> tuple[dict[str, float], list[str], list[tuple[str, str]]]:
        """The query's terms with their strength, in order, and the spelling corrections made."""
        strengths: dict[str, float] = {}
        ordered: list[str] = []
        corrections: list[tuple[str, str]] = []
        for word in content_words(query_words):
            term, strength = stem(word), 1.0
            if term not in self.guide_postings and (better := self.correct(word)):
                if word not in COMMON_WORDS:  # another form of a word is no slip to point out
                    corrections.append((word, better))
                term, strength = stem(better), FUZZY_WEIGHT
            strengths[term] = max(strengths.get(term, 0.0), strength)
            ordered.append(term)
        return strengths, ordered, corrections

    def search(self, query: str) -> Results:
        query_words = words(query)
        if not query_words:
            return Results(covered_apps=sorted(self.apps), no_words=True)
        named, rest = apps_named(query_words)
        for word in [w for w in rest if len(w) >= 6 and w not in self.vocabulary]:
            # "instagarm" is still Instagram: app names are long enough for one slip to be safe.
            app = next((a for w, a in APP_WORDS.items() if len(w) >= 6 and edit_distance(word, w, 1) <= 1), None)
            if app:
                rest.remove(word)
                named += [] if app in named else [app]
        results = Results(covered_apps=sorted(self.apps))
        covered = [app for app in named if app in self.apps]
        results.uncovered_apps = [app for app in named if app not in self.apps]
        if results.uncovered_apps and not covered:
            return results  # an honest "no guide for that app", not pages about another app
        allowed = {n for app in covered for n in self.apps[app]} if covered else None
        strengths, ordered, results.corrections = self.read_query(rest)
        if not strengths:
            results.guides = [self._guide_hit(n) for n in sorted(allowed or ())][:GUIDES_SHOWN]
            return results
        ranked_guides = self._rank_guides(strengths, allowed)
        if not ranked_guides and allowed:
            # "tiktok gifts": no guide has the word, but the app's guides are the nearest help there is
            ranked_guides = [(n, 0.0) for n in sorted(allowed)]
        if not ranked_guides:
            return results
        candidates = [n for n, score in ranked_guides if score >= ranked_guides[0][1] * OTHER_GUIDE_FLOOR]
        pairs = set(pairwise(ordered))
        best = None
        for number in candidates[:GUIDES_SCORED]:
            guide = self.guides[number]
            scores, ranked = guide.score(strengths, pairs)
            top = ranked[0][0] if ranked else max(scores.values(), default=0.0)
            if best is None or top > best[0]:
                best = (top, number, scores, ranked)
        _, number, scores, ranked = best
        read = zip(content_words(rest), ordered, strict=True)
        topic = [(word, term) for word, term in read if term not in GENERIC_TERMS]
        if not topic:  # "tiktok not working": nothing says what, so the guides are the answer
            results.guides = [self._guide_hit(n) for n in candidates][:GUIDES_SHOWN]
            return results
        results.not_covered = uncovered(self.guides[number], topic)
        if results.not_covered:
            self._nearest_help(results, number, topic, strengths, [*covered, *sorted(self.guides[number].apps)])
            results.guides = [self._guide_hit(n) for n in candidates][:GUIDES_SHOWN]
            return results
        self._fill(results, self.guides[number], scores, ranked, set(strengths))
        results.guide = self._guide_hit(number)
        results.guides = [self._guide_hit(n) for n in candidates if n != number][:GUIDES_SHOWN]
        return results

    def _rank_guides(self, strengths: dict[str, float], allowed: set[int] | None) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term, strength in strengths.items():
            idf = self.guide_idf.get(term, 0.0) * strength
            for number, weight in self.guide_postings.get(term, ()):
                scores[number] += idf * weight
        if allowed is not None:
            scores = {n: s for n, s in scores.items() if n in allowed}
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    def _nearest_help(
        self, results: Results, number: int, topic: list[tuple[str, str]], strengths: dict[str, float], apps: list[str]
    ) -> None:
        """What we have for a query the guide does not cover: the app's support, and a cause if one stands out."""
        guide = self.guides[number]
        if any(stem(word) in OUTAGE_TERMS for word in results.not_covered):
            results.outage = apps[0] if apps else "the app"
        results.hand_off = guide.hand_off
        known = {term: strengths[term] for _, term in topic if guide.covers(term)}
        ranked = guide.score(known, set())[1] if known else []
        if ranked and (len(ranked) == 1 or ranked[0][0] >= RELATED_MARGIN * ranked[1][0]):
            cause = guide.causes[ranked[0][1]]
            results.related = Hit(cause.title, cause.url, cause.summary, slug=cause.slug)

    def _guide_hit(self, number: int) -> GuideHit:
        content = self.guides[number].content
        return GuideHit(content.slug, content.title, content.url, content.summary)

    def _fill(self, results: Results, guide: GuideIndex, scores, ranked, query: set[str]) -> None:
        documents, idf = guide.content.documents, guide.idf
        if ranked:
            floor = ranked[0][0] * CAUSE_FLOOR
            for score, slug, symptom in ranked[:CAUSES_SHOWN]:
                if score < floor:
                    break
                cause = guide.causes[slug]
                # Why it is listed: the symptom that matched, else the cause's own words.
                context = highlight(symptom, query, idf) if symptom else ()
                context = context or highlight(cause, query, idf) or ((cause.summary, False),)
                results.causes.append(Hit(cause.title, cause.url, cause.summary, context, slug))
            top = guide.causes[ranked[0][1]]
            for slug in guide.content.steps_by_cause.get(top.slug, ())[:STEPS_SHOWN]:
                step = guide.steps[slug]
                context = highlight(step, query, idf, skip=2, at_least=CONTEXT_FLOOR)  # title and "where" are shown
                results.fix_steps.append(Hit(step.title, f"{top.url}#fix-{slug}", step.summary, context, slug))
        best = max(scores.values(), default=0.0)
        faq = sorted((-score, n) for n, score in scores.items() if documents[n].kind == "faq" and score >= best * 0.4)
        for _, number in faq[:FAQ_SHOWN]:
            entry = documents[number]
            context = highlight(entry, query, idf, skip=1, at_least=CONTEXT_FLOOR)  # the question is shown
            results.faq.append(Hit(entry.title, entry.url, "", context, entry.slug))


def uncovered(guide: GuideIndex, topic: list[tuple[str, str]]) -> list[str]:
    """The words of a query that say what it is about and that the guide does not cover, or none.

    A query that names the guide's topic ("message") is the guide's, whatever else it says. Otherwise
    the words the guide lacks must be at least as many as those it has: "tiktok video won't upload"
    is about uploading, while "spinning circle forever" is still the spinning circle.
    """
    if any(term in guide.topic for _, term in topic):
        return []
    missing = [word for word, term in topic if not guide.covers(term)]
    return missing if len(missing) * 2 >= len(topic) else []


SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def highlight(
    document: Document, query: set[str], idf: dict[str, float], *, skip: int = 0, at_least: float = 0.0
) -> tuple[tuple[str, bool], ...]:
    """The sentence of a document that matches the query best, in pieces with its matched words marked.

    Empty when nothing matches, or when what matches says less than ``at_least`` (common words like
    "message" alone). ``skip`` leaves out the first fields, which the page shows already.
    """
    best, best_score, best_found = "", 0.0, set()
    for text, weight in document.fields[skip:]:
        for sentence in SENTENCE.findall(text):
            found = set(terms(sentence)) & query
            score = sum(idf.get(term, 0.1) for term in found) * weight
            if score > best_score:
                best, best_score, best_found = sentence.strip(), score, found
    if not best or sum(idf.get(term, 0.1) for term in best_found) < at_least:
        return ()
    return _pieces(best, query)


def _pieces(sentence: str, query: set[str]) -> tuple[tuple[str, bool], ...]:
    matches = [m for m in TOKEN.finditer(sentence) if _matches(m.group(), query)]
    start, end = 0, len(sentence)
    if len(sentence) > CONTEXT_CHARS and matches:
        start = max(0, matches[0].start() - CONTEXT_CHARS // 3)
        start = sentence.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(sentence), start + CONTEXT_CHARS)
        end = sentence.find(" ", end) if sentence.find(" ", end) != -1 else len(sentence)
    pieces: list[list] = []
    position = start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        gap = sentence[position : match.start()]
        if pieces and pieces[-1][1] and gap in ("-", "\u2011"):
            pieces[-1][0] += gap + match.group()  # "Wi-Fi" is one highlight, not two
        else:
            if gap:
                pieces.append([gap, False])
            pieces.append([match.group(), True])
        position = match.end()
    if position < end:
        pieces.append([sentence[position:end], False])
    if start > 0:
        pieces.insert(0, ["…", False])
    if end < len(sentence):
        pieces.append(["…", False])
    return tuple((text, marked) for text, marked in pieces)


def _matches(token: str, query: set[str]) -> bool:
    found = terms(token)
    return bool(found) and all(term in query for term in found)
