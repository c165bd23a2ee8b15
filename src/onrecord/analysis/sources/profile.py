"""Profile one source mention in its article: kind, name, role, affiliation, country, seniority, status, count.

:func:`profile_mention` works on a parsed spaCy ``Doc`` and a ``Span`` of it, so it serves both the pipeline
component (mentions from ``doc._.attributions``) and the evaluation (gold PolNeAR source spans). Pronouns
("he", "they", "who") are resolved to an antecedent in the preceding text and take its kind; their own
status and count stay empty because the mention itself states neither (docs/labelling-sources.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from onrecord.analysis.sources.names import name_forms
from onrecord.analysis.sources.tables import Tables, load_tables, table_key
from onrecord.model import SourceKind


def _words(text: str) -> frozenset[str]:
    """A word list written as comma-separated text (compact to read and to extend)."""
    return frozenset(word.strip() for word in text.split(",") if word.strip())


PERSONAL_SINGULAR = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
FIRST_SINGULAR = frozenset({"i", "me", "my", "mine", "myself"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves"})
FIRST_PLURAL = frozenset({"we", "us", "our", "ours", "ourselves"})
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves"})
NEUTER = frozenset({"it", "its", "itself"})
RELATIVES = frozenset({"who", "whom", "whose", "which", "that"})
PRONOUNS = PERSONAL_SINGULAR | FIRST_SINGULAR | PLURAL_PRONOUNS | FIRST_PLURAL | SECOND_PERSON | NEUTER | RELATIVES
# Mentions that stand for one or some members of a group named before ("one said", "others argue").
GROUP_QUANTIFIERS = _words(
    """
    some, many, most, others, several, few, all, both, everyone, everybody, nobody, none, either, neither, each,
    any, anyone, those, these, plenty, majority, dozens, hundreds, thousands, millions, half
    """
)
INDIVIDUAL_QUANTIFIERS = frozenset({"one", "another", "this person", "someone", "somebody", "anybody", "the other"})
TITLES = _words(
    """
    mr, mrs, ms, miss, dr, sen, rep, gov, gen, lt, col, sgt, prof, rev, hon, pres, president, senator, governor,
    congressman, congresswoman, secretary, speaker, judge, justice, mayor, minister, chancellor, pope, king, queen,
    prince, general, admiral, ambassador, director, chairman, chairwoman, representative, vice, former, sir, lady,
    lord, dame, councillor, councilor, councilman, councilwoman, alderman, commissioner, sheriff, attorney general
    """
)
DOCUMENT_NOUNS = _words(
    """
    report, poll, survey, study, statement, memo, memorandum, letter, document, filing, analysis, data, release,
    lawsuit, complaint, indictment, email, e-mail, tweet, post, ad, advertisement, video, book, article, story,
    editorial, website, page, record, transcript, figure, number, estimate, projection, forecast, model, order,
    ruling, bill, plan, proposal, platform, budget, audit, review, assessment, paper, research, footage, message,
    note, brief, motion, opinion, decision, law, constitution, cable, dossier, clip, commercial, spot, op-ed, piece,
    column, blog, headline, chart, graphic, index, tally, count, census, exit, results, result, finding, findings,
    guidance, policy, agreement, treaty, resolution, manifesto, speech, remarks, testimony, interview,
    questionnaire, petition, pamphlet, flyer, mailer, notice, announcement, press release, readout, summary,
    textbook, journal, average, quiz, convention, act, amendment, accord, pact, charter, declaration, test, poll
    numbers, polling, tweets, posts, reports, polls, surveys, studies, documents, emails, records, statistics,
    stats, numbers, figures, projections, estimates, leaks, files, evidence, fact, facts, text, script, draft
    """
)
OUTLET_NOUNS = _words(
    """
    newspaper, paper, network, magazine, outlet, station, broadcaster, tabloid, daily, publication, news, channel,
    wire, agency
    """
)
ORGANIZATION_NOUNS = _words(
    """
    campaign, company, administration, government, committee, department, agency, party, group, organization,
    organisation, office, team, firm, council, court, ministry, army, military, police, board, union, coalition,
    commission, bureau, institute, foundation, center, centre, university, association, corporation, bank, fund,
    embassy, congress, senate, house, parliament, legislature, cabinet, regime, pac, caucus, movement, network,
    alliance, federation, league, club, society, school, college, hospital, church, service, force, forces, navy,
    authority, state, city, country, nation, county, district, white, kremlin, pentagon, chamber, lobby, think,
    tank, charity, nonprofit, corp, inc, llc, co, brand, industry, clinic, lab, laboratory, directorate, tribunal,
    jury, panel, headquarters, establishment, side, camp, operation, outfit
    """
)
# Plural nouns naming people without naming any of them: "officials", "voters", "Democrats" (see NORP).
PEOPLE_NOUNS = _words(
    """
    people, person, voter, supporter, critic, opponent, official, source, aide, adviser, advisor, expert, analyst,
    observer, member, leader, lawmaker, resident, citizen, american, democrat, republican, conservative, liberal,
    progressive, activist, protester, protestor, delegate, donor, staffer, insider, operative, strategist,
    economist, scientist, researcher, worker, employee, parent, student, teacher, doctor, nurse, victim, witness,
    friend, colleague, ally, rival, candidate, legislator, politician, pollster, pundit, commentator, reporter,
    journalist, fan, follower, believer, evangelical, immigrant, woman, man, men, women, child, children, kid,
    youth, veteran, soldier, officer, agent, investigator, prosecutor, lawyer, attorney, judge, justice, diplomat,
    negotiator, participant, respondent, independent, millennial, family, folk, folks, crowd, audience, public,
    electorate, base, establishment, elite, skeptic, defender, backer, proponent, advocate, insurgent, attendee,
    guest, viewer, reader, user, customer, consumer, owner, executive, leadership, spokesman, spokeswoman,
    spokesperson, representative, senator, congressman, governor, mayor, president, minister, secretary, director,
    chairman, chair, manager, organizer, volunteer, surrogate, endorser, nominee, contender, challenger, incumbent,
    holder, someone, somebody, anyone, everyone, everybody, nobody, individual, gentleman, lady, guy, mother,
    father, wife, husband, son, daughter, brother, sister, neighbor, neighbour, historian, professor, scholar,
    academic, consultant, author, writer, editor, columnist, host, anchor, correspondent, commander, general,
    troops, troop, cop, pastor, priest, bishop, rabbi, imam, chief, head, boss, ceo, founder, partner, insurer,
    investor, trader, banker, farmer, businessman, businesswoman, entrepreneur, majority, minority, bloc, electors,
    elector, caucusgoer, caucus-goer, primary, constituent, patriot, hawk, dove, moderate, libertarian, socialist,
    nationalist, populist, loyalist, hardliner
    """
)
# Roles many people hold at once: "the spokeswoman" or "Grayson's aide" does not identify anyone by itself.
NON_UNIQUE_ROLES = _words(
    """
    spokesman, spokeswoman, spokesperson, official, aide, adviser, advisor, staffer, source, member, officer,
    insider, operative, supporter, critic, voter, resident, person, analyst, expert, lawyer, attorney, strategist,
    consultant, employee, worker, agent, investigator, diplomat, lawmaker, legislator, delegate, donor, volunteer,
    witness, friend, ally, colleague, representative, reporter, journalist, correspondent, someone, individual
    """
)
# A definite singular description of a unique office names one identifiable person ("the president").
UNIQUE_OFFICES = _words(
    """
    president, governor, mayor, nominee, candidate, speaker, chairman, chairwoman, chancellor, pope, king, queen,
    director, secretary, minister, premier, ceo, founder, senator, congressman, congresswoman, frontrunner,
    front-runner, incumbent, challenger, host, author, commissioner, attorney, prosecutor, judge, sheriff, chief,
    leader, businessman, billionaire, chair, tycoon, mogul, governor-elect, president-elect, magnate, star, emperor,
    prime, vice, first, contender, democrat, republican, man, woman
    """
)
# Organisations whose statements are publications: "the ISW reported" means its report (see ``as_report``).
PUBLISHING_ACTOR_TYPES = frozenset({"think_tank", "pollster", "research"})
PUBLISHING_NAME = re.compile(r"\b(?:Institute|Institution|Center|Centre|Foundation|Research|Studies|Study|Poll)\b")
SENIORITY_WORDS: dict[str, str] = {
    "senior": "senior",
    "high-ranking": "high-ranking",
    "high-level": "high-level",
    "top": "top",
    "junior": "junior",
    "mid-level": "mid-level",
    "low-level": "low-level",
    "ranking": "ranking",
    "high": "high-ranking",
    "chief": "chief",
    "veteran": "veteran",
    "longtime": "longtime",
    "top-level": "top",
    "lead": "lead",
    "principal": "principal",
    "deputy": "deputy",
    "assistant": "assistant",
}
FORMER_WORDS = frozenset({"former", "ex", "ex-", "onetime", "one-time", "erstwhile", "retired", "past", "then"})
CURRENT_WORDS = frozenset({"current", "sitting", "serving", "incumbent", "active", "present"})
ANONYMITY_WORDS = frozenset({"unnamed", "anonymous", "unidentified"})
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "a dozen": 12,
    "both": 2,
    "pair": 2,
    "a pair": 2,
    "twenty": 20,
    "a couple": 2,
    "couple": 2,
    "fifteen": 15,
    "thirteen": 13,
    "fourteen": 14,
    "fifty": 50,
    "hundred": 100,
}
# Words in a descriptor that say how many, or whether named, rather than who: dropped from the name.
_DESCRIPTOR_DROP = _words(
    """
    a, an, the, one, two, three, four, five, six, some, several, many, another, other, unnamed, anonymous,
    unidentified, both, this, that, these, those, who, which, said, says
    """
)


@dataclass(slots=True)
class MentionProfile:
    """What one mention says (or, for a pronoun, what its antecedent says) about its source."""

    kind: SourceKind
    name: str
    head: str  # lemma of the descriptor's head noun (or surname), for joining mentions
    role: str | None = None
    affiliation: str | None = None
    country: str | None = None
    seniority: str | None = None
    status: str | None = None
    count: int | None = None
    canonical_actor: str | None = None
    plural: bool = False
    definite: bool = False  # "the official" may repeat an earlier source; "an official" introduces one
    bare: bool = False  # a bare plural ("officials", "sources") refers back like a definite
    described: bool = False  # a named person referred to by a description only ("the mayor")
    pronoun: str | None = None  # the pronoun or quantifier, lower case, when the mention is one
    antecedent: Span | None = None


def mention_span(doc: Doc, start: int, end: int) -> Span | None:
    """The token span covering character offsets [start, end), widened to whole tokens."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span


