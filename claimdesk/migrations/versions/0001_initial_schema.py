"""initial schema: the whole case data model

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 09:19:00.681558
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "insurer",
                "plan_administrator",
                "employer",
                "provider",
                "regulator",
                "ombudsman",
                "review_organisation",
                "law_firm",
                "other",
                name="organisationkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=60), nullable=False),
        sa.Column("fax", sa.String(length=60), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_name"), ["name"], unique=False)

    op.create_table(
        "specialists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credentials", sa.String(length=80), nullable=False),
        sa.Column("specialty", sa.String(length=120), nullable=False),
        sa.Column("subspecialty", sa.String(length=120), nullable=False),
        sa.Column("is_general_practitioner", sa.Boolean(), nullable=False),
        sa.Column("board_certification", sa.String(length=200), nullable=False),
        sa.Column("certification_body", sa.String(length=200), nullable=False),
        sa.Column("certification_verified_on", sa.Date(), nullable=True),
        sa.Column("institution", sa.String(length=200), nullable=False),
        sa.Column("academic", sa.Boolean(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=60), nullable=False),
        sa.Column("fax", sa.String(length=60), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("fee_minor", sa.Integer(), nullable=True),
        sa.Column("fee_currency", sa.String(length=3), nullable=False),
        sa.Column("conflict_of_interest", sa.Boolean(), nullable=False),
        sa.Column("conflict_notes", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_specialists")),
    )
    with op.batch_alter_table("specialists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_specialists_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_specialists_specialty"), ["specialty"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("claimant_name", sa.String(length=200), nullable=False),
        sa.Column("claimant_birth_date", sa.Date(), nullable=True),
        sa.Column("claimant_address", sa.Text(), nullable=False),
        sa.Column("claimant_phone", sa.String(length=60), nullable=False),
        sa.Column("claimant_email", sa.String(length=200), nullable=False),
        sa.Column("insurer_id", sa.Integer(), nullable=True),
        sa.Column("plan_administrator_id", sa.Integer(), nullable=True),
        sa.Column("plan_name", sa.String(length=200), nullable=False),
        sa.Column(
            "plan_type",
            sa.Enum(
                "erisa_group_health",
                "erisa_disability",
                "erisa_other_welfare",
                "aca_individual",
                "state_regulated",
                "medicare_advantage",
                "medicare_part_d",
                "original_medicare",
                "medicaid_ffs",
                "medicaid_managed_care",
                "fehb",
                "individual_disability",
                "long_term_care",
                "critical_illness",
                "uk_private",
                "au_private",
                "ca_private",
                "in_health",
                "other",
                name="plantype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("policy_number", sa.String(length=80), nullable=False),
        sa.Column("group_number", sa.String(length=80), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("insurer_claim_number", sa.String(length=80), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column(
            "claim_type",
            sa.Enum(
                "health",
                "disability",
                "long_term_care",
                "critical_illness",
                "life",
                "other",
                name="claimtype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "clinical_area",
            sa.Enum(
                "cardiac",
                "cancer",
                "neurological",
                "musculoskeletal",
                "chronic_pain",
                "mental_health",
                "functional_capacity",
                "cognitive",
                "respiratory",
                "renal",
                "other",
                name="clinicalarea",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("disputed_service", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("denial_letter_date", sa.Date(), nullable=True),
        sa.Column("denial_received_date", sa.Date(), nullable=True),
        sa.Column("proof_of_receipt", sa.Text(), nullable=False),
        sa.Column("denial_reason", sa.Text(), nullable=False),
        sa.Column(
            "denial_category",
            sa.Enum(
                "medical_necessity",
                "definition_not_met",
                "experimental",
                "functional_capacity",
                "adl_assessment",
                "mental_health",
                "prior_authorization",
                "policy_exclusion",
                "administrative_error",
                "missing_documentation",
                "out_of_network",
                "other",
                name="denialcategory",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reviewer_name", sa.String(length=200), nullable=False),
        sa.Column("reviewer_credentials", sa.String(length=200), nullable=False),
        sa.Column("criteria_cited", sa.Text(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "denial_received",
                "gathering_records",
                "second_opinion",
                "internal_appeal",
                "external_review",
                "ombudsman",
                "litigation",
                "closed",
                name="stage",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("open", "on_hold", "closed", name="claimstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "overturned",
                "partially_overturned",
                "upheld",
                "settled",
                "withdrawn",
                name="outcome",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"],
            ["users.id"],
            name=op.f("fk_claims_assigned_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"],
            ["organisations.id"],
            name=op.f("fk_claims_insurer_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_administrator_id"],
            ["organisations.id"],
            name=op.f("fk_claims_plan_administrator_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("case_number", name=op.f("uq_claims_case_number")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claims_assigned_user_id"), ["assigned_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claims_claimant_name"), ["claimant_name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claims_insurer_claim_number"), ["insurer_claim_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_claims_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("staff_id", sa.String(length=80), nullable=False),
        sa.Column("phone", sa.String(length=60), nullable=False),
        sa.Column("fax", sa.String(length=60), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_contacts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "internal_1",
                "internal_2",
                "peer_to_peer",
                "external_review",
                "ombudsman",
                "regulator",
                "litigation",
                name="appeallevel",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reviewing_body", sa.String(length=200), nullable=False),
        sa.Column("expedited", sa.Boolean(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column(
            "filed_method",
            sa.Enum(
                "letter",
                "certified_mail",
                "fax",
                "portal",
                "email",
                "phone",
                "in_person",
                name="contactmethod",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("proof_of_receipt", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_received_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "overturned",
                "partially_overturned",
                "upheld",
                "settled",
                "withdrawn",
                name="outcome",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("decision_summary", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_appeals_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "call_log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("outgoing", "incoming", name="calldirection", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_name", sa.String(length=200), nullable=False),
        sa.Column("person_staff_id", sa.String(length=80), nullable=False),
        sa.Column("number_dialled", sa.String(length=60), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("call_reference", sa.String(length=80), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("refusal_detail", sa.Text(), nullable=False),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["amends_id"],
            ["call_log_entries.id"],
            name=op.f("fk_call_log_entries_amends_id_call_log_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_call_log_entries_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_call_log_entries_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_call_log_entries_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_log_entries")),
    )
    with op.batch_alter_table("call_log_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_log_entries_amends_id"), ["amends_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_call_log_entries_call_reference"), ["call_reference"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_call_log_entries_claim_id"), ["claim_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_call_log_entries_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "source",
            sa.Enum("computed", "manual", name="deadlinesource", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("trigger_ref", sa.String(length=80), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "claimant",
                "insurer",
                "reviewer",
                "other",
                name="party",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("computed_due_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outer_limit_on", sa.Date(), nullable=True),
        sa.Column("derivation", sa.Text(), nullable=False),
        sa.Column("citation", sa.String(length=300), nullable=False),
        sa.Column(
            "confidence",
            sa.Enum("V", "S", "M", name="confidence", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("overridden_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "met",
                "missed",
                "dismissed",
                name="deadlinestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_deadlines_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["overridden_by_id"],
            ["users.id"],
            name=op.f("fk_deadlines_overridden_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadlines_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadlines_status"), ["status"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "denial_letter",
                "eob",
                "policy",
                "clinical_criteria",
                "reviewer_report",
                "claim_file",
                "ime_report",
                "medical_record",
                "test_result",
                "specialist_report",
                "specialist_cv",
                "literature",
                "treating_physician_letter",
                "letter_sent",
                "correspondence",
                "decision",
                "other",
                name="documentkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("packet_position", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_documents_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_documents_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_notes_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_notes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "call_promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "kept", "broken", name="promisestatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call_log_entries.id"],
            name=op.f("fk_call_promises_call_id_call_log_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_promises")),
    )
    with op.batch_alter_table("call_promises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_promises_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_promises_due_date"), ["due_date"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "claim_submitted",
                "complaint_sent",
                "final_response",
                "final_internal_denial",
                "extension_notice",
                "clock_stopped",
                "clock_resumed",
                "other",
                name="eventkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_case_events_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_case_events_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "document_contents",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_contents_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_contents")),
    )
    op.create_table(
        "document_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "medical_reviewer_report",
                "clinical_criteria",
                "claim_file",
                "ime_report",
                "plan_documents",
                "medical_records",
                "other",
                name="requestkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "letter",
                "certified_mail",
                "fax",
                "portal",
                "email",
                "phone",
                "in_person",
                name="contactmethod",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_document_requests_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_requests_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["organisations.id"],
            name=op.f("fk_document_requests_recipient_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_requests")),
    )
    with op.batch_alter_table("document_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_requests_claim_id"), ["claim_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_requests_due_on"), ["due_on"], unique=False)

    op.create_table(
        "imes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("exam_date", sa.Date(), nullable=True),
        sa.Column("examiner_name", sa.String(length=200), nullable=False),
        sa.Column("examiner_specialty", sa.String(length=120), nullable=False),
        sa.Column("examiner_organisation_id", sa.Integer(), nullable=True),
        sa.Column("paid_by", sa.String(length=200), nullable=False),
        sa.Column("representative_attending", sa.Boolean(), nullable=False),
        sa.Column("representative_name", sa.String(length=200), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("report_requested_on", sa.Date(), nullable=True),
        sa.Column("report_received_on", sa.Date(), nullable=True),
        sa.Column("report_document_id", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_imes_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["examiner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_imes_examiner_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_document_id"],
            ["documents.id"],
            name=op.f("fk_imes_report_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imes")),
    )
    with op.batch_alter_table("imes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imes_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("template_name", sa.String(length=200), nullable=False),
        sa.Column("template_version", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column(
            "sent_method",
            sa.Enum(
                "letter",
                "certified_mail",
                "fax",
                "portal",
                "email",
                "phone",
                "in_person",
                name="contactmethod",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_letters_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_letters_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["users.id"],
            name=op.f("fk_letters_generated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
    )
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letters_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("remind_on", sa.Date(), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["deadlines.id"],
            name=op.f("fk_reminders_deadline_id_deadlines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_deadline_id"), ["deadline_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminders_remind_on"), ["remind_on"], unique=False)

    op.create_table(
        "second_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "identified",
                "briefed",
                "appointment",
                "examined",
                "records_reviewed",
                "report_received",
                "declined",
                name="opinionstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "review_mode",
            sa.Enum(
                "unknown",
                "examination",
                "records_only",
                name="reviewmode",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("briefed_on", sa.Date(), nullable=True),
        sa.Column("briefing_included_denial", sa.Boolean(), nullable=False),
        sa.Column("briefing_included_criteria", sa.Boolean(), nullable=False),
        sa.Column("appointment_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("examined_on", sa.Date(), nullable=True),
        sa.Column("report_received_on", sa.Date(), nullable=True),
        sa.Column("report_document_id", sa.Integer(), nullable=True),
        sa.Column("report_is_full", sa.Boolean(), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("guidelines_cited", sa.Text(), nullable=False),
        sa.Column("cpt_code", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("billed_minor", sa.Integer(), nullable=True),
        sa.Column("allowed_minor", sa.Integer(), nullable=True),
        sa.Column("paid_minor", sa.Integer(), nullable=True),
        sa.Column("owed_minor", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_second_opinions_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_document_id"],
            ["documents.id"],
            name=op.f("fk_second_opinions_report_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialists.id"],
            name=op.f("fk_second_opinions_specialist_id_specialists"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_opinions")),
    )
    with op.batch_alter_table("second_opinions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_second_opinions_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_second_opinions_specialist_id"), ["specialist_id"], unique=False
        )

    op.create_table(
        "request_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "letter",
                "certified_mail",
                "fax",
                "portal",
                "email",
                "phone",
                "in_person",
                name="contactmethod",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("new_due_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["document_requests.id"],
            name=op.f("fk_request_follow_ups_request_id_document_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_follow_ups")),
    )
    with op.batch_alter_table("request_follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_follow_ups_request_id"), ["request_id"], unique=False
        )

    # The audit trail is append-only: refuse UPDATE and DELETE at the database itself.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )
    elif op.get_bind().dialect.name == "postgresql":
        # The same refusal on the server (an integrity violation, as SQLite's ABORT is), for
        # TRUNCATE too. The app's own role owns no right to drop it once an office revokes
        # ownership (README, "An office server").
        op.execute(
            """CREATE FUNCTION audit_events_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit trail is append-only'
                    USING ERRCODE = 'integrity_constraint_violation';
            END $$"""
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade() -> None:

    with op.batch_alter_table("request_follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_follow_ups_request_id"))

    op.drop_table("request_follow_ups")
    with op.batch_alter_table("second_opinions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_second_opinions_specialist_id"))
        batch_op.drop_index(batch_op.f("ix_second_opinions_claim_id"))

    op.drop_table("second_opinions")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_remind_on"))
        batch_op.drop_index(batch_op.f("ix_reminders_deadline_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letters_claim_id"))

    op.drop_table("letters")
    with op.batch_alter_table("imes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imes_claim_id"))

    op.drop_table("imes")
    with op.batch_alter_table("document_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_requests_due_on"))
        batch_op.drop_index(batch_op.f("ix_document_requests_claim_id"))

    op.drop_table("document_requests")
    op.drop_table("document_contents")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_claim_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("call_promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_promises_due_date"))
        batch_op.drop_index(batch_op.f("ix_call_promises_call_id"))

    op.drop_table("call_promises")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_claim_id"))

    op.drop_table("notes")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_documents_claim_id"))

    op.drop_table("documents")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadlines_status"))
        batch_op.drop_index(batch_op.f("ix_deadlines_due_on"))
        batch_op.drop_index(batch_op.f("ix_deadlines_claim_id"))

    op.drop_table("deadlines")
    with op.batch_alter_table("call_log_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_log_entries_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_call_log_entries_claim_id"))
        batch_op.drop_index(batch_op.f("ix_call_log_entries_call_reference"))
        batch_op.drop_index(batch_op.f("ix_call_log_entries_amends_id"))

    op.drop_table("call_log_entries")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_claim_id"))

    op.drop_table("appeals")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_organisation_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_updated_at"))
        batch_op.drop_index(batch_op.f("ix_claims_status"))
        batch_op.drop_index(batch_op.f("ix_claims_insurer_id"))
        batch_op.drop_index(batch_op.f("ix_claims_insurer_claim_number"))
        batch_op.drop_index(batch_op.f("ix_claims_claimant_name"))
        batch_op.drop_index(batch_op.f("ix_claims_assigned_user_id"))

    op.drop_table("claims")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_claim_id"))

    op.drop_table("audit_events")
    op.drop_table("users")
    with op.batch_alter_table("specialists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_specialists_specialty"))
        batch_op.drop_index(batch_op.f("ix_specialists_name"))

    op.drop_table("specialists")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_name"))

    op.drop_table("organisations")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
