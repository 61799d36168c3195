"""What the learner sees: formulas with their numbers, tables, the network diagram and plots."""

from bpderive.display.show import Shown, show
from bpderive.display.tables import Equations, Table, as_published, equations, fmt, table

__all__ = ["Equations", "Shown", "Table", "as_published", "equations", "fmt", "show", "table"]
