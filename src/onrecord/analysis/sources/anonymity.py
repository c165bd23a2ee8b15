"""Why a source was granted anonymity, as the article states it: "on condition of anonymity because ..."."""

from __future__ import annotations

import re

ANONYMITY_PATTERN = re.compile(
    r"(?:(?:on|under)\s+(?:the\s+)?condition\s+(?:of|that\s+(?:they|he|she)\s+not\s+be\s+named)\s*(?:anonymity)?"
    r"|(?:requested|requesting|asked\s+for|granted|demanded)\s+anonymity"
    r"|declined\s+to\s+be\s+(?:named|identified)|(?:was|were|is|are)\s+not\s+authori[sz]ed\s+to)"
    r"(?P<rest>[^.;]*)",
    re.IGNORECASE,
)


def anonymity_reason(sentence_text: str) -> str | None:
    """Why a source was granted anonymity, as the article states it, from one sentence."""
    match = ANONYMITY_PATTERN.search(sentence_text)
    if not match:
        return None
    rest = match.group("rest").split(",")[0].strip()  # the reason ends where the sentence goes on
    because = re.search(r"\b(?:because|as|since|so as|in order)\b.*", rest)
    if because:
        return because.group(0).strip()
    if re.match(r"(?:speak|discuss|comment|talk|be\s+named|disclose)", rest):
        return "not authorized to " + rest
    return (match.group(0)[: match.start("rest") - match.start()] + rest).strip()