def _strip(span: Span) -> Span:
    """The span without leading/trailing punctuation, quotes and spaces."""
    start, end = span.start, span.end
    while start < end and (span.doc[start].is_punct or span.doc[start].is_space):
        start += 1
    while end > start and (span.doc[end - 1].is_punct or span.doc[end - 1].is_space):
        end -= 1
    return span.doc[start:end] if end > start else span


_PHRASE_BREAKS = frozenset(
    {
        ",",
        "(",
        "who",
        "whom",
        "whose",
        "which",
        "that",
        "for",
        "of",
        "at",
        "with",
        "from",
        "in",
        "on",
        "to",
        "by",
        "about",
        "–",
        "—",
        ":",
        "said",
        "says",
    }
)


def _head(span: Span) -> Token:
    """The head noun of the mention's first noun phrase: the rightmost noun before a preposition, comma or clause.

    Reading it off the words rather than the parse survives misparses such as "one unnamed current and one
    former US official" (where the parser makes "current" the root).
    """
    nouns: list[Token] = []
    for token in span:
        verb = token.pos_ in {"VERB", "AUX"} and token.dep_ not in {"amod", "compound", "npadvmod"}
        if nouns and (token.lower_ in _PHRASE_BREAKS or verb or token.ent_type_ in {"DATE", "TIME"}):
            break  # "a Quinnipiac poll this month": the date is no part of the name
        if nouns and token.dep_ == "cc" and nouns[-1].i == token.i - 1 and nouns[-1].ent_type_ == "PERSON":
            break  # "Sanders and his supporters": a mixed coordination takes its first conjunct
        if not nouns and token.ent_type_ in {"DATE", "TIME"} and _is_age(token):
            continue  # "81-year-old Parker Eaton": the age is no head
        if token.pos_ in {"NOUN", "PROPN", "PRON"} or token.tag_ in {"NN", "NNS", "NNP", "NNPS"}:
            nouns.append(token)
    if nouns:
        return nouns[-1]
    return span.root


def _is_age(token: Token) -> bool:
    """Part of an age written as a compound adjective: "81-year-old", "six-month-old"."""
    doc = token.doc
    window = doc[max(0, token.i - 3) : token.i + 4].text.lower()
    return re.search(r"\w+\s*-\s*(?:year|month|week|day)s?\s*-\s*old", window) is not None


def _np_tokens(span: Span, head: Token) -> list[Token]:
    """The tokens of the mention up to (and including) its head: the descriptor without trailing clauses."""
    return [t for t in span if t.i <= head.i and not t.is_space]


def _join(tokens: Iterable[Token]) -> str:
    """Tokens as the article spells them ("Fishermen's", not "Fishermen 's")."""
    return "".join(t.text_with_ws for t in tokens).strip()


def _lower_words(tokens: list[Token]) -> list[str]:
    return [t.lower_.strip(".") if t.lower_ not in {"u.s.", "u.k."} else t.lower_ for t in tokens]


def _status(words: list[str]) -> str | None:
    former = any(w in FORMER_WORDS or w.startswith("ex-") for w in words)
    current = any(w in CURRENT_WORDS for w in words)
    if former and current:
        return "current_and_former"
    if former:
        return "former"
    if current:
        return "current"
    return None


