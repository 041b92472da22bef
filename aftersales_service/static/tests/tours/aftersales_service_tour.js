import { registry } from "@web/core/registry";
import { utils as uiUtils } from "@web/core/ui/ui_service";

const APP = '.o_app[data-menu-xmlid="aftersales_service.aftersales_menu_root"]';
const WARRANTIES = '[data-menu-xmlid="aftersales_service.aftersales_warranty_menu"]';

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

function openWarrantiesSteps() {
    if (uiUtils.isSmall()) {
        return [
            { content: "Open the side menu", trigger: ".o_menu_toggle", run: "click" },
            { content: "Open Warranties", trigger: `.o_app_menu_sidebar ${WARRANTIES}`, run: "click" },
        ];
    }
    return [
        {
            content: "Open the Operations menu",
            trigger: '.o_menu_sections button:contains("Operations")',
            run: "click",
        },
        { content: "Open Warranties", trigger: `.dropdown-item${WARRANTIES}`, run: "click" },
    ];
}

registry.category("web_tour.tours").add("aftersales_service_open_app", {
    url: "/odoo",
    steps: () => [
        ...openAppSteps(),
        {
            content: "The app opens on the service agreements",
            trigger: '.o_breadcrumb:contains("Agreements")',
        },
        ...openWarrantiesSteps(),
        {
            content: "The warranties are listed",
            trigger: '.o_breadcrumb:contains("Warranties")',
        },
    ],
});
