"""The operations a template can make big, each bounded before it runs.

Sizes are estimated from the operands (``'a' * n`` is ``n`` characters, ``x ** n`` about
``n * log2(x)`` bits, ``s.replace(a, b)`` grows by ``s.count(a) * (len(b) - len(a))``) and
refused over a limit, so nothing huge is ever allocated and no single step runs for long.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from types import GeneratorType
from typing import Any

from jinja2 import pass_context
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.sandbox import SandboxedFormatter

from claimdesk.letters.limits import (
    MAX_INT_BITS,
    MAX_TEXT,
    Counted,
    TemplateLimitError,
    budget,
    check_printable,
    check_value,
    printed_size,
    too_big,
    too_long,
    too_many_digits,
    weight,
)

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "+": operator.add,
    "%": operator.mod,
}
# Methods with no use in a letter that turn a short text into a long one or into bytes.
_REFUSED_METHODS = frozenset({"encode", "translate", "maketrans", "to_bytes", "from_bytes"})


# --- operators ------------------------------------------------------------------------------


def binop(name: str, left: Any, right: Any) -> Any:
    """``left <name> right``, refused before it runs if the result would be too big."""
    budget().tick()
    if name == "%" and isinstance(left, str):
        raise SecurityError("'%' formatting is not available in letters; use ~ to join text")
    if name == "**":
        _check_power(left, right)
    elif name == "*":
        _check_repeat(left, right)
    elif name == "+":
        _check_add(left, right)
    return check_value(_OPERATORS[name](left, right), f"'{name}'")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_power(base: Any, exponent: Any) -> None:
    # A big-number power is one C call that no time limit can interrupt: bound its size first.
    if not (_is_int(base) and _is_int(exponent)) or exponent <= 1 or abs(base) <= 1:
        return
    if (abs(base).bit_length() - 1) * exponent > MAX_INT_BITS:
        raise TemplateLimitError(too_many_digits("raising a number to that power"))


def _check_repeat(left: Any, right: Any) -> None:
    sequence, count = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimitError(too_many_digits("multiplying those numbers"))
        return
    if not isinstance(count, int) or count <= 1:
        return
    if isinstance(sequence, str):
        if len(sequence) * count > MAX_TEXT:
            raise TemplateLimitError(too_long("repeating text with *"))
    elif isinstance(sequence, (list, tuple)):
        limit = budget().value_limit
        contents = weight(sequence, limit // count + 2) - 2  # less its own brackets
        if contents * count > limit:
            raise TemplateLimitError(too_big("repeating a list with *"))


def _check_add(left: Any, right: Any) -> None:
    if isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_TEXT:
            raise TemplateLimitError(too_long("joining text with +"))
    elif (
        isinstance(left, (list, tuple))
        and isinstance(right, (list, tuple))
        and weight(left, limit := budget().value_limit) + weight(right, limit) > limit
    ):
        raise TemplateLimitError(too_big("joining lists with +"))


# --- text -----------------------------------------------------------------------------------


def replaced_size(text: str, old: str, new: str, count: int | None) -> int:
    """How long ``text.replace(old, new, count)`` would be, without building it."""
    found = text.count(old)  # for an empty ``old`` this is len(text) + 1, as replace sees it
    if count is not None and 0 <= count < found:
        found = count
    return len(text) + found * (len(new) - len(old))


def joined(pieces: Iterable[Any], separator: str, what: str) -> list[str]:
    """The pieces as text, once their total with the separators is known to be short enough."""
    texts: list[str] = []
    total = 0
    for piece in pieces:
        size = printed_size(piece, MAX_TEXT - total)
        total += size + (len(separator) if texts else 0)
        if total > MAX_TEXT:
            raise TemplateLimitError(too_long(what))
        texts.append(piece if isinstance(piece, str) else str(piece))
    return texts


def concat(pieces: Iterable[str]) -> str:
    """What a macro, a ``{% set %}`` block or ``caller()`` returns: its output, joined."""
    texts = pieces if isinstance(pieces, list) else list(pieces)
    if sum(map(len, texts)) > MAX_TEXT:
        raise TemplateLimitError(too_long("the text of a block or macro"))
    result = "".join(texts)
    budget().build(len(result))
    return result


def tilde(values: Sequence[Any]) -> str:
    """``a ~ b ~ c``."""
    budget().tick()
    result = "".join(joined(values, "", "joining text with ~"))
    budget().build(len(result))
    return result


def check_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a call of a text method whose result would be too long; the arguments to use."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, (str, int, bytes)) and name in _REFUSED_METHODS:
        raise SecurityError(f"{name}() is not available in letters")
    if not isinstance(owner, str):
        return args
    what = f"{name}()"
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        size = max(len(owner), args[0])
    elif name == "expandtabs":
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        size = len(owner) + owner.count("\t") * max(tabsize, 0) if isinstance(tabsize, int) else 0
    elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        count = args[2] if len(args) > 2 else kwargs.get("count")
        size = replaced_size(owner, args[0], args[1], count if isinstance(count, int) else None)
    elif name == "join" and args:
        # Measured as the items go by, then joined from the list (a generator is used up).
        return (joined(args[0], owner, what), *args[1:])
    else:
        return args
    if size > MAX_TEXT:
        raise TemplateLimitError(too_long(what))
    return args


class BoundedFormatter(SandboxedFormatter):
    """``'{:>20}'.format(x)`` with the width, the precision and the whole result bounded."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.total = 0

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is not None:
            check_printable(value, "format()")
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        # Widths and precisions are the only numbers in a spec that make text longer.
        digits = "".join(c if c.isdigit() else " " for c in format_spec).split()
        if any(len(d) > 7 or int(d) > MAX_TEXT for d in digits):
            raise TemplateLimitError(too_long("format()"))
        check_printable(value, "format()")
        result = super().format_field(value, format_spec)
        self.total += len(result)
        if self.total > MAX_TEXT:
            raise TemplateLimitError(too_long("format()"))
        return result