def _count(tokens: list[Token]) -> int | None:
    """How many people the mention says there are: the sum of its cardinals ("one current and one former")."""
    total = 0
    found = False
    text = " ".join(t.lower_ for t in tokens)
    for phrase in ("a dozen", "a couple", "a pair"):
        if phrase in text:
            return NUMBER_WORDS[phrase]
    for token in tokens:
        word = token.lower_
        doc = token.doc
        following = doc[token.i + 1] if token.i + 1 < len(doc) else token
        preceding = doc[token.i - 1] if token.i > 0 else token
        if token.like_num and (
            (token.dep_ not in {"nummod", "quantmod"} and word != tokens[0].lower_)
            or following.text in {"-", "–", "%"}
            or following.lower_ in {"in", "out", "percent"}  # "4 in 10", "3 out of 5": a share
            or preceding.lower_ == "in"
            or token.ent_type_ in {"DATE", "PERCENT", "MONEY", "TIME"}
            or token.head.lemma_.lower() in {"year", "month", "week", "day", "percent"}
        ):
            continue  # an age, a year, a share or a "29-year-old" is not a head count
        if word in NUMBER_WORDS and (token.like_num or word in {"both", "dozen", "pair", "couple"}):
            total += NUMBER_WORDS[word]
            found = True
        elif token.like_num and re.fullmatch(r"\d{1,6}", word.replace(",", "")):
            total += int(word.replace(",", ""))
            found = True
    return total if found else None


def _country(tokens: list[Token], tables: Tables) -> str | None:
    words = _lower_words(tokens)
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            phrase = " ".join(words[i : i + size])
            if phrase in tables.countries:
                return tables.countries[phrase]
    for token in tokens:
        actor = tables.actor(token.text)
        if actor and actor.country:
            return actor.country
    return None


def _seniority(words: list[str]) -> str | None:
    for word in words:
        if word in SENIORITY_WORDS:
            return SENIORITY_WORDS[word]
    return None


def _actor_in(tokens: list[Token], tables: Tables) -> tuple[str, str | None] | None:
    """The longest run of tokens naming a curated actor: (canonical, country)."""
    for size in range(min(len(tokens), 6), 0, -1):
        for i in range(len(tokens) - size + 1):
            text = " ".join(t.text for t in tokens[i : i + size])
            actor = tables.actor(text)
            if actor:
                return actor.canonical, actor.country
    return None


def _role(head: Token, tokens: list[Token], tables: Tables) -> str | None:
    words = _lower_words(tokens)
    role = None
    lemma = head.lemma_.lower()
    if lemma in tables.roles:
        role = tables.roles[lemma][0]
    for size in (2, 1):
        for i in range(len(words) - size, -1, -1):
            phrase = " ".join(words[i : i + size])
            if role is None and phrase in tables.roles:
                role = tables.roles[phrase][0]
    if role == "official" and "military" in words:
        return "military official"
    return role


def _descriptor(tokens: list[Token], status: str | None) -> str:
    """The anonymous source's descriptor: "former senior administration official"."""
    kept = [
        t
        for t in tokens
        if t.lower_ not in _DESCRIPTOR_DROP and not t.like_num and (not t.is_punct or t.text in {"/", "&", "-"})
    ]
    words = [w.strip("-/&") for w in _join(kept).split() if w.strip("-/&")]  # "29-year-old" minus its number
    if status == "current_and_former":
        words = [w for w in words if w.lower() not in CURRENT_WORDS | FORMER_WORDS | {"and", "or"}]
        words = ["current", "and", "former", *words]
    return " ".join(words) or " ".join(t.text for t in tokens)


def _proper_modifiers(noun: Token) -> list[Token]:
    """The name words before an organisation noun: "the Clinton campaign", "Trump's campaign" -> Clinton, Trump."""
    return [
        t
        for t in noun.lefts
        if t.dep_ in {"compound", "poss", "nmod"} and (t.pos_ == "PROPN" or t.ent_type_ in {"ORG", "PERSON", "GPE"})
    ]


def _named_organization_before(doc: Doc, head: Token, tokens: list[Token]) -> str | None:
    """The name behind "the campaign" / "his campaign": the owner of a possessive pronoun ("his" = Trump), else
    the last organisation of that noun named before ("the Clinton campaign", "the Federal Emergency Management
    Agency"). None when the article names none: the descriptor stays."""
    lemma = head.lemma_.lower()
    owner = next((t for t in tokens if t.dep_ == "poss" and t.lower_ in PERSONAL_SINGULAR | PLURAL_PRONOUNS), None)
    if owner is not None:
        antecedent = _antecedent_head(doc, owner, owner.lower_)
        if antecedent is not None and _is_named_person(doc, antecedent):
            return f"{antecedent.text} {head.text}"
        return None
    for token in reversed(doc[max(0, head.i - 400) : max(0, tokens[0].i)]):
        if token.lemma_.lower() != lemma:
            continue
        if token.pos_ == "PROPN":
            ent = next((e for e in doc.ents if e.start <= token.i < e.end and e.label_ == "ORG"), None)
            return re.sub(r"^(?:the|The)\s+", "", ent.text) if ent is not None and ent.end == token.i + 1 else None
        names = _proper_modifiers(token)
        if names:
            return " ".join(re.sub(r"['’]s$", "", t.text) for t in names) + f" {token.lower_}"
    return None


def _pair_named_before(doc: Doc, head: Token) -> tuple[Span, Span] | None:
    """The last two different people named earlier in the sentence of ``head`` ("both men"), if there are two."""
    people: list[Span] = []
    for ent in head.sent.ents:
        if ent.label_ == "PERSON" and ent.end <= head.i and all(_name_key(ent[-1]) != _name_key(p[-1]) for p in people):
            people.append(ent)
    return (people[-2], people[-1]) if len(people) >= 2 else None


def _share_name(span: Span, head: Token) -> str:
    """A share of a group keeps its number and its group: "Some 46 percent of voters polled" -> "46 percent of
    voters" (a bare "percent" would name every poll finding alike)."""
    numbers = [t for t in span if t.like_num and t.i <= head.i]
    start = numbers[0].i if numbers else head.i
    end = head.i + 1
    following = span.doc[end] if end < span.end else None
    if following is not None and following.lower_ == "of":
        objects = [c for c in following.children if c.dep_ == "pobj"]
        if objects:
            end = max(end, objects[0].i + 1)
    return _join(t for t in span.doc[start:end] if not t.is_space)


def _document_author(head: Token, tables: Tables) -> str | None:
    """Who issued a document: "a statement by/from the Clinton campaign" (not "a poll of Indiana voters")."""
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ in {"by", "from"}:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    found = _actor_in(list(obj.subtree), tables)
                    if found:
                        return found[0]
                    phrase = [t for t in obj.subtree if t.i <= obj.i and t.dep_ != "det"]
                    if any(t.pos_ == "PROPN" or t.ent_type_ for t in phrase):  # a name, not "the auditors"
                        return re.sub(r"['’]s$", "", _join(phrase))
    return None


