"""What the learner sees: formula tables, the network diagram and the plots."""

from bpderive.display.tables import Equations, Table, equations, fmt, table

__all__ = ["Equations", "Table", "equations", "fmt", "table"]
