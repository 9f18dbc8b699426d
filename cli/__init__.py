"""Extra manage.py commands.

Each module defines `add_commands(subparsers, command)`: it adds its sub-parsers and registers each
handler with the `command(name)` decorator it is handed (so the module never imports manage.py).
"""
