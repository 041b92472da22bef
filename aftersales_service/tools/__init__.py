"""Pure business rules of the module: plain functions, no environment, no ORM.

Models call these and own rounding, currency and records; tests exercise them
without a database.
"""

from . import periods
from . import coverage
from . import sla
from . import dispatch
from . import fees
