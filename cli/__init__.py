"""Extra manage.py commands.

Each command module defines `add_commands(subparsers, command)`: it adds its sub-parsers and registers
each handler with the `command(name)` decorator it is handed (so the module never imports manage.py).
`common.py` holds what they (and manage.py) share: `fail`, `engine_or_exit`, problem reports, paths.
"""
