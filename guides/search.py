"""Search a guide's content the way people describe their problem.

People type what they see ("no message button on her profile"), so what a
symptom says weighs more than what a cause is called. The index is plain data,
built in each server process once per content version; scoring is a weighted
word overlap with inverse document frequency, plus a bonus for word pairs that
appear together, which is plenty for a few hundred short texts per guide.
"""

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "cant",
        "do",
        "does",
        "doesnt",
        "dont",
        "for",
        "from",
        "has",
        "have",
        "her",
        "his",
        "how",
        "i",
        "im",
        "in",
        "is",
        "isnt",
        "it",
        "its",
        "just",
        "me",
        "my",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "too",
        "up",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "won",
        "wont",
        "you",
        "your",
        "yours",
    ]
)
# Words people use for the same thing, mapped onto one term.
SYNONYMS = {
    "dm": "messag", "dms": "messag", "chat": "messag", "chats": "messag", "inbox": "messag", "text": "messag",
    "texts": "messag", "sent": "send", "deliver": "send", "delivered": "send", "go": "send", "goes": "send",
    "banned": "ban", "suspended": "ban", "suspension": "ban", "wifi": "wi", "fi": "wi", "cellular": "mobil",
    "4g": "mobil", "5g": "mobil", "crashes": "crash", "crashing": "crash", "frozen": "freez", "freezes": "freez",
    "quickly": "fast", "quick": "fast", "red": "exclam", "exclamation": "exclam", "warning": "notic", "error": "notic",
    "old": "outdat", "outdated": "outdat", "kid": "teen", "child": "teen", "son": "teen", "daughter": "teen",
    "parent": "famili", "parental": "famili", "strike": "strik", "strikes": "strik", "vpn": "proxi",
}  # fmt: skip
SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s", "e", "y")


def stem(word: str) -> str:
    if word in SYNONYMS:
        return SYNONYMS[word]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return SYNONYMS.get(word, word)


def terms(text: str) -> list[str]:
    words = WORD.findall(text.lower().replace("'", "").replace("\u2019", ""))
    return [stem(w) for w in words if w not in STOPWORDS]


@dataclass
class Document:
    """One searchable text: a cause, symptom, fix step, FAQ entry or guide."""

    kind: str
    title: str
    url: str
    fields: list[tuple[str, float]]
    causes: tuple[str, ...] = ()  # cause keys ("guide/cause") this document points to
    snippet: str = ""
    terms: dict[str, float] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)

    def prepare(self) -> None:
        for text, weight in self.fields:
            words = terms(text)
            for word in words:
                self.terms[word] = max(self.terms.get(word, 0.0), weight)
            self.pairs.update(pairwise(words))


@dataclass
class Hit:
    document: Document
    score: float
    because: str = ""


@dataclass
class Results:
    causes: list[Hit]
    fix_steps: list[Hit]
    faq: list[Hit]
    guides: list[Hit]

    def __bool__(self):
        return bool(self.causes or self.fix_steps or self.faq or self.guides)


class Index:
    def __init__(self, documents: list[Document]):
        self.documents = documents
        frequency = defaultdict(int)
        for document in documents:
            document.prepare()
            for word in document.terms:
                frequency[word] += 1
        total = len(documents) or 1
        self.idf = {word: math.log(1 + total / count) for word, count in frequency.items()}

    def score(self, document: Document, words: list[str], pairs: set[tuple[str, str]]) -> float:
        score = sum(self.idf.get(w, 0.0) * document.terms.get(w, 0.0) for w in set(words))
        score += sum(self.idf.get(a, 0.0) + self.idf.get(b, 0.0) for a, b in pairs & document.pairs) * 0.5
        return score

    def search(self, query: str, limit: int = 5) -> Results:
        words = terms(query)
        if not words:
            return Results([], [], [], [])
        pairs = set(pairwise(words))
        scored = [(d, self.score(d, words, pairs)) for d in self.documents]
        scored = [(d, s) for d, s in scored if s > 0]

        cause_docs = {d.causes[0]: d for d in self.documents if d.kind == "cause"}
        cause_scores = defaultdict(float)
        best_symptom: dict[str, tuple[float, Document]] = {}
        for document, score in scored:
            if document.kind == "cause":
                cause_scores[document.causes[0]] += score
            elif document.kind == "symptom":
                # What people see is the strongest evidence: each cause gets its best-matching symptom.
                for key in document.causes:
                    if key not in best_symptom or score > best_symptom[key][0]:
                        best_symptom[key] = (score, document)
        for key, (score, _) in best_symptom.items():
            cause_scores[key] += score
        causes = [
            Hit(cause_docs[key], score, best_symptom[key][1].title if key in best_symptom else "")
            for key, score in cause_scores.items()
            if key in cause_docs
        ]
        causes.sort(key=lambda hit: -hit.score)

        def top(kind):
            hits = [Hit(d, s) for d, s in scored if d.kind == kind]
            return sorted(hits, key=lambda h: -h.score)[:limit]

        return Results(causes[:limit], top("fix_step"), top("faq"), top("guide"))
