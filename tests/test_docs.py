"""Every Python example in the documentation runs, under both engines.

The examples are the code blocks of the Sphinx pages (``docs/**/*.md`` in MyST Markdown and
``docs/**/*.rst``) and of the Markdown files at the top of the repository that users read
(README.md, CONTRIBUTING.md, bench/README.md). Extracting them is plain text processing, so these
tests need no Sphinx. Each Python block runs on its own, in a fresh namespace, as a reader would
paste it; a block that starts with ``>>>`` runs as a doctest instead. A block that builds a Flask
app must also send it a request with ``app.test_client()`` and check the answer (an ``assert``, or
a doctest's expected output), so an example cannot show headers it does not get.

Every code block must name its language: a Python example without one would not run here. The
autouse ``engine`` fixture (conftest.py) runs each example under the pure-Python and the compiled
engine, like every other test.

A copy of ``tests/`` without the documentation next to it (scripts/check-dist and cibuildwheel run
the suite that way) has no examples to run: the example tests are then not defined at all, rather
than reported as skipped; the extractor's own tests below still run.
"""

from __future__ import annotations

import dataclasses
import doctest
import io
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TOP_LEVEL_MARKDOWN = ("README.md", "CONTRIBUTING.md", "bench/README.md")

PYTHON = frozenset({"python", "python3", "py", "py3", "pycon"})
# Languages of blocks that are shown, not run. Anything else (or no language) is an error, so a
# Python example cannot escape these tests by a typo or a missing language.
NOT_RUN = frozenset("sh bash console shell text none diff toml yaml ini json http".split())
# MyST directives whose body is code, and those whose body is reStructuredText.
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
RST_DIRECTIVES = frozenset({"eval-rst"})


@dataclasses.dataclass(frozen=True)
class Block:
    """One code block: where it is (1-based line of its first code line), its language, its code."""

    path: str
    line: int
    language: str
    source: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


# --- extraction -------------------------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_MYST_OPTION = re.compile(r"^:[\w-]+:")


def _fence_closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
        and len(line) - len(line.lstrip(" ")) <= 3
    )


def _strip_directive_options(lines: list[str]) -> tuple[int, list[str]]:
    """Drop a MyST directive's leading options (``:key: value`` lines or a ``---`` YAML block)."""
    skipped = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            skipped = end + 1
    else:
        while skipped < len(lines) and _MYST_OPTION.match(lines[skipped]):
            skipped += 1
    if skipped:
        while skipped < len(lines) and not lines[skipped].strip():
            skipped += 1
    return skipped, lines[skipped:]


