from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SIGNATURE_PNG, AftersalesCommon


@tagged("post_install", "-at_install")
class TestDispatch(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customer(name="Cold Storage Ltd", email="ops@cold.example")
        cls.ticket = cls._create_ticket(partner_id=cls.customer.id)

    def _dispatch(self, **vals):
        return self._create_dispatch(self.ticket, **vals)

    # ------------------------------------------------------------------
    # Life cycle: PRE/POST of each transition
    # ------------------------------------------------------------------
    def test_life_cycle(self):
        dispatch = self._dispatch()
        # PRE schedule: draft, ticket new.
        self.assertEqual(dispatch.state, "draft")
        self.assertEqual(self.ticket.stage_kind, "new")
        self.assertRegex(dispatch.name, r"^DSP/\d{4}/\d{5}$")
        dispatch.with_user(self.user_manager).action_schedule()
        # POST schedule: scheduled, ticket triaged and assigned, the
        # technician has an activity for the day of the visit.
        self.assertEqual(dispatch.state, "scheduled")
        self.assertEqual(self.ticket.stage_kind, "progress")
        self.assertEqual(self.ticket.technician_id, self.user_technician)
        activity = dispatch.activity_ids
        self.assertEqual(activity.user_id, self.user_technician)
        self.assertEqual(activity.date_deadline, dispatch.date_start.date())

        as_tech = dispatch.with_user(self.user_technician)
        now = fields.Datetime.now()
        as_tech._action_en_route(now)
        self.assertEqual(dispatch.state, "in_progress")
        self.assertEqual(dispatch.date_en_route, now)
        self.assertFalse(dispatch.date_arrived)
        # Finishing before arriving is refused.
        with self.assertRaises(UserError):
            as_tech._action_finish(now)

        as_tech._action_arrive(now + timedelta(minutes=30))
        self.assertEqual(dispatch.date_arrived, now + timedelta(minutes=30))
        # The ticket's on-site target is reached by the arrival.
        self.assertEqual(self.ticket.date_onsite, now + timedelta(minutes=30))
        with self.assertRaises(UserError):
            as_tech._action_arrive(now)

        as_tech.write({"outcome": "fixed", "fault_cause": "equipment"})
        # No signature yet: refused, nothing changes.
        with self.assertRaises(UserError):
            as_tech._action_finish(now + timedelta(hours=2))
        self.assertEqual(dispatch.state, "in_progress")
        as_tech.write({"signed_by": "Carl Customer", "signature": SIGNATURE_PNG})
        as_tech._action_finish(now + timedelta(hours=2))
        # POST finish: done, times, fault cause to the ticket, first-time fix.
        self.assertEqual(dispatch.state, "done")
        self.assertEqual(dispatch.duration_hours, 1.5)
        self.assertEqual(dispatch.labour_hours, 1.5)
        self.assertEqual(self.ticket.fault_cause, "equipment")
        self.assertTrue(dispatch.first_time_fix)
        self.assertFalse(dispatch.activity_ids)

        # Review: a supervisor, with a quality score.
        with self.assertRaises(AccessError):
            as_tech.action_review()
        with self.assertRaises(UserError):
            dispatch.with_user(self.user_manager).action_review()
        dispatch.with_user(self.user_manager).write({"quality_score": "4", "review_note": "Tidy"})
        dispatch.with_user(self.user_manager).action_review()
        self.assertEqual(dispatch.state, "reviewed")
        self.assertEqual(dispatch.reviewed_by_id, self.user_manager)
        # After the review nothing changes.
        with self.assertRaises(UserError):
            dispatch.with_user(self.user_manager).write({"quality_score": "1"})
        with self.assertRaises(UserError):
            dispatch.with_user(self.user_manager).action_cancel()

    def test_cancel_and_reset(self):
        dispatch = self._dispatch(schedule=True)
        manager = dispatch.with_user(self.user_manager)
        manager.action_cancel()
        self.assertEqual(dispatch.state, "cancelled")
        self.assertFalse(dispatch.activity_ids)
        with self.assertRaises(UserError):
            manager.action_schedule()
        manager.action_reset()
        self.assertEqual(dispatch.state, "draft")
        # A signed visit cannot be cancelled.
        manager.action_schedule()
        self._visit(dispatch, finish=False)
        with self.assertRaises(UserError):
            manager.action_cancel()
        self.assertEqual(dispatch.state, "in_progress")

    def test_helper_records_the_visit(self):
        """Another technician of the visit records it too; a technician of
        another visit does not."""
        dispatch = self._dispatch(helper_ids=[Command.set(self.user_technician_2.ids)])
        dispatch.action_schedule()
        as_helper = dispatch.with_user(self.user_technician_2)
        as_helper.action_arrive()
        self.assertTrue(self.ticket.date_onsite)
        as_helper.write({"outcome": "fixed", "work_done": "<p>Cleaned the coil.</p>"})
        self.assertEqual(dispatch.outcome, "fixed")
        other = self._create_dispatch(self._create_ticket(), schedule=True)
        with self.assertRaises(AccessError):
            other.with_user(self.user_technician_2).action_arrive()
        self.assertFalse(other.date_arrived)

    def test_schedule_needs_technician_and_times(self):
        dispatch = self._dispatch(technician_id=False)
        with self.assertRaises(UserError):
            dispatch.action_schedule()
        self.assertEqual(dispatch.state, "draft")

    def test_states_not_writable(self):
        dispatch = self._dispatch()
        for vals in (
            {"state": "done"},
            {"date_arrived": fields.Datetime.now()},
            {"signed_on": fields.Datetime.now()},
            {"first_time_fix": True},
            {"duration_hours": 3},
        ):
            with self.assertRaises(UserError):
                dispatch.write(vals)
        self.assertEqual(dispatch.state, "draft")
        with self.assertRaises(UserError):
            self.env["aftersales.dispatch"].create({"ticket_id": self.ticket.id, "state": "done"})

    def test_no_dispatch_of_closed_ticket(self):
        ticket = self._create_ticket()
        ticket._action_cancel("Duplicate")
        with self.assertRaises(UserError):
            self._create_dispatch(ticket)

    def test_ticket_close_blocked_by_visit_under_way(self):
        dispatch = self._dispatch(schedule=True)
        with self.assertRaises(UserError):
            self.ticket._action_close("Fixed")
        self._visit(dispatch)
        self.ticket._action_close("Fixed")
        self.assertEqual(self.ticket.stage_kind, "closed")

    # ------------------------------------------------------------------
    # Signature (R15)
    # ------------------------------------------------------------------
    def test_signature_rules(self):
        dispatch = self._dispatch(schedule=True)
        as_tech = dispatch.with_user(self.user_technician)
        # Before arriving: refused.
        with self.assertRaises(UserError):
            as_tech.write({"signed_by": "Carl", "signature": SIGNATURE_PNG})
        as_tech.action_arrive()
        # Without the signer's name: refused.
        with self.assertRaises(UserError):
            as_tech.write({"signature": SIGNATURE_PNG})
        self.assertFalse(dispatch.signed_on)
        as_tech.write({"signed_by": "Carl", "signature": SIGNATURE_PNG})
        self.assertTrue(dispatch.signed_on)
        # Twice: refused; removing it too.
        with self.assertRaises(UserError):
            as_tech.write({"signed_by": "Eve", "signature": SIGNATURE_PNG})
        with self.assertRaises(UserError):
            as_tech.write({"signature": False})
        self.assertEqual(dispatch.signed_by, "Carl")

    def test_signed_order_is_fixed(self):
        """What the customer signed (work, parts, time, signer) no longer
        changes; the technician's own assessment still may until Finish."""
        fan = self._create_product(name="Fan motor", tracking="none")
        dispatch = self._dispatch(schedule=True)
        as_tech = dispatch.with_user(self.user_technician)
        as_tech.action_arrive()
        as_tech.write(
            {
                "work_done": "<p>Replaced the fan.</p>",
                "part_ids": [Command.create({"product_id": fan.id, "quantity": 1})],
                "signed_by": "Carl",
                "signature": SIGNATURE_PNG,
            }
        )
        self.assertTrue(dispatch.signed_on)
        for vals in (
            {"work_done": "<p>Replaced two fans.</p>"},
            {"signed_by": "Eve"},
            {"labour_hours": 9},
            {"part_ids": [Command.create({"product_id": fan.id, "quantity": 5})]},
        ):
            with self.subTest(vals=list(vals)), self.assertRaises(UserError):
                as_tech.write(vals)
        with self.assertRaises(UserError):
            dispatch.part_ids.with_user(self.user_technician).quantity = 4
        with self.assertRaises(UserError):
            dispatch.part_ids.with_user(self.user_technician).unlink()
        self.assertEqual(dispatch.part_ids.quantity, 1)
        self.assertIn("Replaced the fan", dispatch.work_done)
        as_tech.write({"outcome": "fixed", "fault_cause": "wear"})
        as_tech.action_finish()
        self.assertEqual(dispatch.state, "done")

    def test_part_lines_protected(self):
        """A part's stock move is the module's; a part cannot move to a
        finished visit."""
        fan = self._create_product(name="Fan motor", tracking="none")
        done = self._dispatch(schedule=True)
        self._visit(done)
        dispatch = self._create_dispatch(self._create_ticket(), schedule=True)
        as_tech = dispatch.with_user(self.user_technician)
        as_tech.action_arrive()
        as_tech.write({"part_ids": [Command.create({"product_id": fan.id, "quantity": 1})]})
        part = dispatch.part_ids.with_user(self.user_technician)
        some_move = self.env["stock.move"].search([], limit=1)
        with self.assertRaises(UserError):
            part.move_id = some_move
        with self.assertRaises(UserError):
            part.dispatch_id = done
        self.assertFalse(part.move_id)
        self.assertEqual(part.dispatch_id, dispatch)

    def test_tracked_part_needs_its_serial(self):
        fan = self._create_product(name="Fan motor", tracking="serial")
        dispatch = self._dispatch(schedule=True)
        as_tech = dispatch.with_user(self.user_technician)
        as_tech.action_arrive()
        as_tech.write({"part_ids": [Command.create({"product_id": fan.id, "quantity": 1})]})
        self._visit_finish_refused(dispatch)
        self.assertEqual(dispatch.state, "in_progress")

    def _visit_finish_refused(self, dispatch):
        as_tech = dispatch.with_user(dispatch.technician_id)
        as_tech.write({"outcome": "fixed", "signed_by": "Carl", "signature": SIGNATURE_PNG})
        with self.assertRaises(UserError):
            as_tech.action_finish()

    def test_replanning(self):
        """A scheduled visit given to someone else: the activity follows.
        A visit under way is not replanned; reinforcements may join it."""
        dispatch = self._dispatch(schedule=True)
        manager = dispatch.with_user(self.user_manager)
        manager.technician_id = self.user_technician_2
        self.assertEqual(dispatch.activity_ids.user_id, self.user_technician_2)
        self.assertEqual(self.ticket.technician_id, self.user_technician_2)
        dispatch.with_user(self.user_technician_2).action_arrive()
        with self.assertRaises(UserError):
            manager.technician_id = self.user_technician
        with self.assertRaises(UserError):
            manager.date_end = dispatch.date_end + timedelta(hours=1)
        manager.helper_ids = [Command.link(self.user_technician.id)]
        self.assertEqual(dispatch.helper_ids, self.user_technician)

    def test_onsite_target_reached_by_any_technician_of_the_ticket(self):
        """The ticket's technician is the latest dispatched; another
        technician arriving first still reaches the on-site target."""
        self._create_policy(calendar_id=self._create_calendar_24_7().id)
        ticket = self._create_ticket(partner_id=self.customer.id)
        first = self._create_dispatch(ticket, schedule=True)
        self._create_dispatch(ticket, technician_id=self.user_technician_2.id, schedule=True)
        self.assertEqual(ticket.technician_id, self.user_technician_2)
        first.with_user(self.user_technician).action_arrive()
        onsite = ticket.sla_ids.filtered(lambda line: line.target == "onsite")
        self.assertEqual(onsite.state, "reached")

    def test_ticket_not_cancelled_under_a_visit(self):
        dispatch = self._dispatch(schedule=True)
        with self.assertRaises(UserError):
            self.ticket._action_cancel("Customer changed their mind")
        self.assertEqual(self.ticket.stage_kind, "progress")
        dispatch.action_cancel()
        self.ticket._action_cancel("Customer changed their mind")
        self.assertEqual(self.ticket.stage_kind, "cancelled")

    def test_no_signature_needed(self):
        dispatch = self._dispatch(signature_required=False, schedule=True)
        self._visit(dispatch)
        self.assertEqual(dispatch.state, "done")
        self.assertFalse(dispatch.signed_on)

    def test_outcome_required_and_second_visit_not_first_time_fix(self):
        first = self._dispatch(schedule=True)
        as_tech = first.with_user(self.user_technician)
        as_tech.action_arrive()
        as_tech.write({"signed_by": "Carl", "signature": SIGNATURE_PNG})
        with self.assertRaises(UserError):
            as_tech.action_finish()
        as_tech.write({"outcome": "follow_up"})
        as_tech.action_finish()
        self.assertFalse(first.first_time_fix)
        second = self._dispatch(schedule=True)
        self._visit(second)
        self.assertFalse(second.first_time_fix, "the ticket needed two visits")

    # ------------------------------------------------------------------
    # SLA result and rating (R14, R17)
    # ------------------------------------------------------------------
    def test_sla_result_and_rating_request(self):
        self._create_policy(calendar_id=self._create_calendar_24_7().id)
        ticket = self._create_ticket(partner_id=self.customer.id)
        self.assertTrue(ticket.sla_deadline)
        dispatch = self._create_dispatch(ticket, schedule=True)
        mails_before = self.env["mail.mail"].search_count([])
        self._visit(dispatch)
        self.assertTrue(dispatch.promised_deadline)
        self.assertTrue(dispatch.sla_met)
        # The rating request is queued (sent once, with the transaction).
        rating = dispatch.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.partner_id, self.customer)
        self.assertEqual(rating.rated_partner_id, self.user_technician.partner_id)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + 1)
        # The customer answers: the supervisor sees it on the review.
        dispatch.rating_apply(1, token=rating.access_token, feedback="Rude and late")
        self.assertEqual(dispatch.rating_last_value, 1)
        self.assertIn(
            dispatch,
            self.env["aftersales.dispatch"].search(
                [("rating_last_value", "<=", 2), ("rating_last_value", ">", 0)]
            ),
        )

    def test_sla_missed(self):
        self._create_policy(calendar_id=self._create_calendar_24_7().id, resolution_hours=1)
        ticket = self._create_ticket(partner_id=self.customer.id)
        dispatch = self._create_dispatch(ticket, schedule=True)
        as_tech = dispatch.with_user(self.user_technician)
        later = fields.Datetime.now() + timedelta(hours=5)
        as_tech._action_arrive(later)
        as_tech.write({"outcome": "fixed", "signed_by": "Carl", "signature": SIGNATURE_PNG})
        as_tech._action_finish(later + timedelta(hours=1))
        self.assertFalse(dispatch.sla_met)

    # ------------------------------------------------------------------
    # Parts and kit (R12)
    # ------------------------------------------------------------------
    def test_parts_consumed_from_van_and_returned(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        van = self.env["stock.location"].create(
            {"name": "Van Tess", "usage": "internal", "location_id": warehouse.view_location_id.id}
        )
        self.env["aftersales.technician"].create(
            {"user_id": self.user_technician.id, "location_id": van.id}
        )
        fan = self._create_product(name="Fan motor", tracking="serial")
        filt = self._create_product(name="Filter", tracking="none")
        fan_sn = self._create_serial(fan, "FAN-1")
        old_sn = self._create_serial(fan, "FAN-OLD")
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(fan, van, 1, lot_id=fan_sn)
        Quant._update_available_quantity(filt, warehouse.lot_stock_id, 10)
        dispatch = self._dispatch(
            kit_line_ids=[
                Command.create({"kind": "part", "product_id": filt.id, "quantity": 3}),
                Command.create({"kind": "tool", "name": "Multimeter"}),
            ]
        )
        dispatch.action_schedule()
        # The kit's stock parts are reserved towards the van.
        picking = dispatch.kit_picking_id
        self.assertTrue(picking)
        self.assertEqual(picking.location_dest_id, van)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.move_ids.product_id, filt)

        # Cancelled and planned again: one reservation, not two.
        dispatch.action_cancel()
        self.assertEqual(picking.state, "cancel")
        dispatch.action_reset()
        dispatch.action_schedule()
        picking = dispatch.kit_picking_id
        self.assertEqual(picking.state, "assigned")
        # The warehouse hands the parts over: once in the van, a new
        # cancel and reset keeps them reserved for the visit.
        picking.move_ids.picked = True
        picking._action_done()
        dispatch.action_cancel()
        dispatch.action_reset()
        dispatch.action_schedule()
        self.assertEqual(dispatch.kit_picking_id, picking)
        self.assertEqual(
            self.env["stock.picking"].search_count([("origin", "=", dispatch.name)]), 2
        )

        as_tech = dispatch.with_user(self.user_technician)
        as_tech.action_arrive()
        as_tech.write(
            {
                "part_ids": [
                    Command.create({"product_id": fan.id, "lot_id": fan_sn.id, "quantity": 1}),
                    Command.create(
                        {
                            "product_id": fan.id,
                            "lot_id": old_sn.id,
                            "quantity": 1,
                            "direction": "returned",
                        }
                    ),
                ],
                "outcome": "fixed",
                "signed_by": "Carl",
                "signature": SIGNATURE_PNG,
            }
        )
        # Ticking the kit is the technician's; changing it is not.
        kit = dispatch.kit_line_ids.filtered(lambda k: k.kind == "tool")
        kit.with_user(self.user_technician).checked = True
        with self.assertRaises(UserError):
            kit.with_user(self.user_technician).quantity = 5
        as_tech.action_finish()
        customers = self.env.ref("stock.stock_location_customers")
        used, returned = dispatch.part_ids
        self.assertEqual(used.move_id.state, "done")
        self.assertEqual(used.move_id.location_id, van)
        self.assertEqual(used.move_id.location_dest_id, customers)
        self.assertEqual(used.move_id.move_line_ids.lot_id, fan_sn)
        # The replaced (defective) part comes back out of the sellable stock.
        self.assertEqual(returned.move_id.location_id, customers)
        self.assertTrue(returned.move_id.location_dest_id.scrap_location)
        self.assertEqual(returned.move_id.move_line_ids.lot_id, old_sn)
        self.assertEqual(Quant._get_available_quantity(fan, van, lot_id=fan_sn), 0)
        self.assertEqual(Quant._get_available_quantity(fan, van, lot_id=old_sn), 0)
        # Parts moved cannot be changed any more.
        with self.assertRaises(UserError):
            used.with_user(self.user_technician).quantity = 2

    def test_parts_from_main_stock_without_van(self):
        filt = self._create_product(name="Filter", tracking="none")
        dispatch = self._dispatch(schedule=True)
        as_tech = dispatch.with_user(self.user_technician)
        as_tech.action_arrive()
        as_tech.write({"part_ids": [Command.create({"product_id": filt.id, "quantity": 2})]})
        self._visit_finish(dispatch)
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.assertEqual(dispatch.part_ids.move_id.location_id, warehouse.lot_stock_id)
        self.assertEqual(dispatch.part_ids.move_id.quantity, 2)

    def _visit_finish(self, dispatch):
        as_tech = dispatch.with_user(dispatch.technician_id)
        as_tech.write({"outcome": "fixed", "signed_by": "Carl", "signature": SIGNATURE_PNG})
        as_tech.action_finish()

    def test_bad_parts(self):
        dispatch = self._dispatch(schedule=True)
        dispatch.with_user(self.user_technician).action_arrive()
        fan = self._create_product(name="Fan motor")
        other = self._create_product(name="Compressor")
        Part = self.env["aftersales.dispatch.part"]
        count = Part.search_count([])
        with self.assertRaises(ValidationError):
            Part.create({"dispatch_id": dispatch.id, "product_id": fan.id, "quantity": -1})
        with self.assertRaises(ValidationError):
            Part.create(
                {
                    "dispatch_id": dispatch.id,
                    "product_id": fan.id,
                    "lot_id": self._create_serial(other, "C-1").id,
                }
            )
        self.assertEqual(Part.search_count([]), count)

    # ------------------------------------------------------------------
    # Planning (R11): suggestions and double booking
    # ------------------------------------------------------------------
    def test_suggestion_ranking(self):
        fridge = self.env["aftersales.skill"].create({"name": "Refrigeration X"})
        elec = self.env["aftersales.skill"].create({"name": "Electrical X"})
        state = self.env.ref("base.state_us_5")
        area = self.env["aftersales.service.area"].create(
            {"name": "California", "state_ids": [Command.set(state.ids)]}
        )
        self.customer.state_id = state
        tech3 = self.env["res.users"].create(
            {
                "name": "Tom Third",
                "login": "as_tech3",
                "groups_id": [
                    Command.set(
                        self.env.ref("aftersales_service.aftersales_service_group_technician").ids
                    )
                ],
            }
        )
        Technician = self.env["aftersales.technician"]
        Technician.create(
            [
                # All the skills, far away.
                {
                    "user_id": self.user_technician.id,
                    "skill_ids": [Command.set((fridge | elec).ids)],
                },
                # All the skills, in the area, but busy then.
                {
                    "user_id": self.user_technician_2.id,
                    "skill_ids": [Command.set((fridge | elec).ids)],
                    "area_ids": [Command.set(area.ids)],
                },
                # One skill, in the area.
                {
                    "user_id": tech3.id,
                    "skill_ids": [Command.set(fridge.ids)],
                    "area_ids": [Command.set(area.ids)],
                },
            ]
        )
        self.ticket.skill_ids = fridge | elec
        dispatch = self._dispatch(technician_id=False)
        self._create_dispatch(
            self._create_ticket(),
            technician_id=self.user_technician_2.id,
            date_start=dispatch.date_start + timedelta(hours=1),
            schedule=True,
        )
        action = dispatch.with_user(self.user_manager).action_suggest_technicians()
        wizard = self.env["aftersales.dispatch.assign"].browse(action["res_id"])
        mine = self.user_technician | self.user_technician_2 | tech3
        # (Profiles of the database, demo data included, rank among them.)
        ranked = wizard.line_ids.sorted("rank").filtered(lambda line: line.user_id in mine)
        self.assertEqual(
            ranked.user_id.ids, [self.user_technician.id, tech3.id, self.user_technician_2.id]
        )
        busy = ranked[2]
        self.assertTrue(busy.conflict)
        self.assertEqual(busy.load_hours, 2)
        self.assertTrue(ranked[1].in_area)
        self.assertEqual(ranked[1].skills_label, "1 / 2")
        ranked[0].action_choose()
        self.assertEqual(dispatch.technician_id, self.user_technician)
        # Technicians do not get suggestions.
        with self.assertRaises(AccessError):
            dispatch.with_user(self.user_technician).action_suggest_technicians()

    def test_double_booking_warning(self):
        first = self._dispatch(schedule=True)
        second = self._create_dispatch(
            self._create_ticket(), date_start=first.date_start + timedelta(minutes=90)
        )
        self.assertIn(first.name, second.conflict_warning)
        # Back to back is no conflict.
        second.write(
            {"date_start": first.date_end, "date_end": first.date_end + timedelta(hours=1)}
        )
        self.assertFalse(second.conflict_warning)
        # In the form: a warning when choosing the technician, not a refusal.
        Dispatch = self.env["aftersales.dispatch"].with_context(default_ticket_id=self.ticket.id)
        with (
            self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs,
            Form(Dispatch) as form,
        ):
            form.date_start = first.date_start
            form.technician_id = self.user_technician
            self.assertTrue(form.conflict_warning)
        self.assertIn("Double booking", logs.output[0])
        self.assertTrue(form.record.id)

    def test_dates_and_hours_checked(self):
        Dispatch = self.env["aftersales.dispatch"]
        count = Dispatch.search_count([])
        start = datetime(2027, 3, 1, 9, 0)
        with self.assertRaises(ValidationError):
            Dispatch.create(
                {
                    "ticket_id": self.ticket.id,
                    "date_start": start,
                    "date_end": start - timedelta(hours=1),
                }
            )
        with self.assertRaises(ValidationError):
            Dispatch.create({"ticket_id": self.ticket.id, "technician_id": self.user_internal.id})
        self.assertEqual(Dispatch.search_count([]), count)

    # ------------------------------------------------------------------
    # Deletion (R7)
    # ------------------------------------------------------------------
    def test_deletion_rules(self):
        draft = self._dispatch()
        draft.unlink()
        dispatch = self._dispatch(schedule=True)
        with self.assertRaises(UserError):
            dispatch.unlink()
        self._visit(dispatch)
        with self.assertRaises(UserError):
            dispatch.unlink()
        # Nor the ticket of a signed dispatch.
        with self.assertRaises(UserError):
            self.ticket.unlink()

    def test_app_home(self):
        Dispatch = self.env["aftersales.dispatch"]
        tech_home = Dispatch.with_user(self.user_technician)._action_home()
        self.assertEqual(tech_home["res_model"], "aftersales.dispatch")
        self.assertEqual(tech_home["view_mode"].split(",")[0], "kanban")
        self.assertEqual(
            Dispatch.with_user(self.user_service)._action_home()["res_model"], "aftersales.ticket"
        )

    def test_technicians_read_their_own_profile(self):
        """A technician prints their own badge, not a colleague's."""
        Technician = self.env["aftersales.technician"]
        mine, other = Technician.create(
            [
                {"user_id": self.user_technician.id, "badge_number": "T-1"},
                {"user_id": self.user_technician_2.id, "badge_number": "T-2"},
            ]
        )
        as_tech = Technician.with_user(self.user_technician)
        self.assertEqual(as_tech.search([("id", "in", (mine | other).ids)]), mine)
        with self.assertRaises(AccessError):
            other.with_user(self.user_technician).read(["badge_number"])
        # Supervisors see everyone's, and rank them all.
        self.assertEqual(
            Technician.with_user(self.user_manager).search([("id", "in", (mine | other).ids)]),
            mine | other,
        )