def _document_name(descriptor: str, author: str | None) -> str:
    """ "statement" by the Clinton campaign -> "Clinton campaign statement"; "Quinnipiac poll" names its author."""
    if author is None or any(word[:1].isupper() for word in descriptor.split()):
        return descriptor
    return f"{author} {descriptor}"


def publishing_body(profile: MentionProfile, tables: Tables) -> bool:
    """Whether an organisation publishes reports: a think tank or pollster (actors table) or a research body."""
    actor = tables.actor(profile.canonical_actor or profile.name)
    if actor is not None:
        return actor.type in PUBLISHING_ACTOR_TYPES
    return re.search(PUBLISHING_NAME, profile.name) is not None


def as_report(profile: MentionProfile, tables: Tables) -> MentionProfile:
    """A publishing body's mention whose cue says it reported ("the ISW reported") stands for its report: a
    document by that body (issue: outlets and publications that report are sources of kind outlet or document)."""
    if profile.kind is not SourceKind.NAMED_ORGANIZATION or not publishing_body(profile, tables):
        return profile
    body = profile.canonical_actor or profile.name
    return replace(
        profile,
        kind=SourceKind.DOCUMENT,
        name=f"{body} report",
        head=f"report:{table_key(body)}",
        affiliation=body,
        definite=True,
        plural=False,
    )


def _person_name(span: Span, head: Token) -> str:
    """A person's name from the mention: the PERSON entity around the head, else the proper nouns, no titles."""
    for ent in span.doc.ents:
        if ent.label_ == "PERSON" and ent.start <= head.i < ent.end:
            tokens = [t for t in ent if (t.lower_.strip(".") not in TITLES and not t.is_punct) or t.text == "-"]
            name = " ".join(t.text for t in tokens) or ent.text
            return re.sub(r"\s*['’]s$", "", name)
    proper = [t.text for t in span if t.pos_ == "PROPN" and t.lower_.strip(".") not in TITLES]
    name = " ".join(proper) or head.text
    return re.sub(r"\s*['’]s$", "", name)


def _entity_label(token: Token) -> str:
    return token.ent_type_


def _appositive_details(head: Token, tables: Tables) -> tuple[str | None, str | None, str | None, list[Token]]:
    """Role, affiliation and country from an apposition or prepositional phrase attached to a name.

    "Adrienne Watson, spokesperson for the US National Security Council" -> spokesperson, US National Security
    Council, US. Returns the tokens consulted too, so that status ("former") can be read from them.
    """
    role = affiliation = country = None
    consulted: list[Token] = []
    candidates = [c for c in head.children if c.dep_ in {"appos"}]
    if head.dep_ == "appos" and head.head.pos_ == "NOUN":  # "the spokesperson, Adrienne Watson"
        candidates.append(head.head)
    for role_noun in candidates:
        if role_noun.lemma_.lower() not in tables.roles and role_noun.pos_ != "NOUN":
            continue
        role_tokens = [t for t in role_noun.subtree if t.i <= role_noun.i]
        consulted.extend(role_tokens)
        role = _role(role_noun, role_tokens, tables) or role_noun.lemma_.lower()
        affiliation, country = _affiliation(role_noun, role_tokens, tables)
        break
    # Titles before the name: "President Biden", "Sen. Ted Cruz", "former Secretary of State Hillary Clinton".
    if role is None:
        titles = [t for t in head.lefts if t.dep_ in {"compound", "amod", "nmod"}]
        if titles:
            consulted.extend(titles)
            role = _role(head, titles, tables)
    return role, affiliation, country, consulted


def _affiliation(noun: Token, tokens: list[Token], tables: Tables) -> tuple[str | None, str | None]:
    """The organisation a role noun belongs to: "for/of/at the X", a compound ("administration official")."""
    objects: list[list[Token]] = []
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in {"for", "of", "at", "with", "from", "in", "by"}:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    objects.append(list(obj.subtree))
    for poss in noun.children:
        if poss.dep_ == "poss":
            objects.append(list(poss.subtree))
    for obj_tokens in objects:
        found = _actor_in(obj_tokens, tables)
        if found:
            return found
        org = [t for t in obj_tokens if t.ent_type_ in {"ORG", "GPE", "NORP"}]
        if org:
            text = _join(t for t in obj_tokens if t.ent_type_ or t.pos_ == "PROPN" or t.tag_ == "POS")
            text = re.sub(r"['’]s$", "", text).strip()
            country = _country(obj_tokens, tables)
            return re.sub(r"^(?:the|The)\s+", "", text), country
        head = max(obj_tokens, key=lambda t: t.i if t.pos_ in {"NOUN", "PROPN"} and t.head not in obj_tokens else -1)
        if head.lemma_.lower() in ORGANIZATION_NOUNS and head.lemma_.lower() not in PEOPLE_NOUNS:
            # "a spokesperson for the port authority": an organisation the parser does not know by name
            phrase = [t for t in obj_tokens if t.i <= head.i and t.lower_ not in {"the", "a", "an"}]
            return re.sub(r"['’]s$", "", _join(phrase)), _country(obj_tokens, tables)
    found = _actor_in([t for t in tokens if t.i < noun.i], tables)
    if found:
        return found
    return None, _country(tokens, tables)


def _is_plural(token: Token) -> bool:
    return token.tag_ in {"NNS", "NNPS"} or "Number=Plur" in str(token.morph)


def _has_definite(tokens: list[Token]) -> bool:
    return any(t.lower_ in {"the", "this", "that", "these", "those"} or t.dep_ == "poss" for t in tokens[:3])


def _expand_abbreviation(doc: Doc, text: str, tables: Tables) -> str | None:
    """The full name the article spells out ("Institute for the Study of War (ISW)"), else the table's."""
    if not re.fullmatch(r"[A-Z][A-Za-z&.]{1,7}", text):
        return None
    match = re.search(
        r"((?:[A-Z][\w&’'-]*\s+|(?:of|for|the|and|on|in)\s+){1,8}?[A-Z][\w’'-]*)\s*\(\s*" + re.escape(text) + r"\s*\)",
        doc.text,
    )
    if match:
        return re.sub(r"^(?:The|the)\s+", "", match.group(1))
    return tables.expand(text)


def _profile_organization(
    doc: Doc, tokens: list[Token], head: Token, tables: Tables, kind: SourceKind
) -> MentionProfile:
    count = _count(tokens)
    text = _join(t for t in tokens if t.lower_ not in {"the", "a", "an"} and (not t.is_punct or t.text in {"&", "."}))
    text = re.sub(r"\s*['’]s$", "", text)
    outlet = tables.outlet(text)
    if outlet:
        return MentionProfile(
            kind=SourceKind.OUTLET, name=outlet, head=table_key(outlet), canonical_actor=outlet, definite=True
        )
    actor = _actor_in(tokens, tables)
    full = _expand_abbreviation(doc, text, tables)
    name = full or text
    canonical = actor[0] if actor else None
    country = (actor[1] if actor else None) or _country(tokens, tables)
    return MentionProfile(
        kind=kind,
        name=name,
        head=table_key(canonical or name),
        canonical_actor=canonical,
        country=country,
        definite=True,
        plural=False,
        count=count,
    )


