"""The package's shape: no import cycles, OUTDIR's names and the invisible set defined once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate import layout, text
from translate.backends.fake import FakeBackend
from translate.errors import InputError
from translate.memory import normalise_source
from translate.readers import READERS, read_documents, read_text
from translate.segment import split_sentences
from translate.translator import Translator

PACKAGE = Path(__file__).resolve().parents[1] / "translate"


# --- import cycles ---------------------------------------------------------------------


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports, anywhere in its code.

    Every import statement counts: at the top, inside a function (a lazy import
    runs sooner or later), and under ``if TYPE_CHECKING:``. ``from a import b``
    imports ``a.b`` when that is a module, else ``a``. Importing a submodule
    also runs its parent packages, but a parent that imports its own submodules
    is no cycle (Python has it half-initialised already), so parents are not edges.
    """
    paths = {_module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                submodules = {f"{base}.{alias.name}" for alias in node.names}
                targets.update(submodules)
                if not submodules <= paths.keys():  # a name defined in ``base`` itself
                    targets.add(base)
        graph[name] = {target for target in targets if target in paths and target != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules, the first repeated at the end), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)) is not None:
            return cycle
    return None


def test_translate_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert "translate.readers.folders" in graph["translate.readers"]  # the graph is the package's
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


# The architecture, top to bottom: a module imports its own layer or those below.
_LAYERS = {
    "entry": ("translate", "translate.__main__", "translate.cli"),
    "pipeline": (
        "translate.pipeline",
        "translate.config",
        "translate.job",
        "translate.review",
        "translate.parallel",
        "translate.qajob",
        "translate.bench",
        "translate.evaluate",
        "translate.ray",
    ),
    "stages": (
        "translate.readers",
        "translate.segment",
        "translate.english",
        "translate.translator",
        "translate.backends",
        "translate.memory",
        "translate.models",
        "translate.writers",
        "translate.qa",
        "translate.align",
    ),
    "base": (
        "translate.records",
        "translate.errors",
        "translate.text",
        "translate.layout",
        "translate.families",
        "translate.catalog",
        "translate.fileio",
        "translate._dist",
    ),
}
_ORDER = list(_LAYERS)


def _layer(module: str) -> int:
    for rank, layer in enumerate(_LAYERS.values()):
        if any(module == m or module.startswith(f"{m}.") for m in layer if m != "translate"):
            return rank
    if module == "translate":
        return 0
    raise AssertionError(f"{module} is in no layer of tests/test_layout.py::_LAYERS; add it")


def test_imports_flow_down_the_layers() -> None:
    graph = import_graph(PACKAGE)
    upward = [
        f"{module} ({_ORDER[_layer(module)]}) imports {target} ({_ORDER[_layer(target)]})"
        for module, targets in sorted(graph.items())
        for target in sorted(targets)
        if _layer(target) < _layer(module)
    ]
    assert not upward


def test_no_module_imports_the_package_itself() -> None:
    """``from translate import __version__`` inside the package runs ``__init__`` from within."""
    graph = import_graph(PACKAGE)
    assert [module for module, targets in graph.items() if "translate" in targets] == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(source, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "cycle"),
    [
        (
            {"__init__.py": "", "a.py": "import pkg.b\n", "b.py": "def f():\n    import pkg.a\n"},
            ["pkg.a", "pkg.b", "pkg.a"],
        ),  # a lazy import closes it
        (
            {"__init__.py": "", "a.py": "from . import b\n", "b.py": "from .a import x\n"},
            ["pkg.a", "pkg.b", "pkg.a"],
        ),  # relative imports, of a module and from one
        (
            {"__init__.py": "from pkg.sub.c import x\n", "sub/__init__.py": "", "sub/c.py": ""},
            None,
        ),  # a package importing its own submodule
        (
            {"__init__.py": "from pkg.c import x\n", "c.py": "from pkg import y\n"},
            ["pkg", "pkg.c", "pkg"],
        ),  # a stage importing the package's __init__, which imports it
        (
            {"__init__.py": "from pkg.c import x\n", "c.py": "from pkg import d\n", "d.py": ""},
            None,
        ),  # "from pkg import d" imports the module pkg.d, not pkg's __init__
    ],
    ids=["lazy", "relative", "own-submodule", "package-init", "sibling-via-package"],
)
def test_find_cycle(tmp_path: Path, files: dict[str, str], cycle: list[str] | None) -> None:
    assert find_cycle(import_graph(_package(tmp_path, files))) == cycle


# --- OUTDIR's names ----------------------------------------------------------------------

_INPUT_EXTENSIONS = {ext for reader in READERS.values() for ext in reader.extensions}


def _outputs_that_look_like_inputs() -> Iterator[str]:
    """Every file vi2en writes at the top of OUTDIR that a reader would otherwise read."""
    for name in [layout.ERRORS_FILE, layout.MANIFEST_FILE, *layout.written_corpus_names()]:
        if Path(name).suffix in _INPUT_EXTENSIONS:
            yield name


