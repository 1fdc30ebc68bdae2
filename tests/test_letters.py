"""Letters: the sandbox, the markup, the language check, the writers and the letter record."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from jinja2 import DictLoader
from pypdf import PdfReader

from claimdesk.cli import main
from claimdesk.errors import LetterCheckError, TemplateRenderError
from claimdesk.letters.check import check_letter
from claimdesk.letters.letterhead import Letterhead
from claimdesk.letters.markup import escape, parse, plain_text
from claimdesk.letters.render import LetterEnvironment, render_text
from claimdesk.letters.templates import TemplateStore
from claimdesk.models.enums import DocumentKind
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.builders import full_case
from tests.pinned import pinned_clock
from tests.signin import as_user


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, list[int], Path]]:
    folder = tmp_path_factory.mktemp("letters")
    database = open_database(f"sqlite:///{folder / 'claimdesk.sqlite'}")
    services = as_user(database, "Letter Tester", folder, clock=pinned_clock())
    ids = load_demo(services)
    yield services, ids, folder
    database.dispose()


def _render(source: str, context: dict[str, object] | None = None) -> str:
    environment = LetterEnvironment(DictLoader({"t.jinja": source}))
    return render_text(environment, "t.jinja", context or {}).text


# --- the sandbox ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ claim.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ range.__globals__ }}",
    ],
)
def test_templates_cannot_reach_python_internals(source: str) -> None:
    with pytest.raises(TemplateRenderError) as caught:
        _render(source, {"claim": {"name": "x"}})
    # Either refused by the sandbox, or the name simply does not exist: never any output.
    assert "t.jinja" in str(caught.value)


def test_undefined_internals_print_as_blanks_not_objects() -> None:
    text = _render("{{ lipsum }}{{ config }}{{ request }}")
    assert "function" not in text and "<" not in text


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% for i in range(10**9) %}x{% endfor %}",
        "{{ 'x' * 100000000 }}",
        "{{ 10 ** 100000 }}",
        "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('ab') }}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{{ '%s' % 'x' }}",
        "{{ 'x'|center(1000000000) }}",
    ],
)
def test_hostile_templates_are_refused_quickly(source: str) -> None:
    with pytest.raises(TemplateRenderError):
        _render(source)


def test_a_template_error_names_its_line() -> None:
    source = "line one\nline two\n{{ claim.name|nosuchfilter }}\n"
    with pytest.raises(TemplateRenderError) as caught:
        _render(source, {"claim": {"name": "x"}})
    assert caught.value.line == 3
    assert "line 3" in str(caught.value)


def test_a_runtime_error_names_its_line() -> None:
    source = "one\ntwo\nthree\n{{ 1 // 0 }}\n"
    with pytest.raises(TemplateRenderError) as caught:
        _render(source)
    assert caught.value.line == 4


def test_empty_fields_become_named_blanks() -> None:
    environment = LetterEnvironment(DictLoader({"t.jinja": "Policy {{ plan.policy_number }}."}))
    rendered = render_text(environment, "t.jinja", {"plan": {"policy_number": None}})
    assert rendered.text == "Policy [plan.policy_number]."
    assert rendered.blanks == ("plan.policy_number",)


def test_values_cannot_turn_into_markup() -> None:
    hostile = "# Not a heading\n- not a list\n**not bold** and 1. not numbered"
    text = _render("{{ value }}", {"value": hostile})
    blocks = parse(text)
    assert [b.kind for b in blocks] == ["paragraph"]
    assert blocks[0].text == hostile
    assert not any(run.bold for run in blocks[0].runs)


# --- the markup -----------------------------------------------------------------------------


def test_markup_blocks() -> None:
    text = (
        "# Subject\n\nDear Sir,\n\nFirst line\nsecond line\n\n1. one\n1. two\n\n"
        "Between.\n\n1. again\n- bullet\n> quoted *words*\n\nSigned **bold**\n"
    )
    blocks = parse(text)
    assert [b.kind for b in blocks] == [
        "heading",
        "paragraph",
        "paragraph",
        "number",
        "number",
        "paragraph",
        "number",
        "bullet",
        "quote",
        "paragraph",
    ]
    assert blocks[2].text == "First line\nsecond line"
    assert [b.number for b in blocks if b.kind == "number"] == [1, 2, 1]
    assert any(run.italic for run in blocks[8].runs)
    assert [run.text for run in blocks[9].runs if run.bold] == ["bold"]


def test_escape_round_trips_through_parse() -> None:
    for text in ["a * b", "\\ backslash", "> not quote", "12. not a number", "**x**"]:
        assert parse(escape(text))[0].text == text


# --- the language check ---------------------------------------------------------------------


def test_check_flags_risky_words_in_our_voice_only() -> None:
    blocks = parse(
        "We request this experimental treatment.\n\n> The insurer said: investigational.\n\n"
        "Your denial cites Policy 7: Experimental and Investigational Services.\n"
    )
    findings = check_letter(
        blocks, (), insurer_texts=("Policy 7: Experimental and Investigational Services",)
    )
    assert [f.subject for f in findings] == ["experimental"]


def test_check_flags_non_emergent_and_blanks() -> None:
    findings = check_letter(parse("A non-emergent consultation."), ("plan.policy_number",))
    assert {f.kind for f in findings} == {"wording", "empty"}
    # In plain words, never the template's field name.
    assert findings[1].message == (
        "The policy number of the plan is not recorded: add it on the case's Overview."
    )
    assert "plan.policy_number" not in findings[1].message


# --- generating letters on the demo cases ---------------------------------------------------


def test_pdf_letter_embeds_fonts_and_carries_the_case(
    demo: tuple[Services, list[int], Path],
) -> None:
    services, ids, _ = demo
    claim = services.claims.get(ids[0])
    made = services.lettering.generate(ids[0], "records_request", "pdf", force=True, record=False)
    reader = PdfReader(io.BytesIO(made.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert claim.claimant_name in text
    assert claim.insurer_claim_number in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded, not referenced
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("NotoSerif" in name for name in fonts)
    # US letters go on US Letter paper.
    assert round(float(reader.pages[0].mediabox.width)) == 612


def test_devanagari_address_uses_the_devanagari_font(
    demo: tuple[Services, list[int], Path],
) -> None:
    services, ids, _ = demo
    india = next(i for i in ids if services.claims.get(i).country == "IN")
    made = services.lettering.generate(india, "records_request", "pdf", force=True, record=False)
    reader = PdfReader(io.BytesIO(made.data))
    names = {
        str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Devanagari" in name for name in names)
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4 outside the US


def test_docx_letter_has_real_structure(demo: tuple[Services, list[int], Path]) -> None:
    services, ids, _ = demo
    claim = services.claims.get(ids[0])
    made = services.lettering.generate(ids[0], "records_request", "docx", force=True, record=False)
    document = docx.Document(io.BytesIO(made.data))
    styles = [p.style.name for p in document.paragraphs]
    assert "Heading 1" in styles
    assert styles.count("List Number") >= 3
    body = "\n".join(p.text for p in document.paragraphs)
    assert claim.claimant_name in body
    assert claim.insurer_claim_number in body
    header = document.sections[0].first_page_header.paragraphs[0].text
    assert header  # the letterhead
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml


def test_generated_letter_is_kept_on_the_case(demo: tuple[Services, list[int], Path]) -> None:
    services, ids, _ = demo
    made = services.lettering.generate(ids[1], "records_request", "pdf", force=True)
    assert made.letter is not None and made.document is not None
    letters = services.letters.letters(ids[1])
    assert letters[-1].kind == "records_request"
    assert letters[-1].document_id == made.document.id
    assert "bundled" in letters[-1].template_version
    stored = services.documents.get(made.document.id)
    assert stored.kind is DocumentKind.LETTER_SENT
    assert services.documents.content(stored.id) == made.data


def test_a_check_finding_refuses_the_letter_and_keeps_nothing(
    tmp_path: Path, services: Services
) -> None:
    writer = as_user(services.db, "Letter Tester", tmp_path, clock=services.clock).lettering
    claim_id = full_case(services)
    services.claims.update_case(claim_id, policy_number="")
    documents_before = services.documents.documents(claim_id)
    letters_before = services.letters.letters(claim_id)
    writer.store.save(
        "records_request",
        '{% extends "_letter.jinja" %}{% block subject %}Request{% endblock %}'
        "{% block body %}Policy {{ plan.policy_number }}.{% endblock %}",
    )
    with pytest.raises(LetterCheckError) as caught:
        writer.generate(claim_id, "records_request", "pdf")
    assert "The policy number of the plan is not recorded: add it on the case's Overview." in (
        caught.value.findings
    )
    assert services.documents.documents(claim_id) == documents_before
    assert services.letters.letters(claim_id) == letters_before
    # Forced, it is written and kept, the finding still reported.
    made = writer.generate(claim_id, "records_request", "pdf", force=True)
    assert made.findings and made.letter is not None


def test_office_override_and_broken_override(tmp_path: Path, services: Services) -> None:
    store = TemplateStore(tmp_path / "letters")
    bundled = store.source("records_request")
    store.save("records_request", bundled.replace("To prepare the appeal", "For our appeal"))
    assert store.info("records_request").origin == "office"
    with pytest.raises(TemplateRenderError) as caught:
        store.save("records_request", "{% if %}")
    assert "line 1" in str(caught.value)
    # The refused version did not replace the saved one.
    assert "For our appeal" in store.source("records_request")
    store.reset("records_request")
    assert store.info("records_request").origin == "bundled"


def test_preview_uses_unsaved_editor_text(demo: tuple[Services, list[int], Path]) -> None:
    services, ids, _ = demo
    source = services.lettering.store.source("records_request")
    edited = source.replace("{% block body %}", "{% block body %}\nEDITED IN THE EDITOR\n", 1)
    preview = services.lettering.preview(
        ids[0], "records_request", unsaved={"records_request": edited}
    )
    assert "EDITED IN THE EDITOR" in plain_text(list(preview.blocks))
    assert services.lettering.store.info("records_request").origin == "bundled"


def test_office_letterhead_signs_on_behalf(demo: tuple[Services, list[int], Path]) -> None:
    services, ids, _ = demo
    services.lettering.save_letterhead(
        Letterhead(
            organisation="Northside Patient Advocacy",
            signatory="Dana Whitfield",
            role="Caseworker",
            address="12 Mill Street\nSpringfield",
        )
    )
    try:
        made = services.lettering.generate(
            ids[0], "records_request", "docx", force=True, record=False
        )
        document = docx.Document(io.BytesIO(made.data))
        header = document.sections[0].first_page_header.paragraphs[0].text
        assert header == "Northside Patient Advocacy"
        body = "\n".join(p.text for p in document.paragraphs)
        assert "Dana Whitfield" in body
        assert f"On behalf of {services.claims.get(ids[0]).claimant_name}" in body
    finally:
        services.lettering.save_letterhead(Letterhead())


# --- the command line -----------------------------------------------------------------------


def test_cli_lists_and_writes_letters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main([*data, "demo"]) == 0
    assert main([*data, "letter", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "records_request" in listed
    out = tmp_path / "letter.pdf"
    code = main([*data, "letter", "CD-2026-0001", "records_request", "--out", str(out), "--force"])
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    assert (
        main([*data, "letter", "CD-2026-0001", "records_request", "--out", str(tmp_path / "x.txt")])
        == 1
    )
    assert "must end in .docx or .pdf" in capsys.readouterr().err
    assert (
        main([*data, "letter", "CD-2026-0001", "no_such_kind", "--out", str(tmp_path / "x.pdf")])
        == 1
    )
    assert not (tmp_path / "x.pdf").exists()


def _office_template_run(tmp_path: Path, source: str, out: Path) -> int:
    """Run 'letter' on a demo case with the office's own records_request template."""
    data = ["--data-dir", str(tmp_path)]
    main([*data, "demo"])
    letters = tmp_path / "templates" / "letters"
    letters.mkdir(parents=True)
    (letters / "records_request.jinja").write_text(source, encoding="utf-8")
    return main([*data, "letter", "CD-2026-0001", "records_request", "--out", str(out)])


