import { registry } from "@web/core/registry";
import { utils as uiUtils } from "@web/core/ui/ui_service";

const APP = '.o_app[data-menu-xmlid="aftersales_service.aftersales_menu_root"]';

function openAppSteps() {
    if (uiUtils.isSmall()) {
        // Mobile layout: the apps are in the side bar of the menu toggle.
        return [
            { content: "Open the side menu", trigger: ".o_menu_toggle", run: "click" },
            {
                content: "Show all apps",
                trigger: ".o_app_menu_sidebar .o_sidebar_topbar a.btn-primary",
                run: "click",
            },
            { content: "Open the After-Sales app", trigger: APP, run: "click" },
        ];
    }
    return [
        { content: "Open the menu of apps", trigger: ".o_navbar_apps_menu button", run: "click" },
        { content: "Open the After-Sales app", trigger: APP, run: "click" },
        {
            content: "The After-Sales app is open",
            trigger: '.o_main_navbar .o_menu_brand:contains("After-Sales")',
        },
    ];
}

registry.category("web_tour.tours").add("aftersales_service_open_app", {
    url: "/odoo",
    steps: () => [
        ...openAppSteps(),
        {
            content: "Its Settings section is shown",
            trigger: '.app_settings_block[data-key="aftersales_service"]',
        },
    ],
});
