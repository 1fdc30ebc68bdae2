"""The claim-type -> specialty table (DOMAIN.md step 3) as data."""

from __future__ import annotations

import dataclasses

import pytest

from claimdesk.models.enums import ClinicalArea
from claimdesk.services.matching import Suggestion, suggest


@pytest.mark.parametrize("area", [a for a in ClinicalArea if a != ClinicalArea.OTHER])
def test_every_clinical_area_has_a_specialty(area: ClinicalArea) -> None:
    suggestion = suggest(area, "US")
    assert suggestion.specialties
    assert suggestion.specialty_text != "No suggestion"


def test_other_has_no_specialty_but_still_says_how_to_choose() -> None:
    suggestion = suggest(ClinicalArea.OTHER, "US")
    assert suggestion.specialties == ()
    assert "board-certified" in suggestion.general


def test_the_table_follows_the_domain() -> None:
    assert "Cardiology (interventional or clinical)" in suggest("cardiac").specialties
    assert "electrophysiologist" in suggest("cardiac").subspecialist
    assert "cancer type" in suggest("cancer").specialty_text
    assert suggest("neurological").specialties == ("Neurology", "Neuroradiology")
    assert "psychologist" in suggest("mental_health").note
    assert suggest("renal").specialties == ("Nephrology",)


def test_us_points_to_abms() -> None:
    suggestion = suggest("cardiac", "us")
    assert "ABMS" in suggestion.certification_body
    assert "certificationmatters.org" in suggestion.verify_text


@pytest.mark.parametrize("country", ["GB", "UK"])
def test_britain_points_to_the_royal_colleges(country: str) -> None:
    suggestion = suggest("cancer", country)
    assert suggestion.country == "GB"
    assert "royal college" in suggestion.verify_text.lower()


def test_australia_and_canada() -> None:
    assert "RACP" in suggest("renal", "AU").certification_body
    assert "Royal College of Physicians and Surgeons" in suggest("renal", "CA").verify_text


def test_an_unlisted_country_gets_general_advice() -> None:
    suggestion = suggest("respiratory", "IN")
    assert suggestion.certification_body == ""
    assert "medical council" in suggestion.verify_text


def test_suggestion_is_frozen_and_unknown_area_is_refused() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        suggest("renal").note = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        suggest("dermal")
    assert isinstance(suggest(ClinicalArea.RENAL), Suggestion)