def markdown_blocks(text: str, path: str, first_line: int = 1) -> Iterator[Block]:
    """The fenced code blocks of a (MyST) Markdown text, including those inside directives."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None or (match["fence"][0] == "`" and "`" in match["info"]):
            i += 1
            continue
        fence, info, indent = match["fence"], match["info"].strip(), len(match["indent"])
        end = i + 1
        while end < len(lines) and not _fence_closes(lines[end], fence):
            end += 1
        body = [line[indent:] if line[:indent].isspace() else line for line in lines[i + 1 : end]]
        body_line = first_line + i + 1
        if info.startswith("{") and "}" in info:
            directive, _, argument = info[1:].partition("}")
            if directive in CODE_DIRECTIVES:
                skipped, code = _strip_directive_options(body)
                language = argument.split()[0] if argument.split() else ""
                yield Block(path, body_line + skipped, language, "\n".join(code) + "\n")
            elif directive in RST_DIRECTIVES:
                yield from rst_blocks("\n".join(body), path, body_line)
            else:  # admonitions and the like hold Markdown; include, toctree and autodoc hold none
                yield from markdown_blocks("\n".join(body), path, body_line)
        else:
            language = info.split()[0] if info else ""
            yield Block(path, body_line, language, "\n".join(body) + "\n")
        i = end + 1


_RST_CODE = re.compile(
    r"^(?P<indent>\s*)\.\.\s+(?P<directive>code-block|code|sourcecode|doctest|testcode)::"
    r"\s*(?P<language>\S*)\s*$"
)
_RST_LITERAL = re.compile(r"^(?P<indent>\s*)(?!\.\.\s).*::\s*$")
_RST_DOCTEST = re.compile(r"^(?P<indent>\s*)>>>")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def rst_blocks(text: str, path: str, first_line: int = 1) -> Iterator[Block]:
    """The code blocks of a reST text: code-block/code/sourcecode/doctest/testcode directives,
    doctest blocks (paragraphs that start with ``>>>``) and ``::`` literal blocks (which have no
    language of their own)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if _RST_DOCTEST.match(lines[i]) and (i == 0 or not lines[i - 1].strip()):
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            source = textwrap.dedent("\n".join(lines[i:j])) + "\n"
            yield Block(path, first_line + i, "pycon", source)
            i = j
            continue
        code = _RST_CODE.match(lines[i])
        found = code or _RST_LITERAL.match(lines[i])
        if found is None:
            i += 1
            continue
        outer = len(found["indent"])
        if code is not None:
            language = code["language"] or ("python" if code["directive"] != "code" else "")
        else:
            language = ""  # a literal block
        j = i + 1
        while j < len(lines) and code is not None and _MYST_OPTION.match(lines[j].strip()):
            j += 1  # the directive's options
        while j < len(lines) and not lines[j].strip():
            j += 1
        start = j
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > outer):
            j += 1
        body = lines[start:j]
        while body and not body[-1].strip():
            body.pop()
        if body:
            source = textwrap.dedent("\n".join(body)) + "\n"
            yield Block(path, first_line + start, language, source)
        i = max(j, i + 1)


def document_blocks(path: Path) -> list[Block]:
    relative = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    extract = rst_blocks if path.suffix == ".rst" else markdown_blocks
    return list(extract(text, relative))


def documents() -> list[Path]:
    found = [ROOT / name for name in TOP_LEVEL_MARKDOWN if (ROOT / name).is_file()]
    if DOCS.is_dir():
        found += sorted(
            p
            for suffix in ("*.md", "*.rst")
            for p in DOCS.rglob(suffix)
            if "_build" not in p.relative_to(DOCS).parts
        )
    return found


ALL_BLOCKS = [block for path in documents() for block in document_blocks(path)]
EXAMPLES = [block for block in ALL_BLOCKS if block.language in PYTHON]


# --- running ----------------------------------------------------------------------------------


def is_doctest(source: str) -> bool:
    first = next((line for line in source.splitlines() if line.strip()), "")
    return first.lstrip().startswith(">>>")


def run_example(block: Block) -> None:
    """Run one example in a fresh namespace; tracebacks name the document and its line."""
    namespace: dict[str, object] = {"__name__": "docs_example"}
    if is_doctest(block.source):
        test = doctest.DocTestParser().get_doctest(
            block.source, namespace, str(block), block.path, block.line - 1
        )
        out = io.StringIO()
        runner = doctest.DocTestRunner(
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
        )
        runner.run(test, out=out.write)
        assert runner.failures == 0, f"doctest failed in {block}:\n{out.getvalue()}"
        return
    # Pad with empty lines so that line numbers in a traceback are the document's.
    code = compile("\n" * (block.line - 1) + block.source, block.path, "exec")
    exec(code, namespace)


def checks_a_request(block: Block) -> bool:
    """A block that builds a Flask app must send it a request and check what comes back."""
    if not re.search(r"\bFlask\(", block.source):
        return True
    sends = "test_client()" in block.source
    checks = "assert " in block.source or is_doctest(block.source)
    return sends and checks


if EXAMPLES:

    @pytest.mark.parametrize("example", EXAMPLES, ids=str)
    def test_example_runs(example: Block) -> None:
        assert checks_a_request(example), (
            f"{example}: an example that builds a Flask app must send it a request with "
            "app.test_client() and check the response (assert, or doctest output)"
        )
        run_example(example)


if ALL_BLOCKS:

    @pytest.mark.parametrize("block", ALL_BLOCKS, ids=str)
    def test_code_block_names_its_language(block: Block) -> None:
        assert block.language in PYTHON | NOT_RUN, (
            f"{block}: code block language {block.language!r}; name one of "
            f"{sorted(PYTHON)} (run by this test) or {sorted(NOT_RUN)} (shown only)"
        )