def format_method(env: Any, method: Any) -> Callable[..., str] | None:
    """A bounded stand-in for ``text.format`` / ``text.format_map`` (None for anything else)."""
    text = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if not isinstance(text, str) or name not in ("format", "format_map"):
        return None

    def bounded(*args: Any, **kwargs: Any) -> str:
        if name == "format_map":
            if kwargs or len(args) != 1:
                raise TypeError("format_map() takes exactly one argument")
            return BoundedFormatter(env).vformat(text, (), args[0])
        return BoundedFormatter(env).vformat(text, args, kwargs)

    return functools.update_wrapper(bounded, method)


# --- lists ----------------------------------------------------------------------------------


class Ticking:
    """Something a ``{% for %}`` loop or a filter iterates: each item is a step of the budget,
    and what it hands out is weighed, so an endless or huge stream stops at the limits."""

    __slots__ = ("_source", "_what")

    def __init__(self, source: Iterable[Any], what: str) -> None:
        self._source = source
        self._what = what

    def __len__(self) -> int:
        # Only for a sized source; LoopContext falls back to counting when this raises.
        return len(self._source)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        # As the source would answer: a generator is always true, a list when it has items.
        return bool(self._source) if isinstance(self._source, Sized) else True

    def __iter__(self) -> Iterator[Any]:
        spend = budget()
        weighed = not isinstance(self._source, Counted)  # the case's own lists are known
        handed = 0
        for item in self._source:
            spend.tick()
            if weighed and not isinstance(item, (int, float)) and item is not None:
                handed += weight(item, spend.value_limit - handed)
                if handed > spend.value_limit:
                    raise TemplateLimitError(too_big(self._what))
            yield item


def loop_items(value: Any) -> Any:
    """The iterable of a ``{% for %}`` loop, drawing on the budget at each turn."""
    if isinstance(value, Counted):
        return value  # already counts its turns
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        return value  # a loop over a mapping goes through its keys; Jinja reports the rest
    return Ticking(value, "a loop")


