{
    "name": "After-Sales Service",
    "summary": "Service agreements, warranties, repair tickets, technician dispatch, "
    "SLA, fee-card billing and proactive service after delivery",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "author": "aftersales_service contributors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": [
        "mail",
        "portal",
        "product",
        "account",
        "stock",
        "resource",
        "base_automation",
        "rating",
    ],
    "data": [
        "security/aftersales_service_groups.xml",
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
        "views/aftersales_menus.xml",
    ],
    "demo": [
        "demo/aftersales_service_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "aftersales_service/static/tests/tours/*.js",
        ],
    },
}
