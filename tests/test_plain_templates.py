"""Letters edited as paragraphs with «fields», without template syntax (issue 12, item 5)."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from claimdesk.letters.plain import (
    PlainTemplate,
    PlainTextError,
    Segment,
    field_labels,
    parse_template,
)
from claimdesk.letters.templates import (
    SUFFIX,
    TemplateStore,
    bundled_letters_dir,
    describe_version,
    describe_version_label,
)
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.pinned import pinned_clock
from tests.signin import as_user

BUNDLED = sorted(bundled_letters_dir().glob("*" + SUFFIX))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("plain")
    database = open_database(f"sqlite:///{folder / 'demo.sqlite'}")
    services = as_user(database, "Template Tester", folder, clock=pinned_clock())
    load_demo(services)
    yield services
    database.dispose()


@pytest.fixture
def store(office: Services) -> Iterator[TemplateStore]:
    store = office.lettering.store
    yield store
    for kind in [info.kind for info in store.templates()]:
        store.reset(kind)


def claim_ids(services: Services) -> list[int]:
    return [row.id for row in services.claims.list_claims()]


def first(template: PlainTemplate, *, optional: bool) -> tuple[int, Segment]:
    """The first editable body paragraph with (or without) a condition and with a field."""
    for index, segment in template.paragraphs():
        if (
            segment.editable
            and segment.block == "body"
            and bool(segment.condition) == optional
            and not segment.text.startswith(("#", ">"))
        ):
            return index, segment
    raise AssertionError("no such paragraph")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_template_comes_back_unchanged(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    template = parse_template(source)
    assert template.source() == source
    editable = [s for _, s in template.paragraphs() if s.editable]
    if not path.name.startswith("_"):
        assert editable, "a letter with nothing a person can reword"
    for index, segment in template.paragraphs():
        # Each paragraph, given back as shown, is the same template text.
        assert segment.editable == (segment.kind == "text")
        if segment.editable:
            assert template.edit(index, segment.text).source() == source
            assert "{{" not in segment.text and "{%" not in segment.text


def test_fields_are_shown_by_name_and_conditions_in_words() -> None:
    source = (
        '{% extends "_letter.jinja" %}\n'
        "{% block subject %}About {{ claimant.name }}{% endblock %}\n"
        "{% block body %}\n"
        "{% set s = opinion.specialist %}\n"
        "Dear {{ claimant.name }}, your claim for {{ claim.disputed_service|clause }} was "
        "denied on {{ claim.denial_letter_date }}; {{ s.name }} disagrees.\n"
        "\n"
        "{% if opinion.examined %}\n"
        "{{ s.name }} examined {{ client_obj }}.\n"
        "{% else %}\n"
        "Records only.\n"
        "{% endif %}\n"
        "{% for e in enclosures %}\n"
        "- {{ e.title }}\n"
        "{% endfor %}\n"
        "{% endblock %}\n"
    )
    template = parse_template(source)
    shown = [(s.kind, s.condition, s.text) for _, s in template.paragraphs()]
    assert shown == [
        ("text", "", "About «Claimant's name»"),
        (
            "text",
            "",
            "Dear «Claimant's name», your claim for «Disputed service» was denied on «Date of "
            "the denial letter»; «Specialist's name» disagrees.",
        ),
        (
            "text",
            "Only when the specialist examined the claimant",
            "«Specialist's name» examined «our client (or me)».",
        ),
        ("text", "Only when the specialist did not examine the claimant", "Records only."),
        ("fixed", "", "- «…»"),
    ]
    assert template.source() == source


def test_a_reworded_paragraph_keeps_its_fields_filters_and_takes_new_ones() -> None:
    source = (
        "{% block body %}\nFor {{ claim.disputed_service|clause|lower_first }}.\n{% endblock %}\n"
    )
    template = parse_template(source)
    index, _ = template.paragraphs()[0]
    edited = template.edit(
        index, "The «Disputed service» for «Claimant's name», refused on «Today's date»."
    )
    assert edited.source() == (
        "{% block body %}\n"
        "The {{ claim.disputed_service|clause|lower_first }} for {{ claimant.name }}, refused "
        "on {{ today }}.\n"
        "{% endblock %}\n"
    )
    # The edited template reads back as the same paragraph.
    again = parse_template(edited.source())
    assert again.paragraphs()[0][1].text == (
        "The «Disputed service» for «Claimant's name», refused on «Today's date»."
    )


def test_an_unknown_field_or_template_code_is_refused_with_a_plain_message() -> None:
    template = parse_template("{% block body %}\nHello {{ claimant.name }}.\n{% endblock %}\n")
    index, _ = template.paragraphs()[0]
    with pytest.raises(PlainTextError, match=r"«Claimant's shoe size» is not a field.*Insert"):
        template.edit(index, "Hello «Claimant's shoe size».")
    with pytest.raises(PlainTextError, match="belongs to template code"):
        template.edit(index, "Hello {{ claimant.name }}.")
    with pytest.raises(PlainTextError, match="has no partner"):
        template.edit(index, "Hello «Claimant's name.")
    assert "Claimant's name" in field_labels()


def test_a_fixed_paragraph_cannot_be_edited_as_text() -> None:
    template = parse_template(
        "{% block body %}\nDear{% if claimant.name %} {{ claimant.name }}{% endif %},\n"
        "{% endblock %}\n"
    )
    index, segment = template.paragraphs()[0]
    assert segment.kind == "fixed"
    assert segment.text == "Dear[ «Claimant's name»],"
    with pytest.raises(PlainTextError, match="Advanced"):
        template.edit(index, "Dear all,")


def test_an_office_rewords_a_letter_and_the_bundled_file_is_untouched(
    office: Services, store: TemplateStore
) -> None:
    kind = "records_request"
    bundled = store.bundled_dir / (kind + SUFFIX)
    before = digest(bundled)
    template = parse_template(store.source(kind))
    index, _ = first(template, optional=False)
    edited = template.edit(
        index, "Our office writes about «Claimant's name» with a new sentence of its own."
    )
    assert "{{ claimant.name }} with a new sentence" in edited.source()

    info = store.save(kind, edited.source())
    assert info.origin == "office"
    claim_id = claim_ids(office)[0]
    claimant = office.claims.get(claim_id).claimant_name
    letter = office.lettering.generate(claim_id, kind, "docx", force=True, record=False)
    preview = office.lettering.preview(claim_id, kind)
    assert f"Our office writes about {claimant} with a new sentence of its own." in (preview.markup)
    assert letter.data[:2] == b"PK"
    assert digest(bundled) == before
    # Reopened, the office's version shows the new wording as a plain paragraph.
    reopened = parse_template(store.source(kind))
    assert any(
        s.text == "Our office writes about «Claimant's name» with a new sentence of its own."
        for _, s in reopened.paragraphs()
    )


def test_an_optional_paragraph_stays_optional_when_reworded(
    office: Services, store: TemplateStore
) -> None:
    kind = "internal_appeal"
    template = parse_template(store.source(kind))
    optional = [(i, s) for i, s in template.paragraphs() if s.editable and s.condition]
    assert optional
    edited = template
    for number, (index, segment) in enumerate(optional):
        edited = edited.edit(index, f"ZQ{number}Q {segment.text}")
    store.save(kind, edited.source())
    seen: list[set[str]] = []
    for claim_id in claim_ids(office):
        store.reset(kind)
        original = office.lettering.preview(claim_id, kind).markup
        store.save(kind, edited.source())
        reworded = office.lettering.preview(claim_id, kind).markup
        # Only the marks differ: every paragraph is printed exactly when it was before.
        assert re.sub(r"ZQ\d+Q ", "", reworded) == original
        seen.append(set(re.findall(r"ZQ\d+Q", reworded)))
    # The reworded paragraphs are printed on some cases and left out on others.
    every = {f"ZQ{number}Q" for number in range(len(optional))}
    assert set().union(*seen)
    assert any(case != every for case in seen)
    reread = parse_template(edited.source())
    for number, (index, segment) in enumerate(optional):
        assert reread.segments[index].text == f"ZQ{number}Q {segment.text}"
        assert reread.segments[index].condition == segment.condition


def test_version_labels_read_as_words(store: TemplateStore) -> None:
    assert describe_version_label("2026.1 bundled 2de51225") == (
        "ClaimDesk's standard letter (2026.1)"
    )
    assert describe_version_label("2026.1 office 2026-11-03 1a2b3c4d") == (
        "Office version of 3 Nov 2026"
    )
    assert describe_version_label("2026.1 office 1a2b3c4d") == "Office version (2026.1)"
    assert describe_version_label("something else") == "something else"
    assert describe_version("", "bundled") == "ClaimDesk's standard letter"

    kind = "records_request"
    assert store.info(kind).version_text.startswith("ClaimDesk's standard letter (")
    store.save(kind, store.source(kind))
    saved = datetime(2026, 11, 3, 12, 0).timestamp()
    os.utime(store.office_dir / (kind + SUFFIX), (saved, saved))  # type: ignore[operator]
    assert store.info(kind).saved_on == date(2026, 11, 3)
    assert store.info(kind).version_text == "Office version of 3 Nov 2026"
    label = store.version_label(kind)
    assert " office 2026-11-03 " in label and len(label) <= 40
    assert describe_version_label(label) == "Office version of 3 Nov 2026"


def test_every_field_offered_by_name_is_a_field_letters_get(office: Services) -> None:
    from claimdesk.services.letter_context import describe_fields

    known = set()
    for claim_id in claim_ids(office):
        known |= set(describe_fields(office.lettering.context(claim_id)))
    layout = (bundled_letters_dir() / "_letter.jinja").read_text(encoding="utf-8")
    voice = {name for name in field_labels().values() if "." not in name and name != "today"}
    assert {f"{{% set {name} =" for name in voice} <= {
        line.split("=")[0].strip() + " =" for line in layout.splitlines() if "{% set" in line
    }
    # A record no demo case has (no time limit ahead) is listed by its name alone.
    unknown = {
        path
        for path in set(field_labels().values()) - voice
        if path not in known and path.rsplit(".", 1)[0] not in known
    }
    assert not unknown
