from . import test_access
from . import test_agreement
from . import test_coverage
from . import test_coverage_rules
from . import test_install
from . import test_reports
from . import test_ui
from . import test_warranty
