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

// In the phone's layout a many2one opens a search dialog: search `text`
// there and pick the record showing it.
function searchDialogPickSteps(text) {
    return [
        {
            content: "Show the search box",
            trigger: ".modal .o_control_panel button:has(.fa-search)",
            run: "click",
        },
        { content: `Search ${text}`, trigger: ".modal .o_searchview_input", run: `edit ${text}` },
        { content: "Apply", trigger: ".modal .o_searchview_input", run: "press Enter" },
        {
            content: "Pick it",
            trigger: `.modal .o_kanban_record:contains("${text}")`,
            run: "click",
        },
    ];
}

function pickSerialSteps(serial) {
    if (uiUtils.isSmall()) {
        // Mobile layout: a many2one opens a search dialog.
        return [
            {
                content: "Open the serial search",
                trigger: ".o_field_widget[name=lot_id] input",
                run: "click",
            },
            ...searchDialogPickSteps(serial),
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

// The supervisor dispatches a ticket (R11): a new dispatch from the ticket,
// the technician chosen among the suggestions, the visit scheduled.
registry.category("web_tour.tours").add("aftersales_service_dispatch", {
    steps: () => [
        {
            content: "Dispatch the ticket",
            trigger: ".o_form_view button[name=action_create_dispatch]",
            run: "click",
        },
        {
            content: "The dispatch is for the ticket",
            trigger: '.o_field_widget[name=ticket_id] input:value("TCK/")',
        },
        {
            content: "The address comes from the customer",
            trigger: '.o_field_widget[name=address] textarea:value("Tour Street")',
        },
        {
            content: "When",
            trigger: ".o_field_widget[name=date_start] input",
            run: "edit 01/15/2030 09:00:00",
        },
        {
            content: "Confirm the time",
            trigger: ".o_field_widget[name=date_start] input",
            run: "press Enter",
        },
        {
            content: "The end follows",
            trigger: '.o_field_widget[name=date_end] input:value("01/15/2030 11:00:00")',
        },
        { content: "Save", trigger: ".o_form_button_save", run: "click" },
        {
            content: "Ask for suggestions",
            trigger: ".o_form_saved button[name=action_suggest_technicians]",
            run: "click",
        },
        {
            content: "The technician with the skill comes first: choose them",
            trigger:
                '.modal .o_data_row:first-child:contains("Tess Tour") button[name=action_choose]',
            run: "click",
        },
        {
            content: "The technician is set",
            trigger:
                '.o_field_widget[name=technician_id] input:value("Tess Tour")',
        },
        {
            content: "Add a tool to the kit",
            trigger: '.o_notebook a:contains("Kit")',
            run: "click",
        },
        {
            content: "New kit line",
            trigger: ".o_field_widget[name=kit_line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The tool",
            trigger: ".o_field_widget[name=kit_line_ids] .o_data_row [name=name] input",
            run: "edit Leak detector",
        },
        {
            content: "Schedule the visit",
            trigger: ".o_form_view button[name=action_schedule]",
            run: "click",
        },
        {
            content: "The visit is scheduled",
            trigger: '.o_statusbar_status .o_arrow_button_current:contains("Scheduled")',
        },
    ],
});

// A part used on site, in the phone's layout: a new line of the list, its
// product picked from a search dialog.
function addPartSteps(product) {
    return [
        {
            content: "Parts used",
            trigger: '.o_notebook .nav-link:contains("Parts Used")',
            run: "click",
        },
        {
            content: "Add a part",
            trigger: ".o_field_widget[name=part_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Choose the part",
            trigger: ".o_field_widget[name=part_ids] .o_data_row [name=product_id] input",
            run: "click",
        },
        ...searchDialogPickSteps(product),
        {
            content: "The part is on the line",
            trigger: `.o_field_widget[name=part_ids] .o_data_row [name=product_id] input:value("${product}")`,
        },
    ];
}

// The technician does the visit on a phone (R12, R15): from "My Dispatches
// Today", one tap on arrival, the outcome, the customer's signature, done.
registry.category("web_tour.tours").add("aftersales_service_technician_visit", {
    steps: () => [
        {
            content: "Today's visit",
            trigger: '.o_kanban_record:contains("Tour Cold Store")',
            run: "click",
        },
        {
            content: "Arrived: one tap",
            trigger: ".o_form_view button[name=action_arrive]",
            run: "click",
        },
        {
            content: "The arrival is recorded",
            trigger: ".o_form_view .o_field_widget[name=date_arrived]",
        },
        {
            content: "What was done",
            trigger: ".o_field_widget[name=work_done] .odoo-editor-editable",
            run: "editor Replaced the condenser fan.",
        },
        {
            content: "Fixed on site",
            trigger: ".o_field_widget[name=outcome] select",
            run: 'select "fixed"',
        },
        ...addPartSteps("Tour Fan Motor"),
        {
            content: "Who signs",
            trigger: ".o_field_widget[name=signed_by] input",
            run: "edit Carl Customer",
        },
        {
            content: "The customer signs",
            trigger: ".o_field_widget[name=signature] .o_signature",
            run: "click",
        },
        {
            content: "Adopt the signature",
            trigger: ".modal .o_web_sign_name_and_signature ~ * button.btn-primary:enabled, .modal footer button.btn-primary:enabled",
            run: "click",
        },
        {
            content: "The signature is on the order",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=signature] img",
        },
        {
            content: "Finish the visit",
            trigger: ".o_form_view button[name=action_finish]",
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: ".o_form_view .o_field_widget[name=signed_on]",
        },
        {
            content: "And cannot be finished twice",
            trigger: ".o_form_view:not(:has(button[name=action_finish]))",
        },
    ],
});

// Paid work on a phone (R16): the customer acknowledges the quote before the
// work, then the technician collects the small amount on site.
registry.category("web_tour.tours").add("aftersales_service_technician_quote_payment", {
    steps: () => [
        {
            content: "Today's paid visit",
            trigger: '.o_kanban_record:contains("Tour Paying Customer")',
            run: "click",
        },
        {
            content: "Arrived",
            trigger: ".o_form_view button[name=action_arrive]",
            run: "click",
        },
        {
            content: "Show the quote",
            trigger: ".o_form_view button[name=action_open_quote]",
            run: "click",
        },
        {
            content: "The quote lists the call-out",
            trigger: '.modal .o_field_widget[name=quote_line_ids] td:contains("Tour call-out")',
        },
        {
            content: "Who acknowledges",
            trigger: ".modal .o_field_widget[name=signed_by] input",
            run: "edit Carl Customer",
        },
        {
            content: "The customer signs the quote",
            trigger: ".modal .o_field_widget[name=signature] .o_signature",
            run: "click",
        },
        {
            content: "Adopt the signature",
            trigger: ".modal:has(.o_web_sign_name_and_signature) footer button.btn-primary:enabled",
            run: "click",
        },
        {
            content: "The signature is on the quote",
            trigger: ".modal:not(:has(.o_web_sign_name_and_signature)) .o_field_widget[name=signature] img",
        },
        {
            content: "Customer acknowledges",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The quote is acknowledged",
            trigger: '.o_form_view:not(:has(.modal)) .o_field_widget[name=quote_status]:contains("Acknowledged")',
        },
        {
            content: "Fixed on site",
            trigger: ".o_field_widget[name=outcome] select",
            run: 'select "fixed"',
        },
        {
            content: "Who signs the order",
            trigger: ".o_field_widget[name=signed_by] input",
            run: "edit Carl Customer",
        },
        {
            content: "The customer signs the order",
            trigger: ".o_form_view .o_field_widget[name=signature] .o_signature",
            run: "click",
        },
        {
            content: "Adopt the signature",
            trigger: ".modal:has(.o_web_sign_name_and_signature) footer button.btn-primary:enabled",
            run: "click",
        },
        {
            content: "The signature is on the order",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=signature] img",
        },
        {
            content: "Finish the visit",
            trigger: ".o_form_view button[name=action_finish]",
            run: "click",
        },
        {
            content: "Collect the payment",
            trigger: ".o_form_view button[name=action_collect_payment]",
            run: "click",
        },
        {
            content: "Paid in cash",
            trigger: ".modal .o_field_widget[name=journal] input[type=radio]",
            run: "click",
        },
        {
            content: "Confirm the payment",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The amount collected is on the order",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=amount_collected]",
        },
    ],
});
