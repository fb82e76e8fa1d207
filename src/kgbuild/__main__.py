"""``python -m kgbuild`` runs the kgbuild command."""

from kgbuild.cli import main

main()