def test_cli_refuses_a_flagged_letter_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "flagged.docx"
    source = (
        '{% extends "_letter.jinja" %}{% block subject %}Request{% endblock %}'
        "{% block body %}This experimental request.{% endblock %}"
    )
    assert _office_template_run(tmp_path, source, out) == 1
    assert "experimental" in capsys.readouterr().err
    assert not out.exists()


def test_cli_reports_a_template_error_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "broken.pdf"
    assert _office_template_run(tmp_path, "one\ntwo\n{{ claim.x | nope }}\n", out) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "Nothing was written" in err
    assert not out.exists()


def test_super_and_macros_keep_their_markup_while_data_stays_escaped() -> None:
    environment = LetterEnvironment(
        DictLoader(
            {
                "base.jinja": "{% block refs %}**Ref:** {{ ref }}{% endblock %}",
                "t.jinja": '{% extends "base.jinja" %}{% macro b(x) %}**{{ x }}**{% endmacro %}'
                "{% block refs %}{{ super() }} and {{ b(ref) }}{% endblock %}",
            }
        )
    )
    text = render_text(environment, "t.jinja", {"ref": "*A-1*"}).text
    runs = parse(text)[0].runs
    assert [(r.text, r.bold) for r in runs] == [
        ("Ref:", True),
        (" *A-1* and ", False),
        ("*A-1*", True),
    ]


def test_every_template_field_is_documented(demo: tuple[Services, list[int], Path]) -> None:
    from claimdesk.services.letter_context import describe_fields

    services, ids, _ = demo
    guide = (Path(__file__).resolve().parent.parent / "docs" / "letter-templates.md").read_text(
        encoding="utf-8"
    )
    missing = {
        path
        for claim_id in ids
        for path in describe_fields(services.lettering.context(claim_id))
        if f"`{path}`" not in guide
    }
    assert not missing, f"docs/letter-templates.md does not describe: {sorted(missing)}"
