"""Copy the contract tables between warehouse engines and prove the copy exact."""

from schema.transfer.checksum import Checksum, RowSql, table_checksum
from schema.transfer.copy import BATCH_ROWS, CopyReport, TableCopy, copy_warehouse
from schema.transfer.errors import CopyError, CopyInterrupted

__all__ = [
    "BATCH_ROWS",
    "Checksum",
    "CopyError",
    "CopyInterrupted",
    "CopyReport",
    "RowSql",
    "TableCopy",
    "copy_warehouse",
    "table_checksum",
]
