"""``python -m matcher`` runs the ``matcher`` command."""

from matcher.cli import main

main()
