"""``python -m translate`` runs the ``vi2en`` command."""

from translate.cli import main

main()
