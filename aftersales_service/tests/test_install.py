from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AftersalesCommon

MENU_PREFIX = "aftersales_service."


@tagged("post_install", "-at_install")
class TestInstall(AftersalesCommon):
    """The module installs with its groups, its app, its menus and its
    Settings section, each visible to exactly the roles it is meant for."""

    def _visible_app_menus(self, user):
        """xml ids of the module's menus that `user` sees."""
        menus = self.env["ir.ui.menu"].with_user(user)
        visible = menus.browse(menus._visible_menu_ids())
        xmlids = visible.get_external_id()
        return {x for x in xmlids.values() if x.startswith(MENU_PREFIX)}

    def test_group_ladder(self):
        technician = self.env.ref("aftersales_service.aftersales_service_group_technician")
        user = self.env.ref("aftersales_service.aftersales_service_group_user")
        manager = self.env.ref("aftersales_service.aftersales_service_group_manager")
        self.assertEqual(manager.implied_ids, user)
        # Reception creates the customers of new callers (R10).
        self.assertEqual(user.implied_ids, technician | self.env.ref("base.group_partner_manager"))
        self.assertIn(self.env.ref("base.group_user"), technician.implied_ids)
        self.assertEqual(technician.category_id, user.category_id)
        self.assertEqual(manager.category_id, user.category_id)
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(manager.get_external_id()[manager.id])
        )
        # The ladder: a manager is also a user and a technician.
        self.assertTrue(
            self.user_manager.has_group("aftersales_service.aftersales_service_group_technician")
        )
        self.assertFalse(
            self.user_technician.has_group("aftersales_service.aftersales_service_group_user")
        )

    def test_menus_per_role(self):
        operations = {
            MENU_PREFIX + x
            for x in (
                "aftersales_menu_root",
                "aftersales_menu_operations",
                "aftersales_ticket_menu",
                "aftersales_dispatch_menu_my_today",
                "aftersales_dispatch_menu",
                "aftersales_receipt_menu",
                "aftersales_agreement_menu",
                "aftersales_warranty_menu",
                "aftersales_coverage_check_menu",
                "aftersales_menu_proactive",
                "aftersales_archive_menu",
                "aftersales_followup_menu",
                "aftersales_training_menu",
                "aftersales_maintenance_plan_menu",
            )
        }
        # Reception plans visits on the calendar.
        reception = operations | {
            MENU_PREFIX + "aftersales_dispatch_menu_calendar",
            MENU_PREFIX + "aftersales_dispatch_menu_preventive",
        }
        supervision = reception | {
            MENU_PREFIX + x
            for x in (
                "aftersales_menu_reporting",
                "aftersales_dispatch_report_menu",
                "aftersales_fee_card_menu",
                "aftersales_technician_menu",
                "aftersales_service_area_menu",
                "aftersales_ticket_menu_analysis",
                "aftersales_ticket_sla_menu_report",
                "aftersales_charge_menu_report",
                "aftersales_menu_config",
                "aftersales_sla_policy_menu",
                "aftersales_ticket_stage_menu",
                "aftersales_ticket_tag_menu",
                "aftersales_skill_menu",
            )
        }
        settings = supervision | {MENU_PREFIX + "aftersales_menu_config_settings"}
        # role -> the module's menus it sees (Settings need the Settings right).
        expected = {
            self.user_technician: operations,
            self.user_service: reception,
            self.user_manager: supervision,
            self.user_internal: set(),
            self.user_admin: settings,
        }
        for user, menus in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self._visible_app_menus(user), menus)
        # Portal and public users have no backend menus at all.
        for user in (self.user_portal, self.user_public):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._visible_app_menus(user)

    def test_settings_section(self):
        """The After-Sales section is in Settings, for After-Sales managers."""
        settings = self.env["res.config.settings"].with_user(self.user_admin)
        arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="aftersales_service"', arch)
        self.assertIn("action_aftersales_open_team", arch)

        # A settings administrator who is not an After-Sales manager does
        # not get the section.
        self.user_admin.groups_id -= self.env.ref(
            "aftersales_service.aftersales_service_group_manager"
        )
        self.env.invalidate_all()
        arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="aftersales_service"', arch)

    def test_settings_action_opens(self):
        action = self.env.ref("aftersales_service.res_config_settings_action")
        self.assertEqual(action.res_model, "res.config.settings")
        self.assertEqual(action.context, "{'module': 'aftersales_service', 'bin_size': False}")
        config = self.env["res.config.settings"].with_user(self.user_admin).create({})
        config.execute()  # saving the page changes nothing and raises nothing

    def test_translations_shipped(self):
        """Simplified and Traditional Chinese ship with the module."""
        for lang, name in (("zh_CN", "售后服务"), ("zh_TW", "售後服務")):
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(
                    ["aftersales_service"], [lang], overwrite=True
                )
                menu = self.env.ref("aftersales_service.aftersales_menu_root")
                self.assertEqual(menu.with_context(lang=lang).name, name)

    def test_team_action(self):
        config = self.env["res.config.settings"].with_user(self.user_admin).create({})
        action = config.action_aftersales_open_team()
        self.assertEqual(action["res_model"], "res.users")
        team = self.env["res.users"].search(action["domain"])
        self.assertIn(self.user_technician, team)
        self.assertIn(self.user_manager, team)
        self.assertNotIn(self.user_internal, team)
        self.assertNotIn(self.user_portal, team)
        # Only who may change users may open it.
        with self.assertRaises(AccessError):
            config.with_user(self.user_manager).action_aftersales_open_team()
