"""``python -m api.cli``: the same as the ``hrq`` command."""

from api.cli import main

main()
