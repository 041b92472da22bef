from . import aftersales_coverage_check
from . import aftersales_warranty_void
from . import aftersales_agreement_sign
from . import aftersales_agreement_amend
from . import aftersales_ticket_close
from . import aftersales_ticket_category
from . import aftersales_dispatch_assign
