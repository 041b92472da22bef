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
            content: "The app opens on the repair tickets",
            trigger: '.o_breadcrumb:contains("Repair Tickets")',
        },
        ...openWarrantiesSteps(),
        {
            content: "The warranties are listed",
            trigger: '.o_breadcrumb:contains("Warranties")',
        },
    ],
});

function pickSerialSteps(serial) {
    if (uiUtils.isSmall()) {
        // Mobile layout: a many2one opens a search dialog.
        return [
            {
                content: "Open the serial search",
                trigger: ".o_field_widget[name=lot_id] input",
                run: "click",
            },
            {
                content: "Show the search box",
                trigger: ".modal .o_control_panel button:has(.fa-search)",
                run: "click",
            },
            {
                content: "Search the serial on the nameplate",
                trigger: ".modal .o_searchview_input",
                run: `edit ${serial}`,
            },
            { content: "Apply", trigger: ".modal .o_searchview_input", run: "press Enter" },
            {
                content: "Pick it",
                trigger: `.modal .o_kanban_record:contains("${serial}")`,
                run: "click",
            },
        ];
    }
    return [
        {
            content: "Then the serial on the nameplate",
            trigger: ".o_field_widget[name=lot_id] input",
            run: `edit ${serial}`,
        },
        {
            content: "Pick it",
            trigger: `.o-autocomplete--dropdown-item:contains("${serial}")`,
            run: "click",
        },
    ];
}

// Reception registers a phone call: the caller's number finds the customer,
// the serial shows the warranty and the category at once (R10).
registry.category("web_tour.tours").add("aftersales_service_phone_intake", {
    steps: () => [
        { content: "New ticket", trigger: ".o-kanban-button-new", run: "click" },
        {
            content: "Type the caller's number",
            trigger: ".o_field_widget[name=partner_phone] input",
            run: "edit 03-5712-0468",
        },
        ...pickSerialSteps("TOUR-SN-1"),
        {
            content: "The customer was found from the phone number",
            trigger: '.o_field_widget[name=partner_id] input:value("Tour Customer")',
        },
        {
            content: "The warranty is shown at once",
            trigger: '.o_field_widget[name=warranty_state]:contains("Active")',
        },
        {
            content: "Free service, in warranty",
            trigger: '.o_field_widget[name=service_category]:contains("Free service")',
        },
        {
            content: "What the customer reports",
            trigger: ".o_field_widget[name=title] input",
            run: "edit Not cooling",
        },
        { content: "Save", trigger: ".o_form_button_save", run: "click" },
        {
            content: "The ticket has its number",
            trigger: '.o_field_widget[name=name]:contains("TCK/")',
        },
    ],
});
