"""How a letter template is compiled: Jinja's code generator, with the few places routed
through the bounded operations that Jinja's sandbox does not intercept by itself.

Jinja's sandbox sees calls, attribute access and the operators it is told to; it does not see
a ``{% for %}`` turn, ``~``, a slice, a list written out, or an ``{% include %}``. Each of those
is routed here through the environment, so each draws on the render's budget and is bounded.
The template's nesting is checked before any of this, so a template nested a hundred deep is
refused with its line instead of breaking Python's own limits.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser

from claimdesk.letters.limits import MAX_DEPTH, MAX_LOOPS, MAX_NESTING

# Statements whose body sits inside them.
_BLOCKS = (
    nodes.For,
    nodes.If,
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.With,
    nodes.Block,
    nodes.AssignBlock,
    nodes.Scope,
    nodes.ScopedEvalContextModifier,
)


class LetterCodeGenerator(CodeGenerator):
    """Jinja's code generator, with loops, ``~``, slices, literals and includes bounded."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        node.iter = _environment_call("loop_items", node.iter)  # type: ignore[arg-type]
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.tilde((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):
            super().visit_Getitem(node, frame)
            return
        self.write("environment.sliced(")
        self.visit(node.node, frame)
        for part in (node.arg.start, node.arg.stop, node.arg.step):
            self.write(", ")
            if part is None:
                self.write("None")
            else:
                self.visit(part, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._literal(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._literal(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # the names of `{% for a, b in ... %}` or `{% set a, b = %}`
            super().visit_Tuple(node, frame)
            return
        self._literal(super().visit_Tuple, node, frame)

    def _literal(self, visit: Any, node: nodes.Expr, frame: Frame) -> None:
        self.write("environment.literal(")
        visit(node, frame)
        self.write(")")

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        self.writeline("environment.tick()", node)
        super().visit_Include(node, frame)

    def visit_Import(self, node: nodes.Import, frame: Frame) -> None:
        self.writeline("environment.tick()", node)
        super().visit_Import(node, frame)

    def visit_FromImport(self, node: nodes.FromImport, frame: Frame) -> None:
        self.writeline("environment.tick()", node)
        super().visit_FromImport(node, frame)


def _environment_call(name: str, argument: nodes.Expr) -> nodes.Call:
    """``environment.<name>(argument)`` as a template node (sandboxed like any call)."""
    call = nodes.Call(
        nodes.EnvironmentAttribute(name, lineno=argument.lineno),
        [argument],
        [],
        None,
        None,
        lineno=argument.lineno,
    )
    environment = getattr(argument, "environment", None)
    if environment is not None:
        call.set_environment(environment)
    return call


def parse(environment: Any, source: str, name: str | None, filename: str | None) -> nodes.Template:
    """The template's tree, or TemplateSyntaxError if it nests too deeply to run."""
    parser = Parser(environment, source, name, filename)
    try:
        tree = parser.parse()
    except RecursionError:
        # Jinja's parser recurses once per level; the token it stopped at is where it was.
        raise TemplateSyntaxError(
            "the template nests brackets or blocks too deeply",
            parser.stream.current.lineno,
            name,
            filename,
        ) from None
    check_nesting(tree, name, filename)
    return tree


def check_nesting(tree: nodes.Template, name: str | None, filename: str | None) -> None:
    """Refuse loops nested more than MAX_LOOPS deep, blocks more than MAX_NESTING, or
    anything more than MAX_DEPTH."""
    # Walked with a list, not recursion: the tree may be nearly as deep as Python allows.
    pending: list[tuple[nodes.Node, int, int, int]] = [(tree, 0, 0, 0)]
    while pending:
        node, loops, blocks, depth = pending.pop()
        if loops > MAX_LOOPS:
            # Each {% for %} is a Python for loop, and Python compiles at most 20 inside one
            # another ("too many statically nested blocks").
            problem = f"{{% for %}} loops are nested more than {MAX_LOOPS} deep here"
        elif blocks > MAX_NESTING:
            problem = (
                f"blocks such as {{% for %}} and {{% if %}} are nested more than "
                f"{MAX_NESTING} deep here"
            )
        elif depth > MAX_DEPTH:
            problem = f"brackets and blocks are nested more than {MAX_DEPTH} deep here"
        else:
            problem = ""
        if problem:
            raise TemplateSyntaxError(problem, node.lineno, name, filename)
        inner_loops = loops + 1 if isinstance(node, nodes.For) else loops
        inner = blocks + 1 if isinstance(node, _BLOCKS) else blocks
        elifs = {id(branch) for branch in node.elif_} if isinstance(node, nodes.If) else set()
        for child in node.iter_child_nodes():
            # An {% elif %} is a branch of its {% if %}, not a block inside it.
            level = blocks if id(child) in elifs else inner
            pending.append((child, inner_loops, level, depth + 1))
