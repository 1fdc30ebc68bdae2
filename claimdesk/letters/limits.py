"""The limits a letter template renders under, and the one budget that enforces them.

Jinja runs a template as Python code in this process, and a single C-level operation (a
string repeated a billion times, a power of a power) cannot be interrupted once it has
started. So every operation that can allocate is bounded *before* it runs, from the sizes of
its operands; everything else draws on one budget of steps that also watches the clock, so a
render that loops stops within one bounded operation of the time limit.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_STEPS = 200_000  # loop iterations, calls, filters and operators, all together
MAX_SECONDS = 5.0
MAX_TEXT = 1_000_000  # characters in any one string, in anything printed, and in the letter
# A list or table the template builds, in characters as it would print (or twice the case's
# own data, if that is more: a template may list all of a very big case's calls).
MAX_VALUE = 5_000_000
MAX_BUILT = 20_000_000  # characters and list items a render may build in all
MAX_INT_BITS = 100_000  # about 30,000 digits; Python will not even print past 4,300
MAX_TEMPLATE = 200_000  # characters of template source
MAX_NESTING = 30  # {% for %}, {% if %}, {% macro %}... inside one another
MAX_LOOPS = 15  # {% for %} inside one another
MAX_DEPTH = 100  # any expression or block inside another, brackets included


# The clock the time limit reads; a test replaces it to run a render past the limit at once.
clock = time.monotonic


class TemplateLimitError(Exception):
    """A render would go past one of the limits above."""


@dataclass
class Budget:
    """What one render has spent so far."""

    started: float = field(default_factory=lambda: clock())
    steps: int = 0
    built: int = 0
    # Sizes of the case's own lists and tables, worked out once when the context is prepared,
    # so weighing a value that refers to them does not walk the whole case every time.
    known: dict[int, int] = field(default_factory=dict)
    value_limit: int = MAX_VALUE

    def tick(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise TemplateLimitError(
                f"the template repeats too much (over {MAX_STEPS:,} steps of loops and calls)"
            )
        self.check_time()

    def check_time(self) -> None:
        # Checked on every step (a clock read costs far less than the step itself), so a render
        # overruns by at most one operation, and each operation is bounded in size.
        if clock() - self.started > MAX_SECONDS:
            raise TemplateLimitError(f"the template took longer than {MAX_SECONDS:.0f} seconds")

    def build(self, size: int) -> None:
        """Count text or list items a render creates: many values that are each within the
        limits could together still fill the memory."""
        self.built += size
        if self.built > MAX_BUILT:
            raise TemplateLimitError(
                f"the template builds over {MAX_BUILT:,} characters of text and lists in all"
            )


_budget: contextvars.ContextVar[Budget] = contextvars.ContextVar("letter_budget")


def budget() -> Budget:
    """The running render's budget (a fresh one when Jinja evaluates constants while
    compiling, which happens outside any render)."""
    found = _budget.get(None)
    return found if found is not None else Budget()


def start_budget() -> contextvars.Token[Budget]:
    return _budget.set(Budget())


def end_budget(token: contextvars.Token[Budget]) -> None:
    _budget.reset(token)


class Counted(Sequence[Any]):
    """A list in a template: iterating it draws on the render's budget."""

    __slots__ = ("_items",)

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        spend = budget()
        for item in self._items:
            spend.tick()
            yield item

    def __bool__(self) -> bool:
        return bool(self._items)


def weight(value: Any, limit: int) -> int:
    """About how many characters ``value`` would print as, counted only until past ``limit``.

    A list holding the same big list many times weighs all of it: that is what printing it,
    joining it or comparing its items costs. The walk stops once the limit is passed, so
    weighing costs no more than the limit however big the value claims to be.
    """
    known = budget().known
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, (int, float)) or item is None:
            total += _scalar_weight(item)
        elif (cached := known.get(id(item))) is not None:
            total += cached
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            if total > limit:
                return total
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset, Counted)):
            total += 2 + 2 * len(item)
            if total > limit:
                return total
            if len(item) > 10_000:
                budget().check_time()
            for child in item._items if isinstance(item, Counted) else item:
                # Text and numbers inline (the common case, and the fast one); the rest is
                # walked.
                kind = type(child)
                if kind is str:
                    total += len(child)
                elif kind is int:
                    total += child.bit_length() * 3 // 10 + 1
                elif kind is float or kind is bool or child is None:
                    total += 24
                else:
                    pending.append(child)
        else:
            total += _scalar_weight(item)
        if total > limit:
            return total
    return total


def _scalar_weight(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() * 3 // 10 + 1
    if isinstance(value, (bytes, bytearray)):
        return 4 * len(value)
    return 24


def printed_size(value: Any, limit: int = MAX_TEXT) -> int:
    """About how long ``str(value)`` would be, counted only until past ``limit``."""
    if isinstance(value, str):
        return len(value)
    return weight(value, limit)


def check_printable(value: Any, what: str) -> None:
    """Refuse to turn ``value`` into text if the text would be too long."""
    if not isinstance(value, str) and printed_size(value) > MAX_TEXT:
        raise TemplateLimitError(too_long(what))


def check_value(value: Any, what: str) -> Any:
    """A value the template just built: count it, and refuse it if it is too big."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise TemplateLimitError(too_long(what))
        budget().build(len(value))
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        limit = budget().value_limit
        if weight(value, limit) > limit:
            raise TemplateLimitError(too_big(what))
        budget().build(len(value))
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError(too_many_digits(what))
    return value


def too_long(what: str) -> str:
    return f"{what} would make a text of over {MAX_TEXT:,} characters"


def too_big(what: str) -> str:
    limit = budget().value_limit
    return f"{what} would make a list or table of over {limit:,} characters' worth"


def too_many_digits(what: str) -> str:
    return f"{what} would make a number of over {MAX_INT_BITS * 3 // 10:,} digits"
