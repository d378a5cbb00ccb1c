"""The ``vi2en`` command's entry point (and ``python -m translate``).

It lives here, not in :mod:`translate._dist`, so that no module of the package
imports the CLI: ``_dist`` is imported by the stages, and the CLI by nothing.
"""

from __future__ import annotations

import sys

from translate._dist import _ISOLATE, _REINSTALL, installation


def main() -> None:
    """The ``vi2en`` command: check the installation, then run :func:`translate.cli.main`.

    A clash that overwrote or deleted vi2en's files is one line and exit 1,
    before anything imports the damaged package.
    """
    state = installation()
    if state.problem is not None:
        print(state.problem, file=sys.stderr)
        if state.broken:
            sys.exit(1)
    try:
        from translate.cli import main as cli_main
    except (ImportError, TypeError, AttributeError, OSError) as exc:
        # Damaged in a way the metadata does not show (e.g. a partial copy).
        print(
            f"vi2en: its installed files are damaged ({type(exc).__name__}: {exc});"
            f" reinstall it: {_REINSTALL}, or {_ISOLATE}",
            file=sys.stderr,
        )
        sys.exit(1)
    cli_main()


if __name__ == "__main__":
    main()
