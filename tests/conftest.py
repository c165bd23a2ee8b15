"""Fixtures shared by the test modules."""

from __future__ import annotations

import signal

import pytest
import spacy
from spacy.language import Language

from onrecord.analysis.extensions import register_extensions
from onrecord.analysis.pipeline import DEFAULT_MODEL


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the commands the tests start, as in a terminal.

    A test run started in the background of a non-interactive shell (``bash .ci/run &``, ``nohup``) inherits
    SIGINT ignored. An ignored signal stays ignored across ``exec``, so every command a test starts would
    ignore Ctrl-C, and the tests that press it would fail for a reason that is not onrecord's.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The bare spaCy pipeline with onrecord's Doc extensions registered; modules needing more override it."""
    register_extensions()
    return spacy.load(DEFAULT_MODEL)
