"""Denial letters made for the intake tests and bench/intake.py, with the fields each truly holds.

Ten fictional letters from the five countries ClaimDesk knows, in different layouts, fonts,
date styles and labels. Each can be had as a born-digital PDF (fpdf2), as a scan (the PDF drawn
by PDFium at 200 or 300 dpi, turned a little, with paper noise and specks, saved as a PDF
holding only the picture) or as a phone photo (a JPEG: lower resolution, tilted, uneven light,
a dark table around the page). Everything is seeded: the same call makes the same bytes.

``python -m tests.intake_letters`` writes tests/resources/intake/truth.json (committed; a test
checks it matches what this file says).
"""

from __future__ import annotations

import io
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageChops, ImageDraw, ImageFilter

TRUTH = Path(__file__).parent / "resources" / "intake" / "truth.json"

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


DATE_STYLES = {
    "us_long": lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
    "us_slash": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
    "uk_long": lambda d: f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
    "uk_slash": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "iso": lambda d: d.isoformat(),
    "in_dash": lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    "in_ordinal": lambda d: f"{_ordinal(d.day)} {_MONTHS[d.month - 1]} {d.year}",
    "au_short": lambda d: f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}",
}


@dataclass(frozen=True)
class Letter:
    key: str
    country: str
    region: str
    plan_type: str
    insurer: str
    address: tuple[str, ...]
    letter_date: date
    date_style: str
    patient: str
    salutation: str
    service: str
    reason: str
    reviewer: str
    credentials: str
    criteria: str
    appeal: str  # the sentence giving the appeal window
    appeal_days: int | None
    references: tuple[tuple[str, str, str], ...]  # (field, label, value)
    layout: str = "table"  # table, inline, right
    font: str = "helvetica"
    reviewer_line: str = "Reviewed by: {who}"
    service_label: str = "Service denied:"
    criteria_label: str = "Criteria used:"
    extra: tuple[str, ...] = field(default_factory=tuple)

    def truth(self) -> dict[str, object]:
        refs = {name: value for name, _, value in self.references}
        return {
            "letter_date": self.letter_date.isoformat(),
            "insurer": self.insurer,
            "claim_number": refs.get("claim_number"),
            "member_id": refs.get("member_id"),
            "group_number": refs.get("group_number"),
            "policy_number": refs.get("policy_number"),
            "patient_name": self.patient,
            "service": self.service,
            "reason": self.reason,
            "reviewer": self.reviewer,
            "reviewer_credentials": self.credentials,
            "criteria": self.criteria,
            "appeal_deadline_days": self.appeal_days,
            "plan_type": self.plan_type,
            "jurisdiction": "-".join(p for p in (self.country, self.region) if p),
        }


