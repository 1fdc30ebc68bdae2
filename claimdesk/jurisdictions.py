"""The countries ClaimDesk's deadline rules cover and their real first-level regions.

Codes are the ISO 3166-2 subdivision suffixes (US-CA is California, IN-MH Maharashtra); the
names are as ISO 3166-2 gives them in English. The rules in resources/rules/*.json use the
countries below and some of their regions ("US-CA", "US-NY", "CA-QC"): a region typed for one
of these countries must be one of its own, so a mistyped "ZZ" cannot become a jurisdiction
that no rule knows. A country outside this list keeps a free two- or three-character code.
"""

from __future__ import annotations

from types import MappingProxyType

US_REGIONS = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
    # Territories: state insurance law and the federal rules reach them too.
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    "UM": "U.S. Minor Outlying Islands",
}

CA_REGIONS = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "YT": "Yukon",
}

AU_REGIONS = {
    "ACT": "Australian Capital Territory",
    "NSW": "New South Wales",
    "NT": "Northern Territory",
    "QLD": "Queensland",
    "SA": "South Australia",
    "TAS": "Tasmania",
    "VIC": "Victoria",
    "WA": "Western Australia",
}

GB_REGIONS = {
    "ENG": "England",
    "NIR": "Northern Ireland",
    "SCT": "Scotland",
    "WLS": "Wales",
}

# Codes as revised by ISO 3166-2 in 2023 (CG, OD, TS, UK); the older ones are aliases below.
IN_REGIONS = {
    "AN": "Andaman and Nicobar Islands",
    "AP": "Andhra Pradesh",
    "AR": "Arunachal Pradesh",
    "AS": "Assam",
    "BR": "Bihar",
    "CH": "Chandigarh",
    "CG": "Chhattisgarh",
    "DH": "Dadra and Nagar Haveli and Daman and Diu",
    "DL": "Delhi",
    "GA": "Goa",
    "GJ": "Gujarat",
    "HR": "Haryana",
    "HP": "Himachal Pradesh",
    "JK": "Jammu and Kashmir",
    "JH": "Jharkhand",
    "KA": "Karnataka",
    "KL": "Kerala",
    "LA": "Ladakh",
    "LD": "Lakshadweep",
    "MP": "Madhya Pradesh",
    "MH": "Maharashtra",
    "MN": "Manipur",
    "ML": "Meghalaya",
    "MZ": "Mizoram",
    "NL": "Nagaland",
    "OD": "Odisha",
    "PY": "Puducherry",
    "PB": "Punjab",
    "RJ": "Rajasthan",
    "SK": "Sikkim",
    "TN": "Tamil Nadu",
    "TS": "Telangana",
    "TR": "Tripura",
    "UP": "Uttar Pradesh",
    "UK": "Uttarakhand",
    "WB": "West Bengal",
}

REGIONS: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "US": MappingProxyType(US_REGIONS),
        "CA": MappingProxyType(CA_REGIONS),
        "AU": MappingProxyType(AU_REGIONS),
        "GB": MappingProxyType(GB_REGIONS),
        "IN": MappingProxyType(IN_REGIONS),
    }
)

COUNTRY_NAMES = {
    "US": "United States",
    "GB": "United Kingdom",
    "AU": "Australia",
    "CA": "Canada",
    "IN": "India",
}

# Codes people still type, and files written before a code changed, mapped to today's code.
ALIASES = {
    "GB": {"EN": "ENG", "SC": "SCT", "WA": "WLS", "NI": "NIR"},
    "IN": {"CT": "CG", "OR": "OD", "TG": "TS", "UT": "UK", "DN": "DH", "DD": "DH"},
}

# What each country calls its regions, for labels and messages.
REGION_WORD = {
    "US": "state or territory",
    "CA": "province or territory",
    "AU": "state or territory",
    "GB": "nation",
    "IN": "state or union territory",
}


def country_phrase(country: str) -> str:
    """The country as a sentence names it ("the United States", "Canada")."""
    name = COUNTRY_NAMES.get(country.upper(), country.upper())
    return f"the {name}" if name.startswith("United") else name


def knows(country: str) -> bool:
    """True when ClaimDesk holds the real list of ``country``'s regions."""
    return country.upper() in REGIONS


def regions(country: str) -> list[tuple[str, str]]:
    """``country``'s regions as (code, name), by name; empty for a country not listed."""
    table = REGIONS.get(country.upper())
    return [] if table is None else sorted(table.items(), key=lambda item: item[1])


def region_name(country: str, code: str) -> str:
    """The region's name ("California"), or the code itself when it is not known."""
    table = REGIONS.get(country.upper())
    return code if table is None else table.get(code.upper(), code)


def canonical(country: str, code: str) -> str | None:
    """Today's code for ``code`` in ``country`` (an old alias mapped), or None when it is not
    one of the country's regions. A country without a list accepts any code."""
    country, code = country.upper(), code.upper()
    table = REGIONS.get(country)
    if table is None or code in table:
        return code
    return ALIASES.get(country, {}).get(code)


def examples(country: str, count: int = 4) -> str:
    """A few of the country's codes for a message ("CA, NY, TX, FL")."""
    samples = {
        "US": ["CA", "NY", "TX", "FL"],
        "CA": ["ON", "QC", "BC", "AB"],
        "AU": ["NSW", "VIC", "QLD", "WA"],
        "GB": ["ENG", "SCT", "WLS", "NIR"],
        "IN": ["MH", "DL", "KA", "TN"],
    }
    return ", ".join(samples.get(country.upper(), ["CA", "NY", "ON", "QC"])[:count])