def _person_words(doc: Doc) -> frozenset[str]:
    """Words the article uses as personal names: parts of PERSON entities and words after a title ("Mr. Lou").

    A surname the parser tags as an organisation in one sentence ("Stumpf said") is still a person if the
    article names him "John Stumpf" elsewhere: names are consistent within an article.
    """
    cached = doc.user_data.get("onrecord_person_words")
    if cached is not None:
        return cached
    words: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            # Capitalised words, whatever their tag: the tagger makes "Trump" a noun and "Sanders" a plural.
            words.update(_name_key(t) for t in ent if _capitalised(t) and _name_key(t) not in TITLES)
    for token in doc[1:]:
        if token.pos_ == "PROPN" and doc[token.i - 1].lower_.strip(".") in TITLES - {"former", "vice"}:
            # The whole run of proper nouns after a title: "Governor Ana Ruiz".
            for name in doc[token.i : token.i + 4]:
                if name.pos_ != "PROPN":
                    break
                words.add(_name_key(name))
    result = frozenset(words)
    doc.user_data["onrecord_person_words"] = result
    return result


def _name_key(token: Token) -> str:
    return re.sub(r"['’]s$", "", token.lower_).strip(".")


def _capitalised(token: Token) -> bool:
    return token.text[:1].isupper() and any(c.isalpha() for c in token.text)


def _is_person_name(doc: Doc, token: Token) -> bool:
    """A capitalised word the article uses as a personal name, whatever the tagger or NER say in this sentence.

    Names are consistent within an article: "Trump" tagged as a noun in a headline or as an organisation in one
    sentence is the "Donald Trump" of the rest. Common nouns of our word lists ("Campaign" at the start of a
    heading) are not names even if a PERSON entity contains them.
    """
    if token.ent_type_ == "PERSON" and token.pos_ == "PROPN":
        return True
    if not _capitalised(token) or _name_key(token) not in _person_words(doc):
        return False
    word = token.lower_
    return not any(word in nouns for nouns in (ORGANIZATION_NOUNS, PEOPLE_NOUNS, DOCUMENT_NOUNS, OUTLET_NOUNS))


NEWSPAPER_NAME_ENDINGS = frozenset(
    {"News", "Times", "Post", "Journal", "Tribune", "Herald", "Gazette", "Chronicle", "Observer", "Register",
     "Inquirer", "Courier", "Telegraph", "Dispatch", "Sun", "Star", "Globe", "Examiner", "Bulletin", "Enquirer"}
)  # fmt: skip
COLLECTIVE_NOUNS = _words(
    """
    chorus, group, number, handful, slice, array, bunch, crowd, host, majority, minority, plurality, percent, share,
    half, third, quarter, lot, range, variety, wave, family, coalition, panel, team, staff, delegation, contingent,
    camp, army, legion, dozens, hundreds, thousands, millions, score, set, circle, bloc, faction, wing, discussion
    """
)


def _introduced_indefinitely(doc: Doc, head: Token) -> bool:
    """Whether an earlier noun phrase with the same head noun was indefinite ("an official" ... "the official")."""
    lemma = head.lemma_.lower()
    for token in doc[: max(0, head.i - 1)]:
        if token.lemma_.lower() != lemma or token.pos_ != "NOUN":
            continue
        if any(c.lower_ in {"a", "an", "one", "another", "some"} for c in token.children if c.i < token.i):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _TitledPerson:
    """A person the article names with a title or apposition: "Republican nominee Donald Trump"."""

    name: Span  # the PERSON entity
    nouns: frozenset[str]  # lemmas of the title's nouns ("nominee")
    words: frozenset[str]  # every word of the title, lower case ("republican", "presidential", "nominee")


# Words of a description that do not narrow down whom it describes.
_DESCRIPTION_FILLER = frozenset({"the", "this", "that", "his", "her", "its", "their", "our", "then", "now", "new"})


def _title_tokens(ent: Span) -> list[Token]:
    """The title words before a name ("Republican presidential nominee"), or its apposition's, in one sentence."""
    doc = ent.doc
    run: list[Token] = []
    i = ent.start - 1
    while i >= ent.sent.start and len(run) < 8:
        token = doc[i]
        inner = bool(run) and token.lower_ in {"of", "the", "-"}  # "Secretary of State", "Speaker of the House"
        if not ((token.pos_ in {"ADJ", "NOUN", "PROPN"} and token.ent_type_ != "PERSON") or inner):
            break
        run.insert(0, token)
        i -= 1
    while run and run[0].lower_ in {"of", "the", "-"}:
        run.pop(0)
    run.extend(t for t in ent if t.lower_.strip(".") in TITLES)  # "President Barack Obama" as one entity
    if run:
        return run
    root = ent.root
    nouns = [c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]  # "Trump, the nominee,"
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":  # "the nominee, Donald Trump"
        nouns.append(root.head)
    for noun in nouns:
        return [t for t in noun.lefts if t.dep_ in {"amod", "compound", "nmod"}] + [noun]
    return []


def _titled_people(doc: Doc) -> list[_TitledPerson]:
    """Every PERSON entity that comes with a title or apposition, in text order; cached on the Doc."""
    cached = doc.user_data.get("onrecord_titled_people")
    if cached is not None:
        return cached
    people: list[_TitledPerson] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        title = _title_tokens(ent)
        nouns = frozenset(t.lemma_.lower() for t in title if t.pos_ in {"NOUN", "PROPN"})
        if nouns:
            words = frozenset(t.lower_.strip(".") for t in title) | nouns
            people.append(_TitledPerson(ent, nouns, words))
    doc.user_data["onrecord_titled_people"] = people
    return people


def _holder_of_title(doc: Doc, head: Token, tokens: list[Token]) -> Span | None:
    """The named person a definite description stands for, when the article gives that person the title.

    "the Republican nominee" matches "Republican presidential nominee Donald Trump" (the description's words are
    all in the title; "former" must be in both or neither). Several people hold a matching title: the one so named
    last before the description; none before it -> None (unclear).
    """
    lemma = head.lemma_.lower()
    modifiers = {t.lower_ for t in tokens if t.i < head.i and not t.is_punct} - _DESCRIPTION_FILLER
    former = bool(modifiers & FORMER_WORDS)
    matches = [
        person
        for person in _titled_people(doc)
        if lemma in person.nouns and modifiers <= person.words and former == bool(person.words & FORMER_WORDS)
    ]
    people = {_name_key(person.name[-1]) for person in matches}
    if len(people) > 1:
        matches = [person for person in matches if person.name.start < head.i][-1:]
    return matches[-1].name if matches else None


def _appositive_person(span: Span, head: Token) -> Span | None:
    """A PERSON entity set off after the head: "Another RT America host, Abby Martin," -> "Abby Martin"."""
    for ent in span.ents:
        if ent.label_ == "PERSON" and ent.start > head.i and span.doc[ent.start - 1].text in {",", "(", "–", "—"}:
            return ent
    for child in head.children:
        if child.dep_ == "appos" and child.ent_type_ == "PERSON" and child.i < span.end:
            return span.doc[child.left_edge.i : child.i + 1]
    return None


