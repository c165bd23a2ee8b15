"""The per-document context of source profiling: the Doc, the tables, and article-wide facts computed once.

Several mentions of one article consult the same facts (which words are personal names, who holds which title,
which noun phrases a pronoun may refer to, who is a man or a woman, which tokens lie inside quotations). A
:class:`DocContext` computes each on first use and keeps it for as long as the context lives: the sources
component makes one per call, so nothing is left behind on the Doc (``doc.user_data`` stays clean and the Doc
serialisable).
"""

from __future__ import annotations

from functools import cached_property

from spacy.tokens import Doc, Token

from onrecord.analysis.quotes import inside_quotes
from onrecord.analysis.sources import gender, names, references
from onrecord.analysis.sources.tables import Tables, load_tables


class DocContext:
    """One parsed article and the lookup tables, with its article-wide facts (see the module docstring)."""

    def __init__(self, doc: Doc, tables: Tables | None = None):
        self.doc = doc
        self.tables = tables or load_tables()

    @cached_property
    def person_words(self) -> frozenset[str]:
        return names.person_words(self.doc)

    @cached_property
    def name_forms(self) -> list[names.NameForm]:
        return names.name_forms(self.doc)

    @cached_property
    def titled_people(self) -> list[names.TitledPerson]:
        return names.titled_people(self.doc)

    @cached_property
    def genders(self) -> gender.Genders:
        return gender.article_genders(self)

    @cached_property
    def candidate_heads(self) -> list[Token]:
        return references.candidate_heads(self)

    @cached_property
    def _inside_quotes(self) -> list[bool]:
        return inside_quotes(self.doc)

    def inside_quote(self, token: Token) -> bool:
        """Whether ``token`` lies inside a quotation (:mod:`onrecord.analysis.quotes`)."""
        return self._inside_quotes[token.i]
