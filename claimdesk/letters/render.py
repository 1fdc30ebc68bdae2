"""Rendering a letter template safely: a Jinja2 sandbox over plain values, with limits.

The sandbox refuses attribute access to Python internals; on top of it every loop and call
draws on one budget, strings may not be multiplied or concatenated past a size, and the whole
render has a time limit, so a template written by mistake (or with ill intent) ends in a
message naming its line instead of a frozen or exhausted machine.
"""

from __future__ import annotations

import contextvars
import operator
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from claimdesk.errors import TemplateRenderError
from claimdesk.letters.markup import escape

MAX_STEPS = 200_000  # loop iterations and calls, all together
MAX_SECONDS = 5.0
MAX_TEXT = 1_000_000  # characters in any one string and in the letter
MAX_TEMPLATE = 200_000  # characters of template source

# Filters a letter needs; the rest (format, center, indent, wordwrap, xmlattr, tojson...) can
# build huge strings from a small expression or are of no use in a letter.
_FILTERS = (
    "capitalize", "count", "default", "d", "first", "join", "last", "length", "list", "lower",
    "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "select",
    "selectattr", "sort", "string", "sum", "title", "trim", "truncate", "unique", "upper",
    "wordcount", "abs", "int", "float", "batch", "slice", "groupby", "dictsort", "items",
)


@dataclass
class _Budget:
    steps: int = 0
    started: float = 0.0

    def tick(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise TemplateLimitError(
                f"the template repeats too much (over {MAX_STEPS:,} steps of loops and calls)"
            )
        if self.steps % 256 == 0 and time.monotonic() - self.started > MAX_SECONDS:
            raise TemplateLimitError(f"the template took longer than {MAX_SECONDS:.0f} seconds")


class TemplateLimitError(Exception):
    """A render went past one of the limits above."""


_budget: contextvars.ContextVar[_Budget] = contextvars.ContextVar("letter_budget")
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


class _Counted(Sequence[Any]):
    """A list in a template: iterating it draws on the render's budget."""

    __slots__ = ("_items",)

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        budget = _budget.get()
        for item in self._items:
            budget.tick()
            yield item

    def __bool__(self) -> bool:
        return bool(self._items)


def _counted_range(*args: int) -> Iterator[int]:
    budget = _budget.get()
    for number in range(*args):
        budget.tick()
        yield number


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_TEXT:
        raise TemplateLimitError(f"the template built a text longer than {MAX_TEXT:,} characters")
    return value


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
        self.filters = {name: self.filters[name] for name in _FILTERS if name in self.filters}
        self.filters.update(clause=_clause, inline=_inline, lower_first=_lower_first)
        self.tests = dict(self.tests)
        self.globals = {"range": _counted_range}

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
        return value

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        _budget.get().tick()
        if operator_name == "%" and isinstance(left, str):
            raise SecurityError("'%' formatting is not available in letters; use ~ to join text")
        if operator_name == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise TemplateLimitError("the template raised a number to too high a power")
        if operator_name == "*":
            count = right if isinstance(left, (str, list, tuple)) else left
            item = left if isinstance(left, (str, list, tuple)) else right
            if isinstance(item, (str, list, tuple)) and isinstance(count, int):
                _check_size(range(len(item) * max(count, 0)))
        if operator_name == "+" and isinstance(left, (str, list, tuple)):
            _check_size(range(len(left) + len(right)))
        result = {
            "*": operator.mul,
            "**": operator.pow,
            "+": operator.add,
            "%": operator.mod,
        }[operator_name](left, right)
        return _check_size(result)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _budget.get().tick()
        for argument in (*args, *kwargs.values()):
            _check_size(argument)
        return _check_size(super().call(__context, __obj, *args, **kwargs))


def prepare(value: Any, path: str = "") -> Any:
    """The context as the template sees it: empties become named Blanks, lists are counted,
    text is escaped out of the markup."""
    if isinstance(value, dict):
        return {k: prepare(v, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return _Counted([prepare(v, f"{path}[{i}]") for i, v in enumerate(value)])
    if value is None or value == "":
        return Blank(name=path)
    if isinstance(value, str):
        # Escaped once, here, so case text can never become markup, wherever it is printed.
        return escape(value)
    return value


@dataclass(frozen=True)
class Rendered:
    text: str
    blanks: tuple[str, ...]


def render_text(
    environment: LetterEnvironment, template_name: str, context: dict[str, Any]
) -> Rendered:
    """The template's markup, or TemplateRenderError naming the template's line."""
    budget_token = _budget.set(_Budget(started=time.monotonic()))
    blanks_token = _blanks.set([])
    try:
        template = environment.get_template(template_name)
        pieces: list[str] = []
        length = 0
        for piece in template.generate(prepare(context)):
            length += len(piece)
            if length > MAX_TEXT:
                raise TemplateLimitError(
                    f"the letter grew past {MAX_TEXT:,} characters"
                )
            pieces.append(piece)
        return Rendered("".join(pieces), tuple(_blanks.get()))
    except TemplateSyntaxError as error:
        raise TemplateRenderError(
            error.name or template_name, error.lineno, _describe(error)
        ) from None
    except (TemplateError, TemplateLimitError, RecursionError, ArithmeticError, TypeError,
            ValueError, AttributeError, KeyError, IndexError) as error:
        name, line = _template_position(error.__traceback__, environment, template_name)
        raise TemplateRenderError(name, line, _describe(error)) from None
    finally:
        _budget.reset(budget_token)
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


def _describe(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "the template calls itself without end"
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