def _person_profile(span: Span, head: Token, tables: Tables, status: str | None) -> MentionProfile:
    role, affiliation, country, consulted = _appositive_details(head, tables)
    status = status or _status(_lower_words(consulted))
    name = _person_name(span, head)
    surname = (name.split()[-1] if name.split() else head.text).lower().replace("’", "'")
    return MentionProfile(
        kind=SourceKind.NAMED_PERSON,
        name=name,
        head=surname,
        role=role,
        affiliation=affiliation,
        country=country or _country(consulted, tables),
        status=status,
        definite=True,
    )


def _profile_noun_phrase(doc: Doc, span: Span, tables: Tables) -> MentionProfile:
    """Profile a mention that is not a pronoun: a name, an organisation, a document or a descriptor."""
    head = _head(span)
    tokens = _np_tokens(span, head)
    words = _lower_words(tokens)
    lemma = head.lemma_.lower()
    status = _status(words)
    count = _count(tokens)
    definite = _has_definite(tokens)
    # "4 in 10", "a 45% plurality", "75 percent of Democrats": a share of a group is a group.
    share = re.search(r"\b(?:\w+\s+(?:in|out of)\s+(?:10|ten|\d+)|\d+\s*(?:%|percent))\b", span.text.lower())
    if share is None and lemma in {"percent", "%"} and any(t.like_num for t in tokens):
        share = re.search(r"percent|%", span.text.lower())  # "Twelve percent": a share in words
    plural = _is_plural(head) or (count or 0) > 1 or share is not None
    label = _entity_label(head)
    joined = " ".join(words)
    proper = head.pos_ == "PROPN" or label in {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}

    # A newspaper's name ("the Dallas Morning News") or an acronym ("the S.E.C.") is not a person.
    if head.pos_ == "PROPN" and head.text in NEWSPAPER_NAME_ENDINGS and len(tokens) > 1:
        name = _join(t for t in tokens if t.lower_ != "the")
        return MentionProfile(kind=SourceKind.OUTLET, name=name, head=table_key(name), definite=True)
    acronym = re.fullmatch(r"(?:[A-Z]\.){2,}|[A-Z]{2,6}", head.text)
    if acronym and not tables.outlet(head.text) and _name_key(head) not in _person_words(doc):
        return _profile_organization(doc, tokens, head, tables, SourceKind.NAMED_ORGANIZATION)

    # A person's name: the head is (part of) a PERSON entity, a title introduces it ("Mr. Trump"), or the word
    # is one the article uses as a personal name.
    titled = any(w in TITLES for w in words[:-1]) and head.pos_ == "PROPN"
    # "executive Frank VanderSloot", "spokesman Brian Fallon": a role noun directly before a name.
    titled = titled or (
        ((head.pos_ == "PROPN" and label != "ORG") or (label == "ORG" and len(tokens) > 2))
        and any(
            t.pos_ == "NOUN"
            and (t.lemma_.lower() in tables.roles or t.lemma_.lower() in PEOPLE_NOUNS)
            and doc[t.i + 1].pos_ == "PROPN"
            and doc[t.i + 1].ent_type_ not in {"ORG", "GPE", "NORP"}
            for t in tokens[:-1]
        )
    )
    # A curated outlet name is the outlet, even where NER calls it a person, unless the article names a person
    # with that word ("Michael Bloomberg" ... "Bloomberg said").
    if len(tokens) == 2 and words[0] in {"team", "camp"} and _is_person_name(doc, head):
        # "Team Trump", "Camp Clinton": the person's campaign, an organisation
        return _profile_organization(doc, tokens, head, tables, SourceKind.NAMED_ORGANIZATION)
    known_outlet = None if titled else (tables.outlet(_join(tokens)) or tables.outlet(head.text))
    if known_outlet and any(form.surname == _name_key(head) for form in name_forms(doc, TITLES)):
        known_outlet = None  # "Atlantic City Mayor Don Guardian" ... "Guardian said"
    if known_outlet:
        return MentionProfile(
            kind=SourceKind.OUTLET,
            name=known_outlet,
            head=table_key(known_outlet),
            canonical_actor=known_outlet,
            definite=True,
        )
    if ((label == "PERSON" or titled) and lemma not in ORGANIZATION_NOUNS) or (
        _is_person_name(doc, head) and lemma not in ORGANIZATION_NOUNS and not known_outlet
    ):
        return _person_profile(span, head, tables, status)

    # Outlets: "NBC", "The New York Times", "the newspaper".
    outlet = tables.outlet(" ".join(t.text for t in tokens)) or tables.outlet(head.text)
    if outlet is None and label == "ORG":
        ent = next((e for e in doc.ents if e.start <= head.i < e.end), None)
        outlet = tables.outlet(ent.text) if ent is not None else None
    if outlet:
        return MentionProfile(
            kind=SourceKind.OUTLET, name=outlet, head=table_key(outlet), canonical_actor=outlet, definite=True
        )
    if lemma in OUTLET_NOUNS and head.pos_ == "NOUN" and lemma not in {"agency", "network"}:
        return MentionProfile(kind=SourceKind.OUTLET, name=_descriptor(tokens, None), head=lemma, definite=definite)

    collective_of = lemma in COLLECTIVE_NOUNS and any(t.lower_ == "of" for t in span[head.i - span.start :])
    if (lemma in DOCUMENT_NOUNS or joined in DOCUMENT_NOUNS or label in {"WORK_OF_ART", "LAW"}) and not collective_of:
        affiliation, country = _affiliation(head, tokens, tables)
        return MentionProfile(
            kind=SourceKind.DOCUMENT,
            name=_document_name(_descriptor(tokens, None), _document_author(head, tables)),
            head=lemma,
            affiliation=affiliation,
            country=country,
            definite=definite,
            plural=plural,
            count=count,
        )

    # A descriptor with the person's name set off after it: "one of the family's attorneys, Justin Bamberg,".
    appositive = _appositive_person(span, head)
    if appositive is not None and lemma not in ORGANIZATION_NOUNS:
        profile = _person_profile(span, appositive.root, tables, status)
        profile.role = profile.role or _role(head, tokens, tables)
        return profile

    if proper:
        if label == "NORP" or (plural and label not in {"ORG", "GPE", "FAC", "LOC"}):
            # "Democrats", "Republicans", "a Democrat": members of a group, none named.
            kind = SourceKind.ANONYMOUS_GROUP if plural else SourceKind.ANONYMOUS_INDIVIDUAL
            return MentionProfile(
                kind=kind,
                name=_descriptor(tokens, status),
                head=lemma.rstrip("s"),
                country=_country(tokens, tables),
                status=status,
                count=count,
                plural=plural,
                definite=definite,
                role=_role(head, tokens, tables),
            )
        if (
            label in {"ORG", "GPE", "FAC", "LOC"}
            or lemma in ORGANIZATION_NOUNS
            or tables.actor(" ".join(t.text for t in tokens))
        ):
            return _profile_organization(doc, tokens, head, tables, SourceKind.NAMED_ORGANIZATION)
        if words[0] == "the" and not _is_person_name(doc, head):
            # "the West", "the Fed": people's names take no article.
            return _profile_organization(doc, tokens, head, tables, SourceKind.NAMED_ORGANIZATION)
        # An unlabelled proper noun: in news reporting most often a person.
        return _person_profile(span, head, tables, status)

    # A common noun: an organisation ("the campaign"), people ("officials"), or a descriptor of one person.
    role = _role(head, tokens, tables)
    affiliation, country = _affiliation(head, tokens, tables)
    seniority = _seniority(words)
    of_people = any(t.lower_ == "of" for t in span[head.i - span.start :])
    if lemma in ORGANIZATION_NOUNS and lemma not in PEOPLE_NOUNS and not (lemma in COLLECTIVE_NOUNS and of_people):
        has_name = any(t.ent_type_ in {"ORG", "GPE", "NORP", "PERSON"} or t.pos_ == "PROPN" for t in tokens)
        kind = SourceKind.NAMED_ORGANIZATION if (definite or has_name) else SourceKind.ANONYMOUS_GROUP
        if lemma == "police" and not any(w in {"a", "an", "some", "two", "several"} for w in words):
            kind = SourceKind.NAMED_ORGANIZATION  # "police said": the police force of the place reported on
        actor = _actor_in(tokens, tables)
        name = actor[0] if actor and kind is SourceKind.NAMED_ORGANIZATION else _descriptor(tokens, None)
        if kind is SourceKind.NAMED_ORGANIZATION and not actor and not has_name:
            name = _named_organization_before(doc, head, tokens) or name
        if any(t.dep_ == "poss" and _is_named_person(doc, t) for t in tokens):
            name = re.sub(r"['’]s?\s", " ", name)  # "Trump's campaign" and "the Trump campaign" are one name
        return MentionProfile(
            kind=kind,
            name=name,
            head=lemma,
            affiliation=affiliation,
            country=country or (actor[1] if actor else None),
            canonical_actor=actor[0] if actor else None,
            definite=definite,
            plural=plural,
            count=count,
        )
    pair = _pair_named_before(doc, head) if words[0] == "both" and lemma in PEOPLE_NOUNS else None
    if pair is not None:
        # "when Mr. Obama ran against Senator John McCain, both men ...": the two people just named
        return MentionProfile(
            kind=SourceKind.NAMED_PERSON, name=" and ".join(_person_name(p, p[-1]) for p in pair), head=lemma, count=2
        )
    collective = lemma in COLLECTIVE_NOUNS and (plural or of_people or lemma in {"family", "staff", "delegation"})
    if plural or collective or lemma in GROUP_QUANTIFIERS or joined in GROUP_QUANTIFIERS:
        return MentionProfile(
            kind=SourceKind.ANONYMOUS_GROUP,
            # "46 percent of voters", "a number of experts": the share or collective with its group
            name=_share_name(span, head)
            if share is not None or (collective and of_people)
            else _descriptor(tokens, status),
            head=lemma,
            role=role,
            affiliation=affiliation,
            country=country,
            seniority=seniority,
            status=status,
            count=count,
            plural=True,
            definite=definite,
            bare=len(tokens) == 1,
        )
    # A definite singular description ("the president", "the senator", "the real estate tycoon") refers to a
    # named person unless the article introduced it as an unnamed one ("a senior official" ... "the official").
    office = (
        definite
        and not any(w in ANONYMITY_WORDS for w in words)
        and (
            lemma in UNIQUE_OFFICES
            or ((lemma in tables.roles or lemma in PEOPLE_NOUNS) and lemma not in NON_UNIQUE_ROLES)
        )
        and words[0] != "one"
    )
    named_by_description = office and not _introduced_indefinitely(doc, head)
    # A title the article gives a named person outweighs an earlier generic "a president".
    holder = _holder_of_title(doc, head, tokens) if office else None
    if holder is not None:
        # "the Republican nominee" where the article says "Republican nominee Donald Trump": that person.
        profile = _person_profile(holder, holder[-1], tables, status)
        profile.role = role or profile.role
        profile.affiliation = affiliation or profile.affiliation
        return profile
    kind = SourceKind.NAMED_PERSON if named_by_description else SourceKind.ANONYMOUS_INDIVIDUAL
    return MentionProfile(
        kind=kind,
        name=_descriptor(tokens, status),
        head=lemma,
        role=role,
        affiliation=affiliation,
        country=country,
        seniority=seniority,
        status=status,
        count=count,
        definite=definite,
        described=named_by_description,
    )


