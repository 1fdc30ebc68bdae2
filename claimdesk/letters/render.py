"""Rendering a letter template safely: a Jinja2 sandbox over plain values, with limits.

The sandbox refuses attribute access to Python internals. On top of it every loop turn, call,
filter and operator draws on one budget of steps that also watches a time limit, and every
operation that can allocate (repeating, powers, padding, replacing, joining, formatting,
slicing) is bounded before it runs (limits.py, bounded.py, codegen.py), so a template written
by mistake or with ill intent ends in a message naming its line instead of a frozen or
exhausted machine.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from types import CodeType, TracebackType
from typing import Any

from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2 import nodes as jinja_nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from claimdesk.errors import TemplateRenderError
from claimdesk.letters import bounded, codegen
from claimdesk.letters.limits import (
    MAX_TEMPLATE,
    MAX_TEXT,
    MAX_VALUE,
    Counted,
    TemplateLimitError,
    budget,
    check_printable,
    check_value,
    end_budget,
    start_budget,
    weight,
)
from claimdesk.letters.markup import escape

# Filters a letter needs; the rest (format, center, indent, wordwrap, xmlattr, tojson...) can
# build huge strings from a small expression or are of no use in a letter.
_FILTERS = (
    "capitalize",
    "count",
    "default",
    "d",
    "first",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "sort",
    "string",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
    "abs",
    "int",
    "float",
    "batch",
    "slice",
    "groupby",
    "dictsort",
    "items",
)

_blanks: contextvars.ContextVar[list[str]] = contextvars.ContextVar("letter_blanks")


class Blank(ChainableUndefined):
    """An empty or unknown field: falsy in {% if %}, and when printed a visible marker that the
    language check reports, so a letter never goes out with a hole in it."""

    __slots__ = ()

    def __str__(self) -> str:
        if self._undefined_exception is SecurityError:
            self._fail_with_undefined_error()
        name = self._undefined_name or "a field"
        found = _blanks.get(None)
        if found is not None and name not in found:
            found.append(name)
        return f"[{name}]"

    def __iter__(self) -> Iterator[Any]:
        return iter(())


def _counted_range(*args: int) -> Iterator[int]:
    spend = budget()
    for number in range(*args):
        spend.tick()
        yield number


def _clause(value: Any) -> Any:
    """Text made to sit inside a sentence: no full stop, colon or semicolon at its end."""
    if isinstance(value, Blank) or not isinstance(value, str):
        return value
    return value.strip().rstrip(".;:, ").strip()


def _inline(value: Any, separator: str = ", ") -> Any:
    """Several lines (an address, a list of guidelines) written on one line."""
    if isinstance(value, Blank) or not isinstance(value, str):
        return value
    return separator.join(line.strip() for line in value.splitlines() if line.strip())


def _lower_first(value: Any) -> Any:
    """'Not medically necessary' -> 'not medically necessary', to continue a sentence."""
    if isinstance(value, Blank) or not isinstance(value, str) or not value:
        return value
    if len(value) > 1 and value[1].isupper():  # an acronym such as 'ADL' stays as it is
        return value
    return value[0].lower() + value[1:]


class LetterEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox letters render in."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = codegen.LetterCodeGenerator
    # What the compiled template calls for a macro's or a block's text, for ~, for a
    # {% for %} turn, a slice, a list written out and an {% include %} (see codegen.py).
    concat = staticmethod(bounded.concat)
    tilde = staticmethod(bounded.tilde)
    loop_items = staticmethod(bounded.loop_items)
    sliced = staticmethod(bounded.sliced)
    literal = staticmethod(bounded.literal)

    def __init__(self, loader: BaseLoader) -> None:
        super().__init__(
            loader=loader,
            undefined=Blank,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
            finalize=self._finalize,
        )
        filters = {name: self.filters[name] for name in _FILTERS if name in self.filters}
        filters.update(clause=_clause, inline=_inline, lower_first=_lower_first)
        self.filters = {name: bounded.bounded_filter(name, f) for name, f in filters.items()}
        self.tests = dict(self.tests)
        self.globals = {"range": _counted_range}

    @staticmethod
    def tick() -> None:
        budget().tick()

    @staticmethod
    def _finalize(value: Any) -> Any:
        """Every printed value: empty ones become Blanks, yes/no for booleans.

        The case's text was escaped out of the markup when the context was prepared, so what
        a macro, a block's super() or a filter returns is printed as it is.
        """
        if isinstance(value, Blank):
            return value
        if value is None or value == "":
            return Blank(name="an empty field")
        if isinstance(value, bool):
            return "yes" if value else "no"
        check_printable(value, "printing this value")
        return value

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja_nodes.Template:
        return codegen.parse(self, source, name, filename)

    def _compile(self, source: str, filename: str) -> CodeType:
        try:
            return super()._compile(source, filename)
        except (SyntaxError, RecursionError, MemoryError):
            # Python's own limits (a hundred indents, two hundred brackets); the nesting
            # check in codegen.py should refuse such a template first, with its line.
            raise TemplateLimitError("the template nests brackets or blocks too deeply") from None

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        return bounded.binop(operator_name, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget().tick()
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, str) and len(argument) > MAX_TEXT:
                raise TemplateLimitError(f"a text of over {MAX_TEXT:,} characters was passed on")
        args = bounded.check_method(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        name = getattr(__obj, "__name__", "the call")
        return check_value(result, f"{name}()")

    def wrap_str_format(self, value: Any) -> Any:
        return bounded.format_method(self, value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, slice):
            return bounded.sliced(obj, argument.start, argument.stop, argument.step)
        return super().getitem(obj, argument)


def prepare(value: Any, path: str = "") -> Any:
    """The context as the template sees it: empties become named Blanks, lists are counted,
    text is escaped out of the markup."""
    spend = budget()
    prepared, size = _prepare(value, path, spend.known)
    spend.value_limit = max(MAX_VALUE, 2 * size)
    return prepared


def _prepare(value: Any, path: str, known: dict[int, int]) -> tuple[Any, int]:
    """The prepared value and about how many characters it prints as.

    The size of each of the case's lists and tables is noted in ``known`` as it is built, so
    the limits can weigh a value that refers to them without walking the whole case again.
    """
    if isinstance(value, dict):
        prepared: Any = {}
        size = 2
        for key, item in value.items():
            prepared[key], item_size = _prepare(item, f"{path}.{key}" if path else key, known)
            size += 4 + (len(key) if isinstance(key, str) else 24) + item_size
    elif isinstance(value, (list, tuple)):
        items = []
        size = 2
        for index, item in enumerate(value):
            prepared_item, item_size = _prepare(item, f"{path}[{index}]", known)
            items.append(prepared_item)
            size += 2 + item_size
        prepared = Counted(items)
    elif value is None or value == "":
        return Blank(name=path), 24
    elif isinstance(value, str):
        # Escaped once, here, so case text can never become markup, wherever it is printed.
        text = escape(value)
        return text, len(text) + 2
    else:
        return value, weight(value, 1 << 62)
    known[id(prepared)] = size
    return prepared, size


@dataclass(frozen=True)
class Rendered:
    text: str
    blanks: tuple[str, ...]


def render_text(
    environment: LetterEnvironment, template_name: str, context: dict[str, Any]
) -> Rendered:
    """The template's markup, or TemplateRenderError naming the template's line."""
    budget_token = start_budget()
    blanks_token = _blanks.set([])
    try:
        template = environment.get_template(template_name)
        pieces: list[str] = []
        length = 0
        for piece in template.generate(prepare(context)):
            length += len(piece)
            if length > MAX_TEXT:
                raise TemplateLimitError(f"the letter grew past {MAX_TEXT:,} characters")
            pieces.append(piece)
        return Rendered("".join(pieces), tuple(_blanks.get()))
    except TemplateSyntaxError as error:
        raise TemplateRenderError(
            error.name or template_name, error.lineno, _describe(error)
        ) from None
    except (
        TemplateError,
        TemplateLimitError,
        RuntimeError,
        MemoryError,
        ArithmeticError,
        TypeError,
        ValueError,
        AttributeError,
        LookupError,
    ) as error:
        name, line = _template_position(error.__traceback__, environment, template_name)
        raise TemplateRenderError(name, line, _describe(error)) from None
    finally:
        end_budget(budget_token)
        _blanks.reset(blanks_token)


def check_syntax(environment: LetterEnvironment, source: str, name: str) -> None:
    """Raise TemplateRenderError if ``source`` is not a valid template."""
    if len(source) > MAX_TEMPLATE:
        raise TemplateRenderError(name, None, f"the template is over {MAX_TEMPLATE:,} characters")
    try:
        # Compiling, not only parsing, also catches an unknown filter or test.
        environment.compile(source, name=name)
    except TemplateSyntaxError as error:
        raise TemplateRenderError(name, error.lineno, _describe(error)) from None
    except TemplateLimitError as error:
        raise TemplateRenderError(name, None, _describe(error)) from None


def _describe(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "the template calls itself without end"
    if isinstance(error, ValueError) and "integer string conversion" in str(error):
        return "a number is too long to print (over 4,300 digits)"
    if isinstance(error, OverflowError):
        return "a number grew too large"
    if isinstance(error, MemoryError):
        return "the template needs more memory than this computer can give it"
    if isinstance(error, SecurityError):
        return f"not allowed in a letter template ({error})"
    text = str(error) or type(error).__name__
    return text[0].lower() + text[1:] if text else text


def _template_position(
    tb: TracebackType | None, environment: LetterEnvironment, fallback: str
) -> tuple[str, int | None]:
    """The innermost template line in a traceback (Jinja maps its frames back to them)."""
    found: tuple[str, int | None] = (fallback, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and "<" not in filename:
            found = (filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1], tb.tb_lineno)
        elif filename == "<template>":
            found = (fallback, tb.tb_lineno)
        tb = tb.tb_next
    return found
