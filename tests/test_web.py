"""The web app through Starlette's TestClient: pages, JSON twins, OpenAPI, headers, errors, escaping."""

from __future__ import annotations

import re
import sqlite3
import warnings
from pathlib import Path

import pytest

from onrecord.figures import SourcingFigures, share
from onrecord.web.app import create_app, safe_url
from onrecord.web.queries import DatabaseError
from test_web_corpus import HOSTILE_OUTLET, HOSTILE_SOURCE, HOSTILE_TITLE, HOSTILE_URL, build_corpus

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice that it prefers httpx2
    from starlette.testclient import TestClient


LOCAL = "http://localhost"  # TestClient's default Host, "testserver", is (rightly) refused


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    db = tmp_path_factory.mktemp("web") / "corpus.db"
    return db, build_corpus(db)


@pytest.fixture(scope="module")
def client(corpus: tuple[Path, dict[str, str]]) -> TestClient:
    return TestClient(create_app(corpus[0]), base_url=LOCAL)


@pytest.fixture(scope="module")
def ids(corpus: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return corpus[1]


# ---------------------------------------------------------------- pages and twins

PAGES = ["/", "/articles", "/sources", "/search?q=negotiations", "/source?name=US+officials"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_and_has_a_json_twin(client: TestClient, path: str) -> None:
    html = client.get(path)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    route, _, query = path.partition("?")
    twin = ("/index" if route == "/" else route) + ".json" + (f"?{query}" if query else "")
    for url in (twin, path + ("&" if query else "?") + "_format=json"):
        data = client.get(url)
        assert data.status_code == 200, url
        assert data.headers["content-type"].startswith("application/json")
        assert isinstance(data.json(), dict)
    assert f'href="{twin.replace("&", "&amp;")}"' in html.text  # each page links its twin


def test_overview_counts_and_shares(client: TestClient) -> None:
    data = client.get("/index.json").json()
    assert data["totals"]["articles"] == 3
    assert data["totals"]["statements"] == 6
    # on record: Watson, the Pentagon and Eve; anonymous: two officials groups and one official
    assert data["share"]["on_record"] == 3
    assert data["share"]["anonymous"] == 3
    assert data["share"]["on_record_share"] == 0.5
    outlets = {row["outlet"]: row for row in data["by_outlet"]}
    assert outlets["Example Wire"]["articles"] == 1
    assert outlets["Example Wire"]["on_record_share"] == share(1, 3) == 0.3333  # onrecord.figures' rounding
    assert [m["month"] for m in data["by_month"]] == ["2023-10", "2023-11", "2023-12"]
    page = client.get("/").text
    assert page.count("<svg") >= 3  # outlet, month and share charts, drawn server-side


def test_article_page_highlights_sources_cues_contents_with_legend(client: TestClient, ids: dict[str, str]) -> None:
    html = client.get(f"/articles/{ids['talks']}").text
    for layer in ("hl-source", "hl-cue", "hl-content", "hl-relay", "hl-claim"):
        assert layer in html
    assert 'id="legend"' in html
    assert 'href="#src-s1" data-source="s1"' in html  # a highlight that opens Watson's profile
    assert 'id="src-s2"' in html and "US government" in html  # the anonymous group's profile card
    assert "Two US officials" in html
    chains = [re.sub(r"<[^>]+>|\s+", " ", c).split() for c in re.findall(r'<p class="chain".*?</p>', html, re.S)]
    assert ["US", "officials", "→", "NBC", "→", "Example", "Wire"] in chains  # the chain of relays
    assert "$5 billion" in html and "a US official" in html  # the claim and who backs it


def test_money_reads_as_money_not_exponent_notation(client: TestClient, ids: dict[str, str]) -> None:
    html = client.get(f"/articles/{ids['budget']}").text
    claims = re.search(r'<table class="claims">.*?</table>', html, re.S)
    assert claims is not None
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", claims.group(0), re.S)]
    assert cells[:3] == ["$43.9 billion", "money", "$43.9 billion"]  # the text, the type, the reading
    assert "e+10" not in claims.group(0) and "USD" not in claims.group(0)
    talks = client.get(f"/articles/{ids['talks']}").text
    assert "<td>about $5 billion</td>" in talks


def test_article_json_is_the_stored_analysis(client: TestClient, ids: dict[str, str]) -> None:
    data = client.get(f"/articles/{ids['talks']}.json").json()
    assert data["id"] == ids["talks"]
    assert data["schema_version"]
    assert [a["id"] for a in data["attributions"]] == ["a1", "a2", "a3"]
    assert data["claims"][0]["value"] == 5e9
    assert client.get(f"/articles/{ids['talks']}?_format=json").json() == data


def test_search_finds_statements_by_anonymous_officials(client: TestClient) -> None:
    data = client.get("/search.json", params={"q": "negotiations", "anonymity": "anonymous"}).json()
    assert data["total"] == 1
    row = data["rows"][0]
    assert row["source_name"] == "US officials"
    assert row["relay_name"] == "NBC"
    assert data["filters"] == {"q": "negotiations", "anonymity": "anonymous"}
    named = client.get("/search.json", params={"q": "negotiations", "anonymity": "named"}).json()
    assert [r["source_name"] for r in named["rows"]] == ["Adrienne Watson"]


def test_search_filters_combine(client: TestClient) -> None:
    def total(**params: str) -> int:
        return client.get("/search.json", params=params).json()["total"]

    assert total(affiliation="us govern") == 2  # from the start of a word, case-insensitive
    assert total(affiliation="US") == 3 and total(affiliation="govern") == 2  # US government, US Department of …
    assert total(affiliation="S govern") == 0  # not from the middle of a word
    assert total(role="spokes") == 1
    assert total(affiliation="%") == total(role="_") == total(role=".*") == 0  # no wildcards or patterns
    assert total(kind="named_organization") == 1
    assert total(outlet="Daily Ledger") == 2
    assert total(**{"from": "2023-11-01", "to": "2023-11"}) == 3  # a month as upper bound includes all of it
    assert total(**{"from": "2024"}) == 0
    assert total(q='"billion left"') == 1  # a phrase
    assert total(q="billion left OR") == 0  # FTS5 operators in user input are plain words, not syntax


def test_sources_directory_and_source_page(client: TestClient) -> None:
    data = client.get("/sources.json", params={"anonymity": "anonymous"}).json()
    names = {row["name"] for row in data["rows"]}
    assert names == {"US officials", "a US official", "people familiar with the talks"}
    assert all(row["statements"] >= 1 for row in data["rows"])
    one = client.get("/source.json", params={"name": "the pentagon", "kind": "named_organization"}).json()
    assert one["source"]["name"] == "The Pentagon"
    assert one["rows"][0]["content_text"] == "the US has spent $43.9 billion on security assistance"
    in_december = client.get("/source.json", params={"name": "The Pentagon", "from": "2023-12"}).json()
    assert in_december["total"] == 1
    before = client.get("/source.json", params={"name": "The Pentagon", "to": "2023-11"}).json()
    assert before["total"] == 0 and before["source"]["statements"] == 1  # the profile still covers the corpus
    watson = client.get("/sources.json", params={"q": "watson"}).json()
    assert watson["total"] == 1
    assert watson["rows"][0]["roles"] == ["spokesperson, press office"]  # a comma inside a value survives


def test_articles_list_search_and_paging(client: TestClient) -> None:
    data = client.get("/articles.json", params={"_size": 2}).json()
    assert data["total"] == 3 and len(data["rows"]) == 2 and data["next_offset"] == 2
    assert data["rows"][0]["published"] == "2023-12-01"  # newest first
    rest = client.get("/articles.json", params={"_size": 2, "_offset": 2}).json()
    assert len(rest["rows"]) == 1 and rest["next_offset"] is None
    november = client.get("/articles.json", params={"from": "2023-11", "to": "2023-11"}).json()
    assert [r["title"] for r in november["rows"]] == ["Officials weigh peace talks"]
    assert client.get("/articles.json", params={"outlet": "Daily Ledger"}).json()["total"] == 1
    found = client.get("/articles.json", params={"q": "Pentagon"}).json()
    assert [r["title"] for r in found["rows"]] == ["Budget fight continues"]
    html = client.get("/articles", params={"_size": 2}).text
    assert f"after={data['next_after']}" in html  # the next-page link follows the keyset cursor
    following = client.get("/articles.json", params={"_size": 2, "after": data["next_after"]}).json()
    assert following["rows"] == rest["rows"] and following["offset"] == 2 and following["next_after"] is None


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("path", "status", "needle"),
    [
        ("/nothing-here", 404, "/nothing-here"),
        ("/articles/0123456789abcdef", 404, "0123456789abcdef"),
        ("/search?kind=wizard", 400, "kind"),
        ("/search?from=last+tuesday", 400, "from"),
        ("/search?anonymity=maybe", 400, "anonymity"),
        ("/articles?_size=100000", 400, "_size"),
        ("/source", 400, "name"),
        ("/source?name=Nobody+At+All", 404, "Nobody At All"),
    ],
)
def test_bad_requests_get_clear_errors_in_both_formats(client: TestClient, path: str, status: int, needle: str) -> None:
    html = client.get(path)
    assert html.status_code == status
    assert needle in html.text
    sep = "&" if "?" in path else "?"
    data = client.get(path + sep + "_format=json")
    assert data.status_code == status
    assert data.json()["status"] == status and needle in data.json()["error"]


PAGED = ["/articles", "/sources", "/source?name=NBC", "/search?q=negotiations", "/search?anonymity=named"]
BAD_NUMBERS = [
    ("9223372036854775808", "too large"),  # 2**63: one past SQLite's largest integer, was an HTTP 500
    ("9223372036854775807", "too large"),
    ("1000000001", "not between"),
    ("1" + "0" * 40, "too large"),
    ("-1", "negative"),
    ("-9223372036854775809", "negative"),
    ("ten", "not a whole number"),
    ("1e3", "not a whole number"),
    ("2.5", "not a whole number"),
    ("+3", "not a whole number"),
    ("\u0663", "not a whole number"),  # an Arabic-Indic 3: int() takes it, no link of ours holds it
]


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize(("value", "problem"), BAD_NUMBERS)
def test_out_of_range_offsets_are_400_naming_the_parameter(
    client: TestClient, path: str, value: str, problem: str
) -> None:
    route, _, query = path.partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    for url in (route, route + ".json"):
        resp = client.get(url, params={**params, "_offset": value})
        assert resp.status_code == 400, (url, value)
        assert "content-security-policy" in resp.headers
        message = resp.json()["error"] if url.endswith(".json") else resp.text
        assert "_offset" in message and problem in message, (url, message)
        if url.endswith(".json"):
            assert resp.json()["status"] == 400
        else:
            assert resp.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(("value", "problem"), [("0", "not between"), ("501", "not between"), ("x", "whole")])
def test_bad_page_sizes_are_400_naming_the_parameter(client: TestClient, value: str, problem: str) -> None:
    for path in PAGED:
        route = path.partition("?")[0]
        resp = client.get(route + ".json", params={"_size": value, "name": "NBC", "q": "talks"})
        assert resp.status_code == 400 and "_size" in resp.json()["error"] and problem in resp.json()["error"]


def test_largest_offset_allowed_gives_an_empty_page(client: TestClient) -> None:
    from onrecord.web.params import MAX_OFFSET

    for path in PAGED:
        route, _, query = path.partition("?")
        params = dict(p.split("=") for p in query.split("&")) if query else {}
        resp = client.get(route + ".json", params={**params, "_offset": str(MAX_OFFSET)})
        assert resp.status_code == 200, path
        assert resp.json()["rows"] == [] and resp.json()["next_offset"] is None
    assert client.get("/articles.json", params={"_offset": ""}).json()["offset"] == 0  # empty means default


def test_an_unexpected_failure_is_a_500_through_the_error_page(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    ids = build_corpus(db)
    with sqlite3.connect(db) as conn:  # a stored analysis that can no longer be read
        conn.execute("UPDATE articles SET analysis = ? WHERE id = ?", (b"\x01not zlib", ids["talks"]))
    failing = TestClient(create_app(db), base_url=LOCAL, raise_server_exceptions=False)
    data = failing.get(f"/articles/{ids['talks']}.json")
    assert data.status_code == 500
    assert data.headers["content-type"].startswith("application/json")
    assert data.json()["status"] == 500 and f"/articles/{ids['talks']}" in data.json()["error"]
    html = failing.get(f"/articles/{ids['talks']}")
    assert html.status_code == 500 and html.headers["content-type"].startswith("text/html")
    for resp in (data, html):
        assert resp.headers["content-security-policy"].startswith("default-src 'self'")
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert "Traceback" not in resp.text and "PackingError" not in resp.text and "zlib" not in resp.text


def test_a_failing_handler_is_a_500_with_headers(corpus: tuple[Path, dict[str, str]]) -> None:
    from starlette.routing import Route

    from onrecord.web.app import page

    def broken(request: object, _store: object) -> tuple[str, dict[str, object], object]:
        raise RuntimeError("secret internals")

    app = create_app(corpus[0])
    app.router.routes.insert(0, Route("/boom.json", page(broken)))
    resp = TestClient(app, base_url=LOCAL, raise_server_exceptions=False).get("/boom.json")
    assert resp.status_code == 500 and resp.json() == {
        "error": "Internal error while answering /boom.json; the server log says more",
        "status": 500,
    }
    assert resp.headers["x-frame-options"] == "DENY" and "secret internals" not in resp.text


# ---------------------------------------------------------------- Host header (DNS rebinding)


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8321", "127.0.0.1:8321", "[::1]:8321", "LOCALHOST", "localhost."]
)
def test_local_host_names_are_accepted(corpus: tuple[Path, dict[str, str]], host: str) -> None:
    resp = TestClient(create_app(corpus[0])).get("/index.json", headers={"host": host})
    assert resp.status_code == 200, host


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8321", "127.0.0.1.nip.io", "10.0.0.5", ""])
def test_other_host_names_are_refused(corpus: tuple[Path, dict[str, str]], host: str) -> None:
    client = TestClient(create_app(corpus[0]))
    data = client.get("/index.json", headers={"host": host})
    assert data.status_code == 400 and "--allow-host" in data.json()["error"]
    assert data.headers["content-security-policy"].startswith("default-src 'self'")
    html = client.get("/articles", headers={"host": host})
    assert html.status_code == 400 and html.headers["content-type"].startswith("text/html")
    assert "attacker.example<" not in html.text  # the name is shown escaped, as a quoted value


def test_allowed_hosts_extend_or_open_the_check(corpus: tuple[Path, dict[str, str]]) -> None:
    named = TestClient(create_app(corpus[0], allowed_hosts=["news.example", "localhost"]))
    assert named.get("/index.json", headers={"host": "news.example:80"}).status_code == 200
    assert named.get("/index.json", headers={"host": "127.0.0.1"}).status_code == 400  # only what was listed
    anything = TestClient(create_app(corpus[0], allowed_hosts=["*"]))
    assert anything.get("/index.json", headers={"host": "whatever.example"}).status_code == 200
    everywhere = TestClient(create_app(corpus[0], allowed_hosts=["0.0.0.0", "localhost"]))
    assert everywhere.get("/index.json", headers={"host": "192.168.1.20:8321"}).status_code == 200
    assert everywhere.get("/index.json", headers={"host": "[fe80::1]"}).status_code == 200
    assert everywhere.get("/index.json", headers={"host": "rebind.example"}).status_code == 400


def test_host_name_parsing() -> None:
    from onrecord.web.app import host_name

    assert host_name("Example.ORG:8080") == "example.org"
    assert host_name("[::1]:8321") == "::1"
    assert host_name("::1") == "::1"
    assert host_name("localhost.") == "localhost"


def test_read_only_no_write_methods(client: TestClient) -> None:
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/articles").status_code == 405


def test_missing_or_foreign_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no such database"):
        create_app(tmp_path / "absent.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DatabaseError, match="not an onrecord corpus"):
        create_app(other)


def test_a_broken_database_answers_503_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    build_corpus(db)
    broken = TestClient(create_app(db), base_url=LOCAL)
    db.write_bytes(b"this is no longer a database" * 100)
    resp = broken.get("/articles.json")
    assert resp.status_code == 503
    assert str(db) in resp.json()["error"]
    assert broken.get("/articles").status_code == 503


def test_database_is_opened_read_only(corpus: tuple[Path, dict[str, str]]) -> None:
    from onrecord.store import StoreError
    from onrecord.web.queries import open_corpus

    with open_corpus(corpus[0]) as db, pytest.raises(StoreError, match="read-only"):
        db.write_batch([])


# ---------------------------------------------------------------- security


@pytest.mark.parametrize("path", ["/", "/api", "/openapi.json", "/static/style.css", "/nothing", "/search.json"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script(client: TestClient, ids: dict[str, str]) -> None:
    for path in ("/", f"/articles/{ids['talks']}", "/search?q=talks"):
        html = client.get(path).text
        assert html.count("<script") == 1 and '<script src="/static/app.js" defer></script>' in html


def test_hostile_article_is_escaped_everywhere(client: TestClient, ids: dict[str, str]) -> None:
    pages = [
        f"/articles/{ids['hostile']}",
        "/",
        "/articles",
        "/sources",
        "/search?q=talks",
        f"/source?name={HOSTILE_SOURCE}",
    ]
    for path in pages:
        resp = client.get(path) if "?name=" not in path else client.get("/source", params={"name": HOSTILE_SOURCE})
        assert resp.status_code == 200, path
        html = resp.text
        assert "<script>window" not in html, path
        assert "<img src=x" not in html, path
        assert "<b onmouseover" not in html, path
        assert 'href="javascript:' not in html.lower(), path
    article = client.get(f"/articles/{ids['hostile']}").text
    assert "&lt;script&gt;window.__pwned" in article  # shown as text
    assert "&lt;b onmouseover=" in article
    assert HOSTILE_URL.replace("'", "&#39;") in article  # the URL as text, not as a link
    assert 'title="&#34;&gt;&lt;script&gt;' in article  # attribute values escaped too
    data = client.get(f"/articles/{ids['hostile']}.json").json()
    assert data["title"] == HOSTILE_TITLE and data["outlet"] == HOSTILE_OUTLET  # JSON keeps the data as is


def test_inline_code_escapes_before_marking_up() -> None:
    from onrecord.web.app import inline_code

    assert str(inline_code("use `q` <b>")) == "use <code>q</code> &lt;b&gt;"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example", None),
        ("https:///no-host", None),
        (None, None),
    ],
)
def test_safe_url_allows_only_http_links(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


# ---------------------------------------------------------------- OpenAPI


def test_openapi_document_is_valid_and_covers_every_twin(client: TestClient) -> None:
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    validate(spec)  # raises on an invalid document
    assert set(spec["paths"]) == {
        "/index.json",
        "/articles.json",
        "/articles/{article_id}.json",
        "/sources.json",
        "/source.json",
        "/search.json",
        # the story layer's twins (tests/test_web_stories.py checks them on a linked corpus)
        "/stories.json",
        "/stories/{story_id}.json",
        "/sources/{corpus_source_id}.json",
    }
    api = client.get("/api").text
    for path in spec["paths"]:
        assert f"GET {path}" in api


def test_openapi_parameters_are_accepted_by_the_app(client: TestClient, ids: dict[str, str]) -> None:
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        url = path.replace("{article_id}", ids["talks"])
        if "{" in url:  # a story or corpus source: this corpus is not linked (tests/test_web_stories.py)
            continue
        params = {p["name"]: "1" for p in item["get"]["parameters"] if p["in"] == "query" and p["name"] == "_size"}
        if path == "/source.json":
            params["name"] = "NBC"
        assert client.get(url, params=params).status_code == 200, path


def _described_keys_missing(data: object, schema: dict, spec: dict, where: str = "") -> list[str]:
    """Keys of ``data`` the schema (refs resolved) does not describe, as JSON paths.

    An object schema that lists no properties describes none of its keys unless it says
    ``additionalProperties`` (free-form, or a schema for every value): a bare ``{"type": "object"}``
    is what an undocumented row looked like.
    """
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        return min((_described_keys_missing(data, alt, spec, where) for alt in alternatives), key=len)
    missing: list[str] = []
    if isinstance(data, dict):
        extra = schema.get("additionalProperties")
        for key, value in data.items():
            if key in schema.get("properties", {}):
                missing += _described_keys_missing(value, schema["properties"][key], spec, f"{where}/{key}")
            elif isinstance(extra, dict):
                missing += _described_keys_missing(value, extra, spec, f"{where}/{key}")
            elif extra is not True:
                missing.append(f"{where}/{key}")
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for n, value in enumerate(data):
            missing += _described_keys_missing(value, schema["items"], spec, f"{where}/{n}")
    return missing


TWINS = [
    ("/index.json", "/index.json", {}),
    ("/articles.json", "/articles.json", {}),
    ("/articles.json", "/articles.json", {"q": "negotiations", "_size": "1"}),
    ("/articles/{article_id}.json", "/articles/{talks}.json", {}),
    ("/sources.json", "/sources.json", {}),
    ("/source.json", "/source.json", {"name": "US officials"}),
    ("/search.json", "/search.json", {"q": "negotiations"}),
    ("/search.json", "/search.json", {"anonymity": "anonymous"}),
]


@pytest.mark.parametrize(("spec_path", "url", "query"), TWINS)
def test_every_json_twin_key_is_described_by_the_openapi_document(
    client: TestClient, ids: dict[str, str], spec_path: str, url: str, query: dict[str, str]
) -> None:
    import jsonschema

    spec = client.get("/openapi.json").json()
    schema = spec["paths"][spec_path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    resp = client.get(url.format(**ids), params=query)
    assert resp.status_code == 200
    data = resp.json()
    assert data.get("rows", [None]) or spec_path == "/search.json", "a twin with no rows checks nothing"
    assert _described_keys_missing(data, schema, spec) == []
    # The types and required keys hold too (the schemas are closed: an undescribed key also fails here).
    jsonschema.Draft202012Validator({**schema, "components": spec["components"]}).validate(data)


def test_the_openapi_figures_are_the_ones_the_store_returns(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    figures = set(SourcingFigures().as_dict())
    for name in ("OutletFigures", "ArticleRow"):
        assert figures <= set(schemas[name]["properties"]), name
    assert figures == set(schemas["Overview"]["properties"]["share"]["properties"])
    # The shares' denominator is the statements with a source (onrecord.figures), and the spec says so.
    assert "statements with a source" in spec["paths"]["/index.json"]["get"]["description"]


# ---------------------------------------------------------------- the on-record share chart


def test_share_bars_span_the_statements_with_a_source_and_count_the_rest_apart() -> None:
    from onrecord.web.charts import PLOT_WIDTH, share_bars

    # 10 statements: 6 with a source (3 on record, 3 anonymous), 4 with none. The printed share is 3/6.
    figures = SourcingFigures(statements=10, statements_with_source=6, on_record=3, anonymous=3).as_dict()
    chart = share_bars([{"label": "Wire", **figures}])
    bar = chart["bars"][0]
    widths = {p["part"]: p["width"] for p in bar["parts"]}
    assert widths["on_record"] == pytest.approx(figures["on_record_share"] * PLOT_WIDTH)  # 50%, as labelled
    assert sum(widths.values()) == pytest.approx(PLOT_WIDTH)
    assert widths["other"] == 0
    assert (bar["with_source"], bar["without_source"]) == (6, 4)
    assert chart["has_without_source"] and not chart["has_other"]
    # Nothing with a source: an empty bar, not a division by zero, and every statement counted apart.
    empty = share_bars([{"label": "None", **SourcingFigures(statements=2).as_dict()}])["bars"][0]
    assert [p["width"] for p in empty["parts"]] == [0, 0, 0] and empty["without_source"] == 2


def test_overview_share_bar_agrees_with_its_percentage_when_statements_lack_a_source(tmp_path: Path) -> None:
    from onrecord.model import Attribution, AttributionKind, Source, SourceKind
    from onrecord.store import Store
    from onrecord.web.charts import PLOT_WIDTH
    from test_web_corpus import _analysis, span

    db = tmp_path / "corpus.db"
    build_corpus(db)
    text = "Rates rise\nRates will rise, Jane Roe said. Prices will fall, it was said."
    roe = Source("s1", "Jane Roe", [span(text, "Jane Roe")], SourceKind.NAMED_PERSON)
    attributions = [
        Attribution("a1", AttributionKind.INDIRECT, span(text, "said"), span(text, "Rates will rise"),
                    span(text, "Jane Roe"), "s1"),
        Attribution("a2", AttributionKind.INDIRECT, span(text, "said", 1), span(text, "Prices will fall"), None),
    ]  # fmt: skip
    analysis = _analysis(
        text, title="Rates rise", outlet="Unsourced Daily", published="2023-12-01", sources=[roe],
        attributions=attributions,
    )  # fmt: skip
    with Store.open(db) as store:
        store.write(analysis)
    client = TestClient(create_app(db), base_url=LOCAL)
    outlet = next(r for r in client.get("/index.json").json()["by_outlet"] if r["outlet"] == "Unsourced Daily")
    assert (outlet["statements"], outlet["statements_with_source"], outlet["on_record_share"]) == (2, 1, 1.0)
    html = client.get("/").text
    group = re.search(r'<g class="share-bar">\s*<title>Unsourced Daily:.*?</g>', html, re.S)
    assert group, "no share bar for the outlet"
    on_record = re.search(r'<rect class="part-on_record" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', group.group())
    assert on_record and float(on_record.group(1)) == pytest.approx(PLOT_WIDTH)  # the whole bar: 100%, as printed
    assert "100% · 1 no source" in group.group()
    assert "1 without a source" in group.group()