LETTERS = [
    Letter(
        key="us_erisa_mri",
        country="US",
        region="CA",
        plan_type="erisa_group_health",
        insurer="Northwind Health Plan",
        address=("PO Box 4410", "Sacramento, CA 95812"),
        letter_date=date(2026, 3, 9),
        date_style="us_long",
        patient="Maria Gonzalez",
        salutation="Dear Ms. Gonzalez,",
        service="MRI of the lumbar spine without contrast",
        reason="The requested MRI is not medically necessary because six weeks of conservative "
        "therapy have not been documented.",
        reviewer="Alan Brooks",
        credentials="MD",
        criteria="InterQual 2025 Imaging Criteria, Lumbar Spine",
        appeal="You have 180 days from the date you receive this letter to file an appeal under "
        "your ERISA plan.",
        appeal_days=180,
        references=(
            ("member_id", "Member ID:", "NWH884512307"),
            ("group_number", "Group Number:", "GRP-22871"),
            ("claim_number", "Claim #:", "C2026-0418877"),
        ),
    ),
    Letter(
        key="us_ma_cardiac",
        country="US",
        region="FL",
        plan_type="medicare_advantage",
        insurer="Evergreen Medicare Advantage Plan",
        address=("1200 Harbor Blvd", "Tampa, FL 33602"),
        letter_date=date(2026, 2, 17),
        date_style="us_slash",
        patient="Robert Chen",
        salutation="Dear Robert Chen:",
        service="Cardiac rehabilitation, 36 sessions",
        reason="We denied this request because the service does not meet Medicare coverage "
        "criteria for cardiac rehabilitation.",
        reviewer="Susan Patel",
        credentials="MD, FACC",
        criteria="Medicare National Coverage Determination 20.10",
        appeal="If you disagree, you must ask for a reconsideration within 65 days of the date "
        "of this notice.",
        appeal_days=65,
        references=(
            ("member_id", "Member Number:", "EMA-5521-0093"),
            ("claim_number", "Reference Number:", "PA-77120455"),
        ),
        layout="inline",
        font="times",
        reviewer_line="This decision was made by {who}, a physician reviewer.",
        service_label="Service requested:",
        criteria_label="Coverage rule applied:",
    ),
    Letter(
        key="us_medicaid_pt",
        country="US",
        region="NY",
        plan_type="medicaid_managed_care",
        insurer="Lakeside Community Health Plan",
        address=("55 Water Street", "Brooklyn, NY 11201"),
        letter_date=date(2026, 4, 1),
        date_style="us_long",
        patient="Aisha Williams",
        salutation="Dear Ms. Williams:",
        service="Physical therapy, 12 additional visits",
        reason="Your request was denied because the additional visits are not medically "
        "necessary for your condition.",
        reviewer="Kevin O'Neill",
        credentials="DO",
        criteria="MCG Care Guidelines, 29th Edition, Physical Therapy",
        appeal="You must file your plan appeal within 60 days of the date on this notice.",
        appeal_days=60,
        references=(
            ("member_id", "Medicaid ID:", "NY44871236"),
            ("claim_number", "Case Number:", "LCHP-2026-31877"),
        ),
        layout="right",
        font="courier",
    ),
    Letter(
        key="us_aca_drug",
        country="US",
        region="TX",
        plan_type="aca_individual",
        insurer="Cascade Mutual Insurance Company",
        address=("800 Congress Avenue", "Austin, TX 78701"),
        letter_date=date(2026, 1, 22),
        date_style="us_long",
        patient="James Okafor",
        salutation="Dear Mr. Okafor,",
        service="Adalimumab 40 mg injections",
        reason="This medication is excluded from your plan's formulary and no exception "
        "criteria were met.",
        reviewer="Laura Kim",
        credentials="PharmD",
        criteria="Cascade Mutual Formulary Exception Policy RX-114",
        appeal="You may request an internal appeal within 180 days of receiving this notice.",
        appeal_days=180,
        references=(
            ("policy_number", "Policy Number:", "CMI-TX-7730912"),
            ("member_id", "Subscriber ID:", "XKD448120"),
            ("claim_number", "Claim No.:", "RX26-0098812"),
        ),
        extra=(
            "This is an individual health plan bought through the Health Insurance Marketplace.",
        ),
    ),
    Letter(
        key="us_ltd_disability",
        country="US",
        region="IL",
        plan_type="erisa_disability",
        insurer="Prairie Life Assurance Company",
        address=("233 Wacker Drive", "Chicago, IL 60606"),
        letter_date=date(2026, 5, 4),
        date_style="us_slash",
        patient="Daniel Foster",
        salutation="Dear Mr. Foster:",
        service="Long-term disability benefits",
        reason="Your claim for long-term disability benefits has been denied because the "
        "medical evidence does not support an impairment that prevents you from performing "
        "your own occupation.",
        reviewer="Rachel Green",
        credentials="MD, MPH",
        criteria="Group Policy LTD-4410, Definition of Disability",
        appeal="You may appeal this decision within 180 days after you receive this letter.",
        appeal_days=180,
        references=(
            ("policy_number", "Group Policy:", "LTD-4410"),
            ("claim_number", "Claim Number:", "DI-8842107"),
        ),
        layout="inline",
        reviewer_line="The file was reviewed by {who}, Board Certified in Occupational Medicine.",
        service_label="Benefit claimed:",
        criteria_label="Policy provision:",
        extra=(
            "Your employer's plan is governed by the Employee Retirement Income Security "
            "Act of 1974 (ERISA).",
        ),
    ),
    Letter(
        key="uk_private_surgery",
        country="GB",
        region="",
        plan_type="uk_private",
        insurer="Bluewater Health Insurance Ltd",
        address=("12 Chapel Street", "Bristol BS1 4QD"),
        letter_date=date(2026, 3, 14),
        date_style="uk_long",
        patient="Oliver Bennett",
        salutation="Dear Mr Bennett,",
        service="Right knee arthroscopy",
        reason="We are unable to cover this treatment because it relates to a pre-existing "
        "condition excluded under your policy.",
        reviewer="Simon Hale",
        credentials="MRCP",
        criteria="Policy Terms, Section 4.2 Pre-existing Conditions",
        appeal="If you remain unhappy you may refer your complaint to the Financial Ombudsman "
        "Service within six months of our final response.",
        appeal_days=None,
        references=(
            ("policy_number", "Policy number:", "BWH/448/2291"),
            ("member_id", "Membership number:", "77412098"),
            ("claim_number", "Our reference:", "CLM-UK-55120"),
        ),
        font="times",
        reviewer_line="Medical adviser: Dr {who}",
        service_label="Treatment:",
        criteria_label="Policy wording relied on:",
    ),
    Letter(
        key="uk_income_protection",
        country="GB",
        region="",
        plan_type="uk_private",
        insurer="Thistle Mutual Assurance plc",
        address=("40 George Street", "Edinburgh EH2 2LE"),
        letter_date=date(2026, 6, 2),
        date_style="uk_slash",
        patient="Fiona MacLeod",
        salutation="Dear Mrs MacLeod,",
        service="Income protection benefit",
        reason="We have declined your claim as the evidence does not show that you are unable "
        "to carry out the material and substantial duties of your occupation.",
        reviewer="Catherine Doyle",
        credentials="MBChB, FFOM",
        criteria="Income Protection Policy Conditions, Definition of Incapacity",
        appeal="You can ask us to review this decision within 8 weeks of the date of this letter.",
        appeal_days=56,
        references=(
            ("policy_number", "Policy No:", "TMA-IP-0092281"),
            ("claim_number", "Claim reference:", "IPC/2026/4471"),
        ),
        layout="right",
        reviewer_line="Chief Medical Officer: Dr {who}",
        service_label="Benefit:",
        criteria_label="Policy wording:",
    ),
    Letter(
        key="au_private_hospital",
        country="AU",
        region="NSW",
        plan_type="au_private",
        insurer="Harbour Health Insurance Pty Ltd",
        address=("Level 9, 1 Market Street", "Sydney NSW 2000"),
        letter_date=date(2026, 2, 26),
        date_style="au_short",
        patient="Chloe Nguyen",
        salutation="Dear Ms Nguyen,",
        service="Spinal cord stimulator implant",
        reason="This procedure is not covered under your hospital cover because it is a "
        "restricted service on your policy.",
        reviewer="Helen Carter",
        credentials="FRACP",
        criteria="Silver Plus Hospital Cover, Restricted Services List",
        appeal="If you are not satisfied with our response, you can lodge a complaint with AFCA "
        "within 2 years.",
        appeal_days=None,
        references=(
            ("member_id", "Membership No.:", "HHI 40917726"),
            ("claim_number", "Claim ID:", "AU-CL-880415"),
        ),
        layout="inline",
        reviewer_line="Clinical review: Dr {who}",
        service_label="Procedure:",
        criteria_label="Policy reference:",
    ),
    Letter(
        key="ca_drug_plan",
        country="CA",
        region="ON",
        plan_type="ca_private",
        insurer="Maple Leaf Life Assurance",
        address=("100 King Street West", "Toronto ON M5X 1C9"),
        letter_date=date(2026, 4, 20),
        date_style="iso",
        patient="Ethan Tremblay",
        salutation="Dear Ethan Tremblay,",
        service="Ustekinumab (Stelara) 90 mg",
        reason="The drug is not eligible for reimbursement because the special authorization "
        "criteria have not been met.",
        reviewer="Marc Gagnon",
        credentials="BPharm",
        criteria="Special Authorization Criteria, Biologics for Crohn's Disease",
        appeal="You may ask for a review within 90 days of the date of this letter.",
        appeal_days=90,
        references=(
            ("policy_number", "Plan Number:", "ML-GRP-20417"),
            ("member_id", "Certificate Number:", "884120551"),
            ("claim_number", "Claim Number:", "SA-2026-66018"),
        ),
        font="courier",
        reviewer_line="Reviewed by: {who}, Clinical Pharmacist",
    ),
    Letter(
        key="in_health_cashless",
        country="IN",
        region="MH",
        plan_type="in_health",
        insurer="Suraksha General Insurance Co. Ltd.",
        address=("Plot 12, Bandra Kurla Complex", "Mumbai 400051, Maharashtra"),
        letter_date=date(2026, 3, 5),
        date_style="in_dash",
        patient="Rahul Sharma",
        salutation="Dear Mr. Rahul Sharma,",
        service="Cashless hospitalisation for robotic knee replacement",
        reason="The claim is repudiated because robotic surgery is excluded under the "
        "modern treatment sub-limit of your policy.",
        reviewer="Priya Nair",
        credentials="MBBS, MD",
        criteria="Policy Wordings Clause 3.17, Modern Treatment Methods",
        appeal="You may approach the Insurance Ombudsman within one year if our reply does not "
        "satisfy you, or write to our Grievance Cell within 15 days.",
        appeal_days=15,
        references=(
            ("policy_number", "Policy No.:", "SGI/HL/2025/0048812"),
            ("claim_number", "Claim No.:", "CL-MH-44120987"),
            ("member_id", "TPA ID:", "MDI-7781204"),
        ),
        layout="right",
        reviewer_line="Medical officer: Dr. {who}",
        service_label="Treatment:",
        criteria_label="Clause applied:",
    ),
]


