"""A cheap, dependency-free check that a text is English.

News articles in English are roughly 35-50% stopwords; text in another language
has almost none of the English ones. We count the share of English stopwords among
word tokens and, when it is low, guess the language from the script or from small
stopword lists of other common languages, so the error message can name it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# Below this many word tokens the share is too noisy to judge; short texts pass.
MIN_TOKENS_TO_JUDGE = 20
# English news sits far above this; other Latin-script languages far below.
MIN_ENGLISH_STOPWORD_SHARE = 0.12
# Only the first part of a long text is needed to decide.
SAMPLE_CHARS = 20_000

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


ENGLISH_STOPWORDS = _words(
    """a about after all also an and any are as at be been but by can could did do does for from had has
    have he her his i if in into is it its may more most my no not of on one or our out said she so some
    than that the their them there these they this those to up was we were what when which who will with
    would you"""
)

# A handful of frequent function words per language, chosen to overlap little with English.
OTHER_STOPWORDS: dict[str, frozenset[str]] = {
    "French": _words("le la les des du une est et dans pour que qui sur pas avec il elle nous vous sont au aux"),
    "German": _words("der die das und ist nicht ein eine den dem des mit sich auf für von zu auch wird sind"),
    "Spanish": _words("el la los las del una es y en que por con para se lo como más pero sus al"),
    "Italian": _words("il lo la gli le dei una è e che per con non di da si del della sono anche"),
    "Portuguese": _words("o os as da do das dos uma é e que em para com não se por mais ao foi"),
    "Dutch": _words("de het een en van is dat op te zijn niet met voor die er ook aan wordt"),
}

# Unicode script (from character names) -> language or script name for the message.
_SCRIPTS = {
    "CYRILLIC": "Russian, Ukrainian or another Cyrillic-script language",
    "ARABIC": "an Arabic-script language",
    "HEBREW": "Hebrew",
    "GREEK": "Greek",
    "CJK": "Chinese or Japanese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "DEVANAGARI": "Hindi or another Devanagari-script language",
    "THAI": "Thai",
}


@dataclass(frozen=True, slots=True)
class LanguageVerdict:
    is_english: bool
    english_stopword_share: float | None  # None when the text was too short to judge
    guess: str | None  # a language or script name when not English


def _script_of(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for script in _SCRIPTS:
        if name.startswith(script):
            return script
    return None


def _dominant_non_latin_script(sample: str) -> str | None:
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    scripts = Counter(s for s in map(_script_of, letters) if s)
    if not scripts:
        return None
    script, count = scripts.most_common(1)[0]
    return script if count > len(letters) / 2 else None


def _guess_latin_language(tokens: list[str]) -> str | None:
    scores = {lang: sum(t in words for t in tokens) / len(tokens) for lang, words in OTHER_STOPWORDS.items()}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= 0.08 else None


def detect_language(text: str) -> LanguageVerdict:
    """Judge whether ``text`` is English; short or letterless texts are given the benefit of the doubt."""
    sample = text[:SAMPLE_CHARS]
    script = _dominant_non_latin_script(sample)
    if script is not None:
        return LanguageVerdict(False, 0.0, _SCRIPTS[script])
    tokens = [t.lower() for t in _WORD.findall(sample)]
    if len(tokens) < MIN_TOKENS_TO_JUDGE:
        return LanguageVerdict(True, None, None)
    share = sum(t in ENGLISH_STOPWORDS for t in tokens) / len(tokens)
    if share >= MIN_ENGLISH_STOPWORD_SHARE:
        return LanguageVerdict(True, share, None)
    return LanguageVerdict(False, share, _guess_latin_language(tokens))