def literal(value: Any) -> Any:
    """A list, tuple or dict written in the template."""
    budget().tick()
    return check_value(value, "the list written here")


def sliced(value: Any, start: Any, stop: Any, step: Any) -> Any:
    """``value[start:stop:step]``, counted like anything else a template builds."""
    budget().tick()
    return check_value(value[start:stop:step], "taking a slice")


# --- filters --------------------------------------------------------------------------------

# Filters that turn their input into text first.
_TEXT_FILTERS = frozenset(
    {
        "capitalize",
        "lower",
        "upper",
        "title",
        "trim",
        "truncate",
        "wordcount",
        "string",
        "clause",
        "inline",
        "lower_first",
    }
)
# Filters that compare or combine every item with the others.
_WHOLE_FILTERS = frozenset({"sort", "unique", "groupby", "dictsort", "min", "max"})


def _pre_join(value: Any, args: list[Any], kwargs: dict[str, Any], env: Any) -> Any:
    separator = args.pop(0) if args else kwargs.pop("d", "")
    attribute = args.pop(0) if args else kwargs.pop("attribute", None)
    check_printable(separator, "the join filter")
    if attribute is not None:
        value = map(make_attrgetter(env, attribute), value)
    args[:] = [str(separator)]
    return joined(Ticking(value, "the join filter"), args[0], "the join filter")


def _pre_replace(value: Any, args: list[Any], kwargs: dict[str, Any], env: Any) -> Any:
    for piece in (value, *args[:2]):
        check_printable(piece, "the replace filter")
    if len(args) >= 2:
        count = args[2] if len(args) > 2 else kwargs.get("count")
        size = replaced_size(
            str(value), str(args[0]), str(args[1]), count if isinstance(count, int) else None
        )
        if size > MAX_TEXT:
            raise TemplateLimitError(too_long("the replace filter"))
    return value


def _pre_batch(value: Any, args: list[Any], kwargs: dict[str, Any], env: Any) -> Any:
    size = args[0] if args else kwargs.get("linecount")
    if isinstance(size, int) and size > MAX_TEXT:
        raise TemplateLimitError(too_big("the batch filter"))
    return value


def _pre_sum(value: Any, args: list[Any], kwargs: dict[str, Any], env: Any) -> Any:
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    if not isinstance(start, (int, float)):
        raise SecurityError("the sum filter adds numbers only")
    return value


_PRE: dict[str, Callable[[Any, list[Any], dict[str, Any], Any], Any]] = {
    "join": _pre_join,
    "replace": _pre_replace,
    "batch": _pre_batch,
    "sum": _pre_sum,
}


def bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a filter that draws on the budget and is bounded like the operators.

    The wrapper takes the render's context, which also keeps Jinja from running the filter
    while it compiles the template (it folds constant expressions by calling filters).
    """
    passed = getattr(getattr(func, "jinja_pass_arg", None), "name", None)
    what = f"the {name} filter"

    def run(context: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget().tick()
        env = context.environment
        arguments = list(args)
        if name in _TEXT_FILTERS:
            check_printable(value, what)
        elif name in _WHOLE_FILTERS and isinstance(value, Mapping):
            check_value(value, what)
        elif name in _WHOLE_FILTERS and not isinstance(value, str):
            # Every item is compared with others: weigh them all before any comparison.
            value = list(value if isinstance(value, Ticking) else Ticking(value, what))
            budget().build(len(value))
        if name in _PRE:
            value = _PRE[name](value, arguments, kwargs, env)
        lead = {
            "context": (context,),
            "eval_context": (context.eval_ctx,),
            "environment": (env,),
        }.get(passed or "", ())
        result = func(*lead, value, *arguments, **kwargs)
        if isinstance(result, (GeneratorType, map, filter, Iterator)):
            return Ticking(result, what)
        return check_value(result, what)

    functools.update_wrapper(run, func)  # copies func's own jinja_pass_arg: replaced next
    return pass_context(run)
