"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from onrecord.analysis.extensions import register_extensions
from onrecord.analysis.pipeline import DEFAULT_MODEL


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The bare spaCy pipeline with onrecord's Doc extensions registered; modules needing more override it."""
    register_extensions()
    return spacy.load(DEFAULT_MODEL)