if DOCS.is_dir():

    def test_every_page_with_python_has_its_examples_collected() -> None:
        # A cross-check of the extractor with a cruder count: every opening fence that names
        # Python, in every page, is an example.
        opening = re.compile(
            r"^\s{0,3}(`{3,}|~{3,})\s*(\{(code-block|code|sourcecode)\}\s*)?(py|python)"
        )
        for path in documents():
            if path.suffix != ".md":
                continue
            relative = path.relative_to(ROOT).as_posix()
            expected = sum(
                1 for line in path.read_text(encoding="utf-8").splitlines() if opening.match(line)
            )
            found = sum(1 for block in EXAMPLES if block.path == relative)
            assert found == expected, f"{relative}: {found} examples collected, {expected} fences"

    def test_the_documentation_has_examples() -> None:
        pages = {block.path for block in EXAMPLES}
        assert "README.md" in pages
        assert len({p for p in pages if p.startswith("docs/")}) >= 5, sorted(pages)


# --- the extractor itself (runs everywhere, also without the documentation) --------------------

MARKDOWN_SAMPLE = """\
# Title

```python
x = 1
```

````{note}
Inside a directive:

```py
y = 2
```
````

```{code-block} python
:caption: with an option

z = 3
```

:::{tip}
```sh
echo shown only
```
:::

```
no language
```

```not a fence``` but inline code
"""

RST_SAMPLE = """\
Title
=====

.. code-block:: python
   :caption: an option

   a = 1
   if a:
       b = 2

Some text::

   literal, no language

.. note::

   .. code-block:: console

      $ echo hi

>>> 2 * 21
42
"""


def test_markdown_extraction() -> None:
    blocks = list(markdown_blocks(MARKDOWN_SAMPLE, "sample.md"))
    assert [(b.line, b.language, b.source) for b in blocks] == [
        (4, "python", "x = 1\n"),
        (11, "py", "y = 2\n"),
        (18, "python", "z = 3\n"),
        (23, "sh", "echo shown only\n"),
        (28, "", "no language\n"),
    ]


def test_rst_extraction() -> None:
    blocks = list(rst_blocks(RST_SAMPLE, "sample.rst"))
    assert [(b.line, b.language, b.source) for b in blocks] == [
        (7, "python", "a = 1\nif a:\n    b = 2\n"),
        (13, "", "literal, no language\n"),
        (19, "console", "$ echo hi\n"),
        (21, "pycon", ">>> 2 * 21\n42\n"),
    ]


def test_eval_rst_inside_markdown() -> None:
    text = "```{eval-rst}\n.. code-block:: python\n\n   c = 3\n```\n"
    assert [(b.line, b.language, b.source) for b in markdown_blocks(text, "m.md")] == [
        (4, "python", "c = 3\n")
    ]


def test_failures_point_at_the_document_line() -> None:
    block = Block("docs/page.md", 7, "python", "x = 1\nraise RuntimeError('from the page')\n")
    with pytest.raises(RuntimeError) as caught:
        run_example(block)
    frame = caught.traceback[-1]
    assert (Path(str(frame.path)).name, frame.lineno + 1) == ("page.md", 8)


def test_doctest_blocks_compare_their_output() -> None:
    good = Block("d.md", 1, "pycon", ">>> 1 + 1\n2\n")
    run_example(good)
    bad = Block("d.md", 1, "pycon", ">>> 1 + 1\n3\n")
    with pytest.raises(AssertionError, match="doctest failed"):
        run_example(bad)


def test_an_app_example_must_check_a_request() -> None:
    builds = "from flask import Flask\napp = Flask(__name__)\n"
    assert not checks_a_request(Block("d.md", 1, "python", builds))
    checked = builds + "r = app.test_client().get('/')\nassert r.status_code == 404\n"
    assert checks_a_request(Block("d.md", 1, "python", checked))
    assert checks_a_request(Block("d.md", 1, "python", "import fastcors\n"))
