"""The story layer: copies, stories, statement groups, relays and corpus sources across articles.

Needs the ``linking`` extra (datasketch). See docs/linking.md.
"""

from onrecord.linking.linker import Linker, LinkResult, link_all
from onrecord.linking.statements import StatementGroup

__all__ = ["LinkResult", "Linker", "StatementGroup", "link_all"]