def letter_text(letter: Letter) -> list[tuple[str, str]]:
    """The letter as (style, text) lines: style is "head", "ref", "body" or "gap"."""
    when = DATE_STYLES[letter.date_style](letter.letter_date)
    who = f"{letter.reviewer}, {letter.credentials}"
    lines: list[tuple[str, str]] = [("head", letter.insurer)]
    lines += [("small", a) for a in letter.address]
    lines.append(("gap", ""))
    lines.append(("date", f"Date: {when}" if letter.layout == "table" else when))
    lines.append(("gap", ""))
    lines.append(("body", f"{'Patient' if letter.country == 'US' else 'Name'}: {letter.patient}"))
    for _, label, value in letter.references:
        lines.append(("ref", f"{label} {value}"))
    lines.append(("ref", f"{letter.service_label} {letter.service}"))
    lines.append(("gap", ""))
    lines.append(("body", letter.salutation))
    lines.append(("gap", ""))
    lines.append(
        (
            "para",
            "We have completed our review of the request for the service named above. "
            + letter.reason
            + " We reviewed the information sent by your provider.",
        )
    )
    lines.append(("gap", ""))
    lines.append(("body", f"{letter.criteria_label} {letter.criteria}"))
    lines.append(("body", letter.reviewer_line.format(who=who)))
    lines.append(("gap", ""))
    lines.append(("para", letter.appeal))
    for extra in letter.extra:
        lines.append(("para", extra))
    lines.append(("gap", ""))
    lines.append(("body", "Sincerely,"))
    lines.append(("body", "Appeals and Grievances Department"))
    lines.append(("body", letter.insurer))
    return lines


