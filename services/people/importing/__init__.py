"""Import the resident list of a commune from CSV or XLSX: one row per resident, all or nothing.

Every bad row is reported with its line number and column, and nothing is written unless the whole
file is good. Rows sharing a household code form one household. A resident already in that household
(same name key and birth year) is updated where the file says something different; empty cells leave
stored values alone (so a sheet without the smartphone column never erases what volunteers recorded).
Re-importing the same file changes nothing. Possible duplicates of residents elsewhere in the area
(same name and birth year, or same phone) are reported, never merged. New rows go in with bulk inserts
and their rollup counts are added per village, then carried up to the ancestors.

The file is read, checked and compared with the database in a read session, with no write lock held
(`import_residents(read=..., write=...)`); the write is one short transaction, which plans again under
the lock when what the plan relied on changed meanwhile.

parse.py reads and checks the file, plan.py compares it with the database and fills the report,
apply.py runs the import and writes it.
"""

from services.people.importing.apply import IMPORT_ROLES, import_residents
from services.people.importing.parse import COLUMNS, REQUIRED, ROWS_MAX
from services.people.importing.plan import Change, Duplicate, ImportReport

__all__ = [
    "COLUMNS",
    "IMPORT_ROLES",
    "REQUIRED",
    "ROWS_MAX",
    "Change",
    "Duplicate",
    "ImportReport",
    "import_residents",
]