# --- pronouns -------------------------------------------------------------------------------------------------


def _candidate_heads(doc: Doc) -> list[Token]:
    """Heads of noun phrases that a pronoun could refer to, in text order; cached on the Doc."""
    cached = doc.user_data.get("onrecord_candidate_heads")
    if cached is not None:
        return cached
    heads: list[Token] = []
    for token in doc:
        if token.pos_ not in {"NOUN", "PROPN"}:
            continue
        if token.pos_ == "PROPN" and token.dep_ in {"compound", "flat"} and token.head.pos_ == "PROPN":
            continue  # "Hillary" in "Hillary Clinton": the phrase's head is "Clinton"
        lemma = token.lemma_.lower()
        if (
            _is_named_person(doc, token)
            or token.ent_type_ in {"PERSON", "ORG", "NORP"}
            or lemma in PEOPLE_NOUNS
            or lemma in ORGANIZATION_NOUNS
            or lemma in DOCUMENT_NOUNS
        ):
            heads.append(token)
    doc.user_data["onrecord_candidate_heads"] = heads
    return heads


def _is_personal(token: Token) -> bool:
    lemma = token.lemma_.lower()
    return (
        token.ent_type_ == "PERSON"
        or (lemma in PEOPLE_NOUNS and lemma not in ORGANIZATION_NOUNS)
        or (token.ent_type_ == "NORP" and token.pos_ in {"PROPN", "NOUN"})
    )


def _is_named_person(doc: Doc, token: Token) -> bool:
    return token.ent_type_ == "PERSON" or _is_person_name(doc, token)


def _introduces_anonymous_person(token: Token) -> bool:
    """A singular unnamed person as a clause subject: "a senior official said", "one aide argued"."""
    return (
        token.pos_ == "NOUN"
        and not _is_plural(token)
        and token.dep_ in {"nsubj", "nsubjpass"}
        and token.lemma_.lower() in PEOPLE_NOUNS
        and any(c.lower_ in {"a", "an", "one", "another", "the"} for c in token.children if c.i < token.i)
        and not any(c.dep_ == "appos" for c in token.children)
    )


