"""The letter sandbox's limits: a hostile template ends in a message naming the problem,
without exhausting the memory or the time; ordinary templates render as before."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from jinja2 import DictLoader

from claimdesk.cli import main
from claimdesk.errors import TemplateRenderError
from claimdesk.letters import limits
from claimdesk.letters.render import LetterEnvironment, check_syntax, render_text

# A guard against a case that runs away (so a regression fails instead of hanging the
# suite), not a measure of speed: every case here ends in well under a second.
RUNAWAY_SECONDS = 120
MEMORY_LIMIT = 1 << 30  # what the child rendering the hostile templates may use (Linux)

LOOPS_100 = "".join(f"{{% for i{n} in [1] %}}\n" for n in range(100)) + "{% endfor %}" * 100
MANY_SLICES = "{% set s = 'x' * 999999 %}" + "".join(
    f"{{% set a{n} = s[{n}:] %}}" for n in range(100)
)

# (name, template, words the message must contain)
HOSTILE: list[tuple[str, str, str]] = [
    # The templates reported in the issue.
    ("replace", "{{ ('a'*100000)|replace('a','b'*100000)|length }}", "replace filter"),
    ("list_repeat", "{{ [1] * 10**9 }}", "repeating a list with *"),
    ("ljust", "{{ 'x'.ljust(4000000000) }}", "ljust()"),
    ("power_tower", "{{ (((10**64)**64)**64)**64 }}", "raising a number to that power"),
    ("loops_100", LOOPS_100, "loops are nested more than 15 deep"),
    # Others of the same kinds.
    ("text_repeat", "{{ 'a' * 10**9 }}", "repeating text with *"),
    ("format_width", "{{ '{:>999999999}'.format(1) }}", "format()"),
    ("format_precision", "{{ '{:.999999999f}'.format(1.0) }}", "format()"),
    ("format_nested_width", "{{ '{0:{1}}'.format(1, 10**9) }}", "format()"),
    ("format_many_fields", "{{ ('{0}' * 300000).format('x' * 999999) }}", "format()"),
    ("percent", "{{ '%999999999d' % 1 }}", "'%' formatting is not available"),
    ("range_list", "{{ range(10**9)|list }}", "repeats too much"),
    ("center_filter", "{{ 'x'|center(10**9) }}", "no filter named 'center'"),
    ("indent_filter", "{{ 'x'|indent(10**9) }}", "no filter named 'indent'"),
    ("center", "{{ 'x'.center(10**9) }}", "center()"),
    ("zfill", "{{ 'x'.zfill(10**9) }}", "zfill()"),
    ("expandtabs", "{{ ('\t' * 1000).expandtabs(10**6) }}", "expandtabs()"),
    ("replace_method", "{{ ('a' * 1000).replace('a', 'b' * 1001) }}", "replace()"),
    ("replace_empty", "{{ ('x' * 999999)|replace('', 'y') }}", "replace filter"),
    ("join_separator", "{{ [1]*9|join('x' * 10**8) }}", "repeating text with *"),
    ("join_filter", "{{ range(10)|join('x' * 999999) }}", "join filter"),
    ("join_method", "{{ ','.join(['x' * 900000, 'y' * 900000]) }}", "join()"),
    ("tilde", "{{ 'x' * 999999 ~ 'y' * 999999 }}", "joining text with ~"),
    ("plus", "{{ 'x' * 999999 + 'y' * 999999 }}", "joining text with +"),
    ("nested_list_repeat", "{{ ['x' * 999999] * 999999 }}", "repeating a list with *"),
    ("list_literal", "{% set L = [1] * 400000 %}{{ L in [L, L, L, L, L, L, L] }}", "list written"),
    (
        "map_default",
        "{% set L = [1] * 400000 %}{{ [u, u, u, u, u, u, u]|map('default', L)|sort }}",
        "map filter",
    ),
    ("batch_fill", "{{ 'x'|batch(10**9, 'y')|list }}", "batch filter"),
    ("slice_filter", "{{ [1]|slice(10**9)|list }}", "repeats too much"),
    ("sum_text", "{{ ['a', 'b']|sum(start='') }}", "sum filter adds numbers"),
    ("encode", "{{ 'x'.encode('utf-8') * 10**9 }}", "encode() is not available"),
    ("number_multiply", "{% set n = 10**30000 %}{{ n * n * n * n }}", "multiplying"),
    ("long_number", "{{ 10**14000 }}", "over 4,300 digits"),
    (
        "nested_loops_over_text",
        "{% set s = 'x' * 999999 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        "repeats too much",
    ),
    (
        "set_block",
        "{% set s = 'x' * 999999 %}{% set x %}{% for i in range(150) %}{{ s }}"
        "{% endfor %}{% endset %}{{ x|length }}",
        "block or macro",
    ),
    ("many_slices", MANY_SLICES, "builds over 20,000,000 characters"),
    ("macro_recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    (
        "macro_doubling",
        "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('ab') }}",
        "joining text with ~",
    ),
    ("block_recursion", "{% block b %}{{ self.b() }}{{ self.b() }}{% endblock %}", "calls itself"),
    (
        "recursive_loop",
        "{% for x in [1, 2] recursive %}{{ loop([1, 2]) }}{% endfor %}",
        "calls itself",
    ),
    ("deep_if", "{% if 1 %}" * 300 + "x" + "{% endif %}" * 300, "too deeply"),
    ("if_31", "{% if 1 %}" * 31 + "x" + "{% endif %}" * 31, "nested more than 30 deep"),
    ("deep_brackets", "{{ " + "(" * 500 + "1" + ")" * 500 + " }}", "too deeply"),
    ("long_sum", "{{ " + " + ".join(["1"] * 150) + " }}", "nested more than 100 deep"),
    ("include_twice", "{% include 't.jinja' %}{% include 't.jinja' %}", "calls itself"),
    ("fromkeys", "{{ {}.fromkeys(range(10**8)) }}", "repeats too much"),
]


def _render_all(sources: list[str], results: Connection) -> None:
    """In a child process, with its memory capped: each template's outcome and time."""
    if sys.platform == "linux":  # RLIMIT_AS is POSIX, and macOS does not enforce it
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    for source in sources:
        started = time.perf_counter()
        environment = LetterEnvironment(DictLoader({"t.jinja": source}))
        try:
            text = render_text(environment, "t.jinja", {}).text
            outcome: tuple[str, str] = ("rendered", text[:100])
        except TemplateRenderError as error:
            outcome = ("refused", str(error))
        except BaseException as error:  # what the test reports instead of a traceback
            outcome = ("escaped", f"{type(error).__name__}: {error}"[:300])
        results.send((outcome, time.perf_counter() - started))


