"""The vocabularies of the domain (DOMAIN.md), each value with a label a person reads."""

from __future__ import annotations

import enum


class LabelledEnum(str, enum.Enum):
    """A text enum whose members carry a human label: ``Member("value", "Label")``."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ").capitalize()
        return member

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def parse(cls, text: str) -> LabelledEnum:
        """A member from its value or its label, case-insensitively; ValueError otherwise."""
        wanted = text.strip().lower().replace("-", "_")
        for member in cls:
            if wanted in (member.value, member.label.lower()):
                return member
        raise ValueError(text)


class PlanType(LabelledEnum):
    ERISA_GROUP_HEALTH = "erisa_group_health", "ERISA group health plan"
    ERISA_DISABILITY = "erisa_disability", "ERISA disability plan"
    ERISA_OTHER_WELFARE = "erisa_other_welfare", "ERISA other welfare plan (life, AD&D, CI)"
    ACA_INDIVIDUAL = "aca_individual", "ACA individual / marketplace plan"
    STATE_REGULATED = "state_regulated", "State-regulated health plan (non-ERISA)"
    MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage"
    MEDICARE_PART_D = "medicare_part_d", "Medicare Part D"
    ORIGINAL_MEDICARE = "original_medicare", "Original Medicare"
    MEDICAID_FFS = "medicaid_ffs", "Medicaid fee-for-service"
    MEDICAID_MANAGED_CARE = "medicaid_managed_care", "Medicaid managed care"
    FEHB = "fehb", "Federal Employees Health Benefits (FEHB)"
    INDIVIDUAL_DISABILITY = "individual_disability", "Individual disability policy"
    LONG_TERM_CARE = "long_term_care", "Long-term care policy"
    CRITICAL_ILLNESS = "critical_illness", "Critical illness policy"
    UK_PRIVATE = "uk_private", "UK private medical / income protection"
    AU_PRIVATE = "au_private", "Australian private health / income protection"
    CA_PRIVATE = "ca_private", "Canadian private health / disability"
    IN_HEALTH = "in_health", "Indian health insurance"
    OTHER = "other", "Other"


class ClaimType(LabelledEnum):
    HEALTH = "health", "Health"
    DISABILITY = "disability", "Disability"
    LONG_TERM_CARE = "long_term_care", "Long-term care"
    CRITICAL_ILLNESS = "critical_illness", "Critical illness"
    LIFE = "life", "Life / AD&D"
    OTHER = "other", "Other"


class ClinicalArea(LabelledEnum):
    """What the claim is about medically; decides which specialist fits (DOMAIN.md step 3)."""

    CARDIAC = "cardiac", "Cardiac"
    CANCER = "cancer", "Cancer"
    NEUROLOGICAL = "neurological", "Stroke / neurological"
    MUSCULOSKELETAL = "musculoskeletal", "Musculoskeletal"
    CHRONIC_PAIN = "chronic_pain", "Chronic pain"
    MENTAL_HEALTH = "mental_health", "Mental health"
    FUNCTIONAL_CAPACITY = "functional_capacity", "Functional capacity"
    COGNITIVE = "cognitive", "Cognitive"
    RESPIRATORY = "respiratory", "Respiratory"
    RENAL = "renal", "Renal"
    OTHER = "other", "Other"


class DenialCategory(LabelledEnum):
    MEDICAL_NECESSITY = "medical_necessity", "Not medically necessary"
    DEFINITION_NOT_MET = "definition_not_met", "Condition does not meet the policy definition"
    EXPERIMENTAL = "experimental", "Experimental / investigational"
    FUNCTIONAL_CAPACITY = "functional_capacity", "Functional capacity disputed"
    ADL_ASSESSMENT = "adl_assessment", "ADL assessment finds claimant independent"
    MENTAL_HEALTH = "mental_health", "Mental health diagnosis or severity challenged"
    PRIOR_AUTHORIZATION = "prior_authorization", "Prior authorization refused"
    POLICY_EXCLUSION = "policy_exclusion", "Policy exclusion"
    ADMINISTRATIVE_ERROR = "administrative_error", "Administrative error"
    MISSING_DOCUMENTATION = "missing_documentation", "Missing documentation"
    OUT_OF_NETWORK = "out_of_network", "Out of network"
    OTHER = "other", "Other"

    @property
    def clinical(self) -> bool:
        """Clinical disputes are where a second medical opinion is the strongest tool."""
        return self in _CLINICAL_DENIALS


_CLINICAL_DENIALS = frozenset(
    {
        DenialCategory.MEDICAL_NECESSITY,
        DenialCategory.DEFINITION_NOT_MET,
        DenialCategory.EXPERIMENTAL,
        DenialCategory.FUNCTIONAL_CAPACITY,
        DenialCategory.ADL_ASSESSMENT,
        DenialCategory.MENTAL_HEALTH,
        DenialCategory.PRIOR_AUTHORIZATION,
    }
)


class Stage(LabelledEnum):
    DENIAL_RECEIVED = "denial_received", "Denial received"
    GATHERING_RECORDS = "gathering_records", "Getting the insurer's basis"
    SECOND_OPINION = "second_opinion", "Second opinion"
    INTERNAL_APPEAL = "internal_appeal", "Internal appeal"
    EXTERNAL_REVIEW = "external_review", "External review / IMR"
    OMBUDSMAN = "ombudsman", "Ombudsman / regulator"
    LITIGATION = "litigation", "Litigation"
    CLOSED = "closed", "Closed"


class ClaimStatus(LabelledEnum):
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


class Outcome(LabelledEnum):
    PENDING = "pending", "Pending"
    OVERTURNED = "overturned", "Denial overturned"
    PARTIALLY_OVERTURNED = "partially_overturned", "Partly overturned"
    UPHELD = "upheld", "Denial upheld"
    SETTLED = "settled", "Settled"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Role(LabelledEnum):
    """What an account may do (enforced by the services; office sign-in comes with issue 14)."""

    ADMIN = "admin", "Administrator"
    CASEWORKER = "caseworker", "Caseworker"
    VOLUNTEER = "volunteer", "Volunteer (read only)"


class OrganisationKind(LabelledEnum):
    INSURER = "insurer", "Insurer"
    PLAN_ADMINISTRATOR = "plan_administrator", "Plan administrator"
    EMPLOYER = "employer", "Employer / plan sponsor"
    PROVIDER = "provider", "Provider"
    REGULATOR = "regulator", "Regulator"
    OMBUDSMAN = "ombudsman", "Ombudsman"
    REVIEW_ORGANISATION = "review_organisation", "Independent review organisation"
    LAW_FIRM = "law_firm", "Law firm"
    OTHER = "other", "Other"


class CallDirection(LabelledEnum):
    OUTGOING = "outgoing", "Outgoing"
    INCOMING = "incoming", "Incoming"


class PromiseStatus(LabelledEnum):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"


class RequestKind(LabelledEnum):
    MEDICAL_REVIEWER_REPORT = "medical_reviewer_report", "Medical reviewer's report"
    CLINICAL_CRITERIA = "clinical_criteria", "Clinical criteria / policy bulletin"
    CLAIM_FILE = "claim_file", "Complete claim file"
    IME_REPORT = "ime_report", "IME report"
    PLAN_DOCUMENTS = "plan_documents", "Plan documents"
    MEDICAL_RECORDS = "medical_records", "Medical records"
    OTHER = "other", "Other"


class ContactMethod(LabelledEnum):
    LETTER = "letter", "Letter"
    CERTIFIED_MAIL = "certified_mail", "Certified mail"
    FAX = "fax", "Fax"
    PORTAL = "portal", "Online portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


class DocumentKind(LabelledEnum):
    DENIAL_LETTER = "denial_letter", "Denial letter"
    EOB = "eob", "Explanation of benefits"
    POLICY = "policy", "Policy / plan document"
    CLINICAL_CRITERIA = "clinical_criteria", "Clinical criteria / policy bulletin"
    REVIEWER_REPORT = "reviewer_report", "Medical reviewer's report"
    CLAIM_FILE = "claim_file", "Claim file"
    IME_REPORT = "ime_report", "IME report"
    MEDICAL_RECORD = "medical_record", "Medical record"
    TEST_RESULT = "test_result", "Test result"
    SPECIALIST_REPORT = "specialist_report", "Second-opinion report"
    SPECIALIST_CV = "specialist_cv", "Specialist's CV"
    LITERATURE = "literature", "Literature / guideline"
    TREATING_PHYSICIAN_LETTER = "treating_physician_letter", "Treating physician's letter"
    LETTER_SENT = "letter_sent", "Letter sent"
    CORRESPONDENCE = "correspondence", "Correspondence received"
    DECISION = "decision", "Decision"
    OTHER = "other", "Other"


class OpinionStatus(LabelledEnum):
    IDENTIFIED = "identified", "Identified"
    BRIEFED = "briefed", "Briefed"
    APPOINTMENT = "appointment", "Appointment booked"
    EXAMINED = "examined", "Examined"
    RECORDS_REVIEWED = "records_reviewed", "Records reviewed"
    REPORT_RECEIVED = "report_received", "Report received"
    DECLINED = "declined", "Declined / cancelled"


class ReviewMode(LabelledEnum):
    UNKNOWN = "unknown", "Not yet known"
    EXAMINATION = "examination", "Examination"
    RECORDS_ONLY = "records_only", "Records only"


class AppealLevel(LabelledEnum):
    INTERNAL_1 = "internal_1", "Internal appeal, level 1"
    INTERNAL_2 = "internal_2", "Internal appeal, level 2"
    PEER_TO_PEER = "peer_to_peer", "Peer-to-peer review"
    EXTERNAL_REVIEW = "external_review", "External review / IMR"
    OMBUDSMAN = "ombudsman", "Ombudsman"
    REGULATOR = "regulator", "Regulator complaint"
    LITIGATION = "litigation", "Litigation"


class EventKind(LabelledEnum):
    """Dated events that start, stop or extend a deadline clock (deadline engine input)."""

    CLAIM_SUBMITTED = "claim_submitted", "Claim submitted to plan"
    COMPLAINT_SENT = "complaint_sent", "Complaint sent to insurer"
    FINAL_RESPONSE = "final_response", "Insurer's final response"
    FINAL_INTERNAL_DENIAL = "final_internal_denial", "Final internal denial received"
    EXTENSION_NOTICE = "extension_notice", "Insurer gave notice of an extension"
    CLOCK_STOPPED = "clock_stopped", "Clock stopped (insurer waiting for information)"
    CLOCK_RESUMED = "clock_resumed", "Clock resumed (information supplied)"
    OTHER = "other", "Other"


class DeadlineSource(LabelledEnum):
    COMPUTED = "computed", "Computed from a rule"
    MANUAL = "manual", "Entered by hand"


class DeadlineStatus(LabelledEnum):
    OPEN = "open", "Open"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    DISMISSED = "dismissed", "No longer applies"


class Party(LabelledEnum):
    """Who must act by a deadline."""

    CLAIMANT = "claimant", "Claimant"
    INSURER = "insurer", "Insurer / plan"
    REVIEWER = "reviewer", "External reviewer"
    OTHER = "other", "Other"


class Confidence(LabelledEnum):
    """How sure we are of a rule (DOMAIN.md): V read in the text, S secondary, M unchecked."""

    VERIFIED = "V", "Verified in the rule's text"
    SECONDARY = "S", "From a reliable secondary source"
    UNCHECKED = "M", "Believed, not re-checked"