def inside_quote(doc: Doc, token: Token) -> bool:
    """Whether the token lies between an opening and a closing quotation mark in its paragraph."""
    start = doc.text.rfind("\n", 0, token.idx) + 1
    before = doc.text[start : token.idx]
    straight = before.count('"') + before.count("''")
    return before.count("“") > before.count("”") or straight % 2 == 1


def _speaker_of_quote(doc: Doc, token: Token) -> Token | None:
    """The speaker of the quotation holding ``token``: a person named after the quote in its sentence."""
    for candidate in token.sent:
        if candidate.i > token.i and _is_personal(candidate) and not inside_quote(doc, candidate):
            return candidate
    return None


def _coordination_head(token: Token) -> Token | None:
    """For "Obama and Clinton": the first conjunct, when a person name is coordinated with another."""
    if token.dep_ == "conj" and token.head.ent_type_ == "PERSON":
        return token.head
    if any(c.dep_ == "conj" and c.ent_type_ == "PERSON" for c in token.children):
        return token
    return None


def _antecedent_head(doc: Doc, pronoun: Token, word: str) -> Token | None:
    """The head of the noun phrase the pronoun refers to: relative clause head, quote speaker, or nearest before.

    "he"/"she" take the nearest named person, unless an unnamed person was introduced as a subject after that
    name ("a senior official said ... he added"); "they" takes the nearest plural, organisation or coordinated
    names; "it" the nearest organisation or document. "you" and "we" outside a quote have no antecedent.
    """
    if word in RELATIVES:
        if pronoun.head.dep_ == "relcl":
            return pronoun.head.head
        previous = [t for t in doc[max(0, pronoun.i - 3) : pronoun.i] if t.pos_ in {"NOUN", "PROPN"}]
        return previous[-1] if previous else None
    if word in SECOND_PERSON:
        return None
    quoted = inside_quote(doc, pronoun)
    if word in FIRST_SINGULAR | FIRST_PLURAL:
        if not quoted:
            return None  # the author speaking
        speaker = _speaker_of_quote(doc, pronoun)
        if speaker is not None and (word in FIRST_SINGULAR or speaker.ent_type_ == "ORG"):
            return speaker
        if word in FIRST_PLURAL:
            return None
    candidates = [t for t in _candidate_heads(doc) if t.i < pronoun.i and pronoun.i - t.i < 400]
    # Subjects are the likeliest antecedents: try the subjects of this and the previous sentence first.
    previous_sentence_start = doc[pronoun.sent.start - 1].sent.start if pronoun.sent.start > 0 else 0
    subjects = [t for t in candidates if t.i >= previous_sentence_start and t.dep_ in {"nsubj", "nsubjpass"}]
    main_subjects = [t for t in subjects if t.head.dep_ == "ROOT"]  # main clauses before subordinate ones
    for token in [*reversed(main_subjects), *reversed(subjects), *reversed(candidates)]:
        if word in PERSONAL_SINGULAR | FIRST_SINGULAR:
            if _is_named_person(doc, token) or _introduces_anonymous_person(token):
                return token
        elif word in PLURAL_PRONOUNS | FIRST_PLURAL:
            coordinated = _coordination_head(token)
            if coordinated is not None:
                return coordinated
            if _is_plural(token) or token.ent_type_ == "ORG" or token.lemma_.lower() in ORGANIZATION_NOUNS:
                return token
        elif word in NEUTER:
            if not _is_personal(token) or token.ent_type_ == "ORG":
                return token
        else:
            return token
    return None


def _default_for_pronoun(word: str) -> SourceKind:
    """When no antecedent is found: in news reporting, "he"/"I" most often stand for a named person."""
    if word in PERSONAL_SINGULAR | FIRST_SINGULAR | {"who", "whom", "whose"}:
        return SourceKind.NAMED_PERSON
    if word in NEUTER | {"which", "that"}:
        return SourceKind.NAMED_ORGANIZATION
    if word in INDIVIDUAL_QUANTIFIERS:
        return SourceKind.ANONYMOUS_INDIVIDUAL
    return SourceKind.ANONYMOUS_GROUP


def antecedent_span(head: Token) -> Span:
    """The noun phrase headed by ``head``, without relative clauses and other trailing clauses."""
    keep = [t for t in head.subtree if t.i <= head.i or t.dep_ in {"flat", "compound"}]
    left = min(t.i for t in keep)
    # Keep an apposition ("Watson, spokesperson for ...") so the profile gets role and affiliation.
    right = max([head.i] + [t.i for c in head.children if c.dep_ == "appos" for t in c.subtree])
    return head.doc[left : right + 1]


def profile_mention(doc: Doc, span: Span, tables: Tables | None = None, depth: int = 0) -> MentionProfile:
    """Profile the source mention ``span`` of ``doc`` (a parsed Doc): see the module docstring."""
    tables = tables or load_tables()
    span = _strip(span)
    text = span.text.lower().replace("’", "'")
    word = text.strip()
    first = span[0]
    if word.startswith("one of ") and len(span) == 3 and span[2].lower_ in PRONOUNS | GROUP_QUANTIFIERS:
        word = "one"  # "one of them": a member of the group named before, like "one said"
    elif word.startswith("one of ") and not any(t.ent_type_ == "PERSON" for t in span):
        # "one of the two major candidates": one member of a group, not named by this mention
        resolved = _profile_noun_phrase(doc, span[2:], tables)
        kind = SourceKind.NAMED_PERSON if resolved.kind is SourceKind.NAMED_PERSON else SourceKind.ANONYMOUS_INDIVIDUAL
        return replace(resolved, kind=kind, count=1, plural=False, definite=False, bare=False)
    if first.lower_ in GROUP_QUANTIFIERS and len(span) > 1 and (span[1].pos_ in {"VERB", "ADP", "PRON"}):
        word = first.lower_  # "those supporting Clinton", "some of them", "many who ..."
    if word in GROUP_QUANTIFIERS or word in INDIVIDUAL_QUANTIFIERS:
        kind = SourceKind.ANONYMOUS_GROUP if word in GROUP_QUANTIFIERS else SourceKind.ANONYMOUS_INDIVIDUAL
        count = 2 if word == "both" else (1 if word == "one" else None)
        return MentionProfile(
            kind=kind,
            name=span.text,
            head=word,
            pronoun=word,
            definite=True,
            count=count,
            plural=kind is SourceKind.ANONYMOUS_GROUP,
        )
    if word in PRONOUNS or (len(span) == 1 and first.tag_ in {"PRP", "PRP$", "WP", "WP$", "WDT"}):
        antecedent = _antecedent_head(doc, first, word) if depth < 2 else None
        if antecedent is not None and antecedent.i != first.i:
            ante_span = antecedent_span(antecedent)
            resolved = profile_mention(doc, ante_span, tables, depth + 1)
            return replace(resolved, antecedent=ante_span, pronoun=word, status=None, count=None, definite=True)
        kind = _default_for_pronoun(word)
        return MentionProfile(
            kind=kind, name=span.text, head=word, pronoun=word, definite=True, plural=kind is SourceKind.ANONYMOUS_GROUP
        )
    return _profile_noun_phrase(doc, span, tables)


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
