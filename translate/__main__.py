"""``python -m translate`` runs the ``vi2en`` command."""

from translate._dist import main

main()