def test_some_outputs_look_like_inputs() -> None:
    # Otherwise the next test would check nothing but the txt folder.
    assert {"corpus.jsonl", "rejected.jsonl", layout.ERRORS_FILE} <= set(
        _outputs_that_look_like_inputs()
    )


def test_an_output_folder_read_as_input_skips_what_the_job_writes(tmp_path: Path) -> None:
    """The readers know OUTDIR's names from translate.layout, whatever they are."""
    (tmp_path / layout.STATE_DIR).mkdir()
    (tmp_path / layout.TXT_DIR / "sub").mkdir(parents=True)
    (tmp_path / layout.TXT_DIR / "sub" / "a.txt").write_text("Đã dịch.\n", encoding="utf-8")
    for name in _outputs_that_look_like_inputs():
        (tmp_path / name).write_text('{"id": "x", "text": "Đã dịch."}\n', encoding="utf-8")
    (tmp_path / "article.txt").write_text("Hà Nội đẹp.\n", encoding="utf-8")
    (tmp_path / f"{layout.CORPUS_STEM}-notes.txt").write_text("Ghi chú.\n", encoding="utf-8")
    documents = list(read_documents([str(tmp_path)]))
    assert [d.doc_id for d in documents] == ["article.txt", f"{layout.CORPUS_STEM}-notes.txt"]


@pytest.mark.parametrize("marker", ["state", "manifest"])
def test_a_nested_output_folder_is_skipped(tmp_path: Path, marker: str) -> None:
    earlier = tmp_path / "old-run"
    earlier.mkdir()
    if marker == "state":
        (earlier / layout.STATE_DIR).mkdir()
    else:
        (earlier / layout.MANIFEST_FILE).write_text('{"vi2en": "0.1.0"}', encoding="utf-8")
    (earlier / "article.txt").write_text("Hà Nội đẹp.\n", encoding="utf-8")
    with pytest.raises(InputError, match="no input files"):
        list(read_documents([str(tmp_path)]))


def test_outdir_names_are_defined_only_in_layout() -> None:
    """No other module assigns one of layout's names (it imports them)."""
    names = {name for name in vars(layout) if name.isupper()}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "layout.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        assigned = {
            target.id
            for node in tree.body
            if isinstance(node, (ast.Assign, ast.AnnAssign))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        assert not assigned & names, f"{path.name} defines {sorted(assigned & names)}"


# --- the invisible set -------------------------------------------------------------------

_DROPPED = [*text.INVISIBLE, *text.CONTROLS]


def _name(char: str) -> str:
    return f"U+{ord(char):04X}"


@pytest.mark.parametrize("char", _DROPPED, ids=map(_name, _DROPPED))
def test_the_reader_and_the_translator_drop_the_same_characters(char: str) -> None:
    """A sentence with an invisible character is the same sentence to the reader and the model."""
    document = read_text(f"Hà{char}Nội đẹp.\n{char}\n")
    assert document.paragraphs == (f"Hà{char}Nội đẹp.",)  # kept in the document; a blank line
    backend = FakeBackend()
    translations = Translator(backend=backend).translate(["HàNội đẹp.", *document.paragraphs])
    assert translations[0] == translations[1]
    assert [len(batch) for batch in backend.calls] == [1]  # one key for both


@pytest.mark.parametrize("char", text.INVISIBLE, ids=map(_name, text.INVISIBLE))
def test_the_memory_key_drops_the_invisible_set(char: str) -> None:
    assert normalise_source(f"Hà{char}Nội") == text.clean_paragraph(f"Hà{char}Nội") == "HàNội"


_IGNORABLE = [*text.ZERO_WIDTH, *text.CONTROLS]


@pytest.mark.parametrize("char", _IGNORABLE, ids=map(_name, _IGNORABLE))
def test_a_sentence_may_end_before_an_invisible_character(char: str) -> None:
    assert split_sentences(f"Một câu.{char} Hai câu.") == [f"Một câu.{char}", "Hai câu."]


def test_a_soft_hyphen_after_a_period_is_inside_a_word() -> None:
    # "TP.\u00adHCM": the soft hyphen marks a break opportunity inside a word.
    assert split_sentences(f"Ở TP.{text.SOFT_HYPHEN}HCM mưa.") == [
        f"Ở TP.{text.SOFT_HYPHEN}HCM mưa."
    ]


# --- the README's Layout section -------------------------------------------------------


def _readme_layout() -> list[str]:
    readme = (PACKAGE.parent / "README.md").read_text("utf-8")
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\n", 2)[1]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


def test_readme_layout_lists_every_module_and_only_real_paths() -> None:
    listed = _readme_layout()
    root = PACKAGE.parent
    assert [path for path in listed if not (root / path).exists()] == []
    modules = {
        f"translate/{p.name}/" if p.is_dir() else f"translate/{p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()
    }
    assert sorted(modules - set(listed)) == []