def letter_pdf(letter: Letter) -> bytes:
    """The born-digital letter: A4 outside the US, US Letter in it."""
    pdf = FPDF(format="letter" if letter.country == "US" else "A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, 20)
    pdf.add_page()
    font = letter.font
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for style, text in letter_text(letter):
        align = "L"
        if style == "head":
            pdf.set_font(font, "B", 16)
            align = "R" if letter.layout == "right" else "L"
        elif style == "small":
            pdf.set_font(font, "", 10)
            align = "R" if letter.layout == "right" else "L"
        elif style == "date":
            pdf.set_font(font, "", 11)
            align = "R" if letter.layout != "table" else "L"
        elif style == "ref":
            pdf.set_font(font, "B" if letter.layout == "table" else "", 11)
        else:
            pdf.set_font(font, "", 11)
        if style == "gap":
            pdf.ln(4)
        elif style == "para":
            pdf.multi_cell(width, 6, text, align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(width, 6, text, align=align, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            images.append(bitmap.to_pil().convert("L"))
            bitmap.close()
            page.close()
        return images
    finally:
        document.close()


def _noisy(image: Image.Image, rng: random.Random, strength: int) -> Image.Image:
    """Paper grain (every pixel a little darker or lighter) and a few hundred dust specks."""
    size = image.size
    grain = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    darker = grain.point(lambda v: v * strength // 255)
    lighter = grain.point(lambda v: (255 - v) * strength // 510)
    noisy = ImageChops.add(ImageChops.subtract(image, darker), lighter)
    draw = ImageDraw.Draw(noisy)
    for _ in range(rng.randint(150, 350)):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        radius = rng.choice((0.5, 1, 1, 1.5))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=rng.randint(20, 120))
    return noisy


def scan_image(letter: Letter, dpi: int = 200, seed: int = 0) -> Image.Image:
    """The letter as a scanner gives it: turned up to 1.5 degrees, grainy, a little soft."""
    rng = random.Random(f"{letter.key}-{dpi}-{seed}")
    page = _pages(letter_pdf(letter), dpi)[0]
    angle = rng.uniform(0.4, 1.5) * rng.choice((-1, 1))
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.5))
    return _noisy(page, rng, 30)


def image_pdf(image: Image.Image, dpi: int) -> bytes:
    """A PDF holding only the picture (as scanners write them), page size from its dpi."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    pdf = FPDF(unit="pt")
    width, height = image.width * 72 / dpi, image.height * 72 / dpi
    pdf.add_page(format=(width, height))
    pdf.image(buffer, x=0, y=0, w=width, h=height)
    return bytes(pdf.output())


def scan_pdf(letter: Letter, dpi: int = 200, seed: int = 0) -> bytes:
    return image_pdf(scan_image(letter, dpi, seed), dpi)


def photo_jpeg(letter: Letter, seed: int = 0, sideways: bool = False) -> bytes:
    """A phone photo: the page at ~150 dpi on a dark table, tilted, lit unevenly."""
    rng = random.Random(f"{letter.key}-photo-{seed}")
    page = _pages(letter_pdf(letter), 160)[0]
    table = Image.new("L", (page.width + 160, page.height + 200), 70)
    table.paste(page, (80, 90))
    angle = rng.uniform(1.0, 2.5) * rng.choice((-1, 1))
    photo = table.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=70)
    light = Image.linear_gradient("L").resize(photo.size).point(lambda v: 200 + v * 55 // 255)
    photo = ImageChops.multiply(photo, light)
    photo = _noisy(photo.filter(ImageFilter.GaussianBlur(0.6)), rng, 24)
    if sideways:
        photo = photo.rotate(90, expand=True)
    buffer = io.BytesIO()
    photo.convert("RGB").save(buffer, format="JPEG", quality=75)
    return buffer.getvalue()


def truth() -> dict[str, dict[str, object]]:
    return {letter.key: letter.truth() for letter in LETTERS}


def letter_by_key(key: str) -> Letter:
    return next(letter for letter in LETTERS if letter.key == key)


def main() -> int:
    TRUTH.parent.mkdir(parents=True, exist_ok=True)
    TRUTH.write_text(json.dumps(truth(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {TRUTH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