@pytest.fixture(scope="module")
def outcomes() -> Iterator[dict[str, tuple[tuple[str, str], float]]]:
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_render_all, args=([s for _, s, _ in HOSTILE], sending))
    child.start()
    found: dict[str, tuple[tuple[str, str], float]] = {}
    try:
        for name, _, _ in HOSTILE:
            if not receiving.poll(RUNAWAY_SECONDS):
                break  # this one ran away; it and the rest fail below
            found[name] = receiving.recv()
    except EOFError:
        pass  # the child died (out of memory); the cases it did not finish fail below
    finally:
        child.kill()
        child.join()
    yield found


@pytest.mark.parametrize(("name", "source", "words"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_template_is_refused_with_a_message_naming_the_problem(
    outcomes: dict[str, tuple[tuple[str, str], float]], name: str, source: str, words: str
) -> None:
    assert name in outcomes, f"{name}: the render did not end (or ran out of memory)"
    (kind, message), _seconds = outcomes[name]
    assert kind == "refused", f"{name}: {kind}: {message}"
    assert words in message
    assert "\n" not in message  # one line for the CLI


def test_an_ordinary_template_still_works_with_everything_the_limits_watch() -> None:
    source = (
        "{{ 'ab' * 3 }}|{{ [1, 2] * 2 }}|{{ 2 ** 10 }}|{{ 'x'.ljust(4, '.') }}|"
        "{{ '{:>5}|{:.2f}'.format(7, 2.5) }}|{{ '%s' if 1 }}|{{ 'a-b'.replace('-', '+') }}|"
        "{{ ', '.join(['a', 'b']) }}|{{ names|join(', ') }}|{{ names|map('upper')|join }}|"
        "{{ 'hello'[1:3] }}|{{ names[::-1]|join }}|{{ 'a' ~ 1 ~ none }}|"
        "{{ (range(7)|batch(3, 0)|list)[-1] }}|{{ [3, 1, 2]|sort }}|{{ [1, 2.5]|sum }}|"
        "{{ table|dictsort|first }}|{{ names|select('ne', 'b')|list|length }}|"
        "{% for n in names %}{{ loop.index }}/{{ loop.length }}{% endfor %}|"
        "{% for k, v in table.items() %}{{ k }}={{ v }};{% endfor %}|"
        "{% for c in 'xy' %}{{ c }}{% else %}none{% endfor %}|"
        "{% set block %}in a block{% endset %}{{ block }}|{{ 10 ** 64 * 10 ** 64 > 0 }}"
    )
    text = _render(source, {"names": ["a", "b", "c"], "table": {"k": 1, "j": 2}})
    assert text == (
        "ababab|[1, 2, 1, 2]|1024|x...|    7|2.50|%s|a+b|a, b|a, b, c|ABC|el|cba|a1None"
        "|[6, 0, 0]|[1, 2, 3]|3.5|('j', 2)|2|1/32/33/3|k=1;j=2;|xy|in a block|yes"
    )


def test_a_template_may_list_all_of_a_very_big_case_but_not_repeat_it() -> None:
    # 3,000 calls with long notes: over 5,000,000 characters' worth, the usual list limit.
    calls = [{"notes": "n" * 2000} for _ in range(3000)]
    assert _render("{{ calls|selectattr('notes')|list|length }}", {"calls": calls}) == "3000"
    with pytest.raises(TemplateRenderError) as caught:
        _render("{{ ([calls|list] * 3)|length }}", {"calls": calls})
    assert "repeating a list with *" in str(caught.value)


def test_the_time_limit_stops_a_render_that_stays_within_the_other_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readings = iter(range(0, 10_000, 1))  # a clock that moves one second at every reading
    monkeypatch.setattr(limits, "clock", lambda: float(next(readings)))
    with pytest.raises(TemplateRenderError) as caught:
        _render("{% for i in range(100) %}{{ i }}{% endfor %}")
    assert "took longer than 5 seconds" in str(caught.value)


def test_a_hundred_nested_loops_are_refused_on_save_with_the_line() -> None:
    environment = LetterEnvironment(DictLoader({}))
    with pytest.raises(TemplateRenderError) as caught:
        check_syntax(environment, LOOPS_100, "records_request.jinja")
    assert caught.value.line == 17  # the sixteenth loop inside another
    assert "nested more than 15 deep" in str(caught.value)


def test_fifteen_nested_loops_and_thirty_nested_blocks_still_render() -> None:
    loops = "{% for i in [1] %}" * 15 + "x" + "{% endfor %}" * 15
    blocks = "{% if 1 %}{% with a = 1 %}" * 15 + "y" + "{% endwith %}{% endif %}" * 15
    assert _render(loops + blocks) == "xy"


def test_the_cli_reports_a_hundred_nested_loops_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path)]
    main([*data, "demo"])
    letters = tmp_path / "templates" / "letters"
    letters.mkdir(parents=True)
    (letters / "records_request.jinja").write_text(LOOPS_100, encoding="utf-8")
    out = tmp_path / "nested.pdf"
    code = main([*data, "letter", "CD-2026-0001", "records_request", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "line 17" in err and "nested more than 15 deep" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def _render(source: str, context: dict[str, object] | None = None) -> str:
    environment = LetterEnvironment(DictLoader({"t.jinja": source}))
    return render_text(environment, "t.jinja", context or {}).text
