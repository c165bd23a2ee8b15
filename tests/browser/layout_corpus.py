"""An article for the layout tests: unbroken 200-character words in its title, outlet, URL and quotes."""

from __future__ import annotations

# Unbroken 200-character words, as scraped pages deliver them: a URL and a run-together token.
LONG_URL = "https://example.org/reports/" + "budget-and-spending-review-" * 7 + "final.pdf"
LONG_WORD = "Unbroken" + "x" * 192
LONG_WORDS_ARTICLE = {
    "title": f"Ministry publishes {LONG_URL} and {LONG_WORD}",
    "outlet": "Wire" + "y" * 196,
    "url": LONG_URL,
    "published": "2023-11-20",
    "text": (
        f'"The full figures are at {LONG_URL} for anyone to read," said Anna Kowalczyk, a spokeswoman '
        f"for the {LONG_WORD} ministry. The ministry said the review cost $2 million. "
        f'"We checked {LONG_WORD} twice," Kowalczyk told reporters on Monday.'
    ),
}
