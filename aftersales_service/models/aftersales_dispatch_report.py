from odoo import models  # noqa: F401  SKELETON: technician performance report
