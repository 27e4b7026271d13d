"""The case-level schema: the one place where fields, types and allowed values are defined.

Everything else reads this module: cleaning and validation (:mod:`.clean`, :mod:`.validate`),
the generated codebook (:mod:`tees_analysis.report.codebook`) and the data-entry template
(:mod:`.template`). Change a field here and regenerate the codebook with
``python -m tees_analysis.report.codebook``; a test fails while the committed codebook is stale.

Two tables:

* **reviews** — one row per local review (CSPR, SCR or learning review), with the ten learning
  themes of the report as yes/no flags;
* **children** — one row per child the review concerned, linked to its review by ``review_id``.

Category labels are the report's own wording where the report has a category (they are facts
of the report); synonyms are what analysts commonly type instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --------------------------------------------------------------------------- building blocks

#: Field kinds understood by the cleaning code.
KINDS = ("id", "category", "multi_category", "yes_no", "integer", "text")

#: Separator between several values in one cell of a multi-valued field.
MULTI_SEPARATORS = (";", "\n")

#: Spreadsheet values read as "yes" / "no" in yes/no columns (after lower-casing and trimming).
#: A blank cell means the factor or theme was not recorded as present, i.e. "no". Where the
#: source says nothing either way, type "not recorded" (or N/K, unknown): the value is then
#: missing, and a missing value is never counted as "yes".
YES_TOKENS = ("y", "yes", "true", "t", "1", "x", "✓", "✔")
NO_TOKENS = ("n", "no", "false", "f", "0", "")

TABLES = ("reviews", "children")


def normalise_key(text: str) -> str:
    """Reduce a typed label to a matching key.

    Unicode is NFKC-normalised and case-folded; ``&`` and ``+`` read as ``and``; apostrophes
    are dropped; ``/ - _ , .`` and runs of white space become one space. ``"Mother & Partner"``,
    ``"mother and partner"`` and ``" MOTHER  and partner "`` all give ``"mother and partner"``.
    """
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[&+]", " and ", text)
    text = text.replace("'", "")
    text = re.sub(r"[/\-_,.()]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Category:
    """An allowed value of a categorical field."""

    label: str
    meaning: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    """One column of a case-level table.

    ``figures`` lists the ``(measure, category)`` pairs of ``data/published/figures.csv`` that
    this field feeds (``category`` ``None`` = every category of that measure); the codebook
    turns them into figure ids.
    """

    name: str
    table: str
    kind: str
    label: str
    meaning: str
    required: bool = True
    blank_allowed: bool = False
    categories: tuple[Category, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    figures: tuple[tuple[str, str | None], ...] = ()
    note: str = ""
    #: Other column headers accepted for this field (matched like its name and label).
    header_synonyms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.table not in TABLES:
            raise ValueError(f"{self.name}: unknown table {self.table!r}")
        if (self.kind in ("category", "multi_category")) != bool(self.categories):
            raise ValueError(f"{self.name}: categories go with category kinds only")

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.categories)

    @property
    def headers(self) -> tuple[str, ...]:
        """Every column header accepted for this field: its name, its label, its synonyms."""
        return (self.name, self.label, *self.header_synonyms)

    @property
    def not_recorded_if_absent(self) -> bool:
        """Whether a file without this column is read as "not recorded" on every row.

        True for a required yes/no field and a required category field that has a
        ``not recorded`` value: the column is then filled with missing values (yes/no) or
        ``not recorded`` (categories), and validation warns once for the column. Columns that
        cannot be "not recorded" (ids, partnership, year) stay required: without them a file
        is refused.
        """
        return self.required and (self.kind == "yes_no" or NOT_RECORDED in self.labels)

    def lookup(self) -> dict[str, str]:
        """Map each normalised label and synonym to its canonical label."""
        table: dict[str, str] = {}
        for cat in self.categories:
            for typed in (cat.label, *cat.synonyms):
                key = normalise_key(typed)
                if table.get(key, cat.label) != cat.label:
                    raise ValueError(f"{self.name}: {typed!r} is a synonym of two categories")
                table[key] = cat.label
        return table


@dataclass(frozen=True)
class DerivedField:
    """A column computed by :mod:`tees_analysis.data.derive` rather than typed by an analyst."""

    name: str
    table: str
    kind: str
    meaning: str
    figures: tuple[tuple[str, str | None], ...] = ()


NOT_RECORDED = "not recorded"
_NR_SYNONYMS = ("N/K", "NK", "not known", "unknown", "NR", "not stated", "missing", "N/A")
#: What a yes/no cell may hold for "not recorded" (matched like category labels).
NOT_RECORDED_TOKENS = (NOT_RECORDED, *_NR_SYNONYMS)


CASE_RECORDS, RECONSTRUCTED, FICTIONAL = "case records", "reconstructed", "fictional"


def _not_recorded(meaning: str = "The review does not record it.", exclude=()) -> Category:
    return Category(NOT_RECORDED, meaning, tuple(s for s in _NR_SYNONYMS if s not in exclude))


# --------------------------------------------------------------------------- shared categories

_IN_CARE = Category(
    "in our care",
    "Looked after by the local authority (a child in care).",
    ("in care", "looked after", "looked after child", "LAC", "CLA", "child looked after",
     "foster care", "local authority care"),
)  # fmt: skip

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$"

#: The report's ten learning themes, in the report's order: (code, theme name).
THEMES: tuple[tuple[str, str], ...] = (
    ("childs_world", "Understanding the child's world"),
    ("parents_history", "Understanding parents own history and vulnerabilities"),
    ("whole_family", "Engaging the whole family"),
    ("multi_agency", "Multi-agency working"),
    ("vulnerable_babies", "Safeguarding vulnerable babies"),
    ("substance_misuse", "Substance misuse"),
    ("neglect", "Neglect"),
    ("risks_outside_home", "Risks outside of the home"),
    ("domestic_abuse", "Domestic abuse"),
    ("parental_mental_health", "Parental mental health"),
)


#: Themes for which the report gives counts of reviews and children (the other four it only
#: describes); used to list the figures each theme flag feeds in the codebook.
COUNTED_THEMES = frozenset(
    ("vulnerable_babies", "substance_misuse", "neglect", "risks_outside_home", "domestic_abuse",
     "parental_mental_health")
)  # fmt: skip


#: Other headers accepted for the theme flags (the theme's name is accepted already).
_THEME_HEADERS: dict[str, tuple[str, ...]] = {
    "childs_world": ("Child's world", "Child's lived experience", "Voice of the child"),
    "parents_history": ("Parents' history", "Parents own history", "Parental history"),
    "whole_family": ("Whole family", "Whole family approach"),
    "multi_agency": ("Multi-agency", "Multi agency", "Partnership working"),
    "vulnerable_babies": ("Vulnerable babies", "Babies"),
    "substance_misuse": ("Drugs and alcohol", "Drug and alcohol misuse", "Substance abuse"),
    "neglect": ("Neglect theme",),
    "risks_outside_home": ("Risks outside the home", "Extra-familial harm",
                           "Extra-familial risk", "Exploitation"),
    "domestic_abuse": ("DA", "Domestic violence", "DV", "DVA"),
    "parental_mental_health": ("PMH", "Mental health", "Parental mental ill-health"),
}  # fmt: skip


def theme_field(code: str) -> str:
    """Column name of a theme flag in the reviews table."""
    return f"theme_{code}"


# --------------------------------------------------------------------------- reviews

REVIEWS: tuple[Field, ...] = (
    Field(
        "review_id", "reviews", "id", "Review ID",
        "Identifier of the review, unique in the file. A code, never a name.",
        pattern=_ID_PATTERN,
        header_synonyms=("Review ref", "Review reference", "Review number", "Review code"),
    ),
    Field(
        "partnership", "reviews", "category", "Partnership",
        "Safeguarding children partnership that commissioned the review.",
        categories=(
            Category("STSCP", "South Tees Safeguarding Children Partnership.",
                     ("South Tees", "South Tees Safeguarding Children Partnership", "ST",
                      "South Tees SCP")),
            Category("HSSCP", "Hartlepool & Stockton-on-Tees Safeguarding Children Partnership.",
                     ("Hartlepool and Stockton", "Hartlepool & Stockton-on-Tees", "North Tees",
                      "Hartlepool and Stockton-on-Tees Safeguarding Children Partnership",
                      "HS", "Hartlepool & Stockton-on-Tees SCP", "Hartlepool and Stockton SCP")),
        ),
        header_synonyms=("Partnership name", "Safeguarding partnership",
                         "Safeguarding children partnership", "SCP"),
    ),
    Field(
        "review_type", "reviews", "category", "Review type",
        "Kind of review.",
        categories=(
            Category("CSPR", "Child safeguarding practice review (from 2019).",
                     ("child safeguarding practice review", "safeguarding practice review",
                      "LCSPR", "local child safeguarding practice review")),
            Category("SCR", "Serious case review (before 2019).", ("serious case review",)),
            Category("learning review", "Local learning review.",
                     ("LR", "local learning review", "LLR")),
            _not_recorded("The type is not known (e.g. not published)."),
        ),
        figures=(("review_type", None),),
        header_synonyms=("Type of review", "Type", "Review kind"),
    ),
    Field(
        "year", "reviews", "integer", "Year",
        "Year the review was completed. A year after the current one is rejected.",
        minimum=1990,
        header_synonyms=("Year completed", "Year of completion", "Completion year",
                         "Review year", "Year of review"),
    ),
    Field(
        "provenance", "reviews", "category", "Provenance",
        "Where the row comes from. Blank means the partnership's case records.",
        required=False, blank_allowed=True,
        categories=(
            Category(CASE_RECORDS, "Coded from the partnership's case records.",
                     ("real", "case record", "records")),
            Category(RECONSTRUCTED, "Reconstructed from published aggregate figures; not a "
                     "real review.", ("reconstruction",)),
            Category(FICTIONAL, "Made up for examples and tests; not a real review.",
                     ("example", "test", "synthetic")),
        ),
        note="A dataset may not mix reconstructed or fictional rows with other rows.",
        header_synonyms=("Data source", "Source of data"),
    ),
    Field(
        "pseudonym", "reviews", "text", "Published pseudonym",
        "Pseudonym under which the review was published (e.g. 'Stork'); blank if none.",
        required=False, blank_allowed=True, pattern=r"^[A-Za-z][A-Za-z '\-]{0,39}$",
        note="Only pseudonyms already in the public domain; never a real name.",
        header_synonyms=("Pseudonym", "Published as"),
    ),
    *(
        Field(
            theme_field(code), "reviews", "yes_no", name,
            f"The review identified the learning theme '{name}'.",
            blank_allowed=True,
            # Children counts of a theme come from the children's own factor (the reading
            # chosen in notebook 02), except for vulnerable babies: all children of the
            # flagged reviews.
            figures=(("theme_reviews", name),)
            + ((("theme_children", name),) if code == "vulnerable_babies" else ())
            if code in COUNTED_THEMES
            else (),
            header_synonyms=_THEME_HEADERS.get(code, ()),
        )
        for code, name in THEMES
    ),
)  # fmt: skip

# --------------------------------------------------------------------------- children

#: The child-level factors: (name, header, meaning, figures, other headers accepted).
_FACTORS: tuple[
    tuple[str, str, str, tuple[tuple[str, str | None], ...], tuple[str, ...]], ...
] = (
    ("domestic_abuse", "Domestic abuse", "Domestic abuse featured in the child's circumstances.",
     (("risk_factor", "domestic abuse"), ("theme_children", "Domestic abuse")),
     ("DA", "Domestic violence", "DV", "DVA", "Domestic violence and abuse")),
    ("parental_mental_ill_health", "Parental mental ill-health",
     "A parent or carer's mental ill-health featured.",
     (("risk_factor", "parental mental ill-health"),
      ("theme_children", "Parental mental health")),
     ("PMH", "Mental health", "Parental mental health", "Mental ill-health",
      "Parental MH")),
    ("substance_misuse", "Substance misuse",
     "A parent or carer's misuse of drugs or alcohol featured.",
     (("risk_factor", "substance misuse"), ("theme_children", "Substance misuse")),
     ("Drugs and alcohol", "Drug and alcohol misuse", "Alcohol and drugs", "Substance abuse",
      "Parental substance misuse")),
    ("neglect", "Neglect", "Neglect of the child featured (whatever the plan or harm category).",
     (("neglect_detail", None), ("theme_children", "Neglect")),
     ("Neglect featured",)),
    ("exploitation", "Exploitation",
     "The child was exploited (criminal or sexual exploitation; a risk outside the home).",
     (("risk_factor", "exploitation"), ("theme_children", "Risks outside of the home")),
     ("Child exploitation", "CSE/CCE", "CCE/CSE", "Criminal or sexual exploitation")),
    ("fii", "Fabricated or induced illness", "Fabricated or induced illness (FII) featured.",
     (("risk_factor", "fabricated or induced illness"),),
     ("Fabricated illness", "Induced illness", "Fabricated or induced illness (FII)")),
)  # fmt: skip

CHILDREN: tuple[Field, ...] = (
    Field(
        "child_id", "children", "id", "Child ID",
        "Identifier of the child, unique in the file. A code, never a name.",
        pattern=_ID_PATTERN,
        header_synonyms=("Child ref", "Child reference", "Child number", "Child code"),
    ),
    Field(
        "review_id", "children", "id", "Review ID",
        "The review this child belongs to; must exist in the reviews table.",
        pattern=_ID_PATTERN,
        header_synonyms=("Review ref", "Review reference", "Review number", "Review code"),
    ),
    Field(
        "age_months", "children", "integer", "Age (months)",
        "Age in completed months at the incident that led to the review.",
        required=False, blank_allowed=True, minimum=0, maximum=215,
        figures=(("age", None),),
        note="Give age_months, age_band or both; when both are given they must agree.",
        header_synonyms=("Age in months", "Age months", "Age (in months)", "Months old",
                         "Age at incident (months)"),
    ),
    Field(
        "age_band", "children", "category", "Age band",
        "Age band at the incident, when the exact age is not to be recorded.",
        required=False, blank_allowed=True,
        categories=(
            Category("under 2", "Younger than 24 months.",
                     ("under 2 years", "under two", "<2", "0-1", "u2", "baby")),
            Category("2 and over", "24 months or older.",
                     ("2+", "over 2", "2 or over", "2 and older", "aged 2 or more")),
            _not_recorded(),
        ),
        figures=(("age", None),),
        header_synonyms=("Age group", "Age range", "Age category"),
    ),
    Field(
        "sex", "children", "category", "Sex",
        "Sex of the child as recorded by the review.",
        categories=(
            Category("male", "Male.", ("m", "boy")),
            Category("female", "Female.", ("f", "girl")),
            _not_recorded(),
        ),
        figures=(("sex", None),),
        header_synonyms=("Gender", "Sex or gender", "Sex/gender"),
    ),
    Field(
        "outcome", "children", "category", "Outcome",
        "What happened to the child.",
        categories=(
            Category("died", "The child died.",
                     ("death", "deceased", "dead", "fatal", "child died")),
            Category("significant harm", "The child suffered significant harm.",
                     ("serious harm", "SH", "harm", "suffered significant harm",
                      "serious injury")),
            _not_recorded(),
        ),
        figures=(("outcome", None),),
        header_synonyms=("Outcome for child", "Outcome for the child", "Child outcome",
                         "Died or harmed", "Death or serious harm"),
    ),
    Field(
        "living_arrangements", "children", "multi_category", "Living arrangements",
        "Who the child was living with. Several values separated by ';' where the child "
        "lived in more than one arrangement during the period reviewed.",
        categories=(
            Category("both parents", "Living with both parents.",
                     ("both", "parents", "mother and father", "mum and dad")),
            Category("mother", "Living with mother (alone).", ("mum", "mother only", "mum only")),
            Category("mother and partner", "Living with mother and her partner.",
                     ("mum and partner", "mother and stepfather")),
            Category("father", "Living with father (alone).", ("dad", "father only", "dad only")),
            Category("father and partner", "Living with father and his partner.",
                     ("dad and partner",)),
            _IN_CARE,
            Category("other family", "Living with relatives or kinship carers.",
                     ("kinship care", "relatives", "grandparents", "family member",
                      "grandparent", "grandmother", "grandfather", "kinship carer",
                      "kinship carers", "relative")),
            Category("other", "Any other arrangement."),
            _not_recorded(),
        ),
        figures=(("living_arrangements", None),),
        header_synonyms=("Living with", "Lives with", "Living situation", "Household",
                         "Who the child lived with"),
    ),
    Field(
        "csc_status", "children", "multi_category", "Children's social care status",
        "Involvement of children's social care at the time of the incident. Several values "
        "separated by ';' where the child had more than one status.",
        categories=(
            Category("CP plan", "Subject to a child protection plan.",
                     ("child protection plan", "CPP", "CP", "CP plan in place")),
            Category("CP plan and pre-proceedings",
                     "Subject to a child protection plan and in pre-proceedings (PLO).",
                     ("CP plan & pre-proceedings", "CPP and pre-proceedings", "CP plan and PLO",
                      "pre-proceedings")),
            Category("not known to children's social care",
                     "Never known to children's social care.",
                     ("not known to CSC", "not known to social care", "NKCSC")),
            _IN_CARE,
            Category("child in need", "Open as a child in need.", ("CIN",)),
            Category("recently closed to children's social care",
                     "Case closed to children's social care shortly before the incident.",
                     ("recently closed", "recently closed to social care",
                      "recently closed to CSC")),
            Category("other", "Any other status (e.g. early help only).", ("early help",)),
            # bare "not known" is ambiguous here (not recorded? not known to CSC?): not accepted
            _not_recorded(exclude=("not known",)),
        ),
        figures=(("csc_status", None), ("neglect_detail", "child in need")),
        header_synonyms=("Social care status", "CSC involvement", "Social care involvement",
                         "Children's social care involvement", "Children's social care"),
    ),
    Field(
        "harm_category", "children", "category", "Harm category",
        "Main kind of harm the review concerned.",
        categories=(
            Category("neglect", "Neglect."),
            Category("physical abuse / NAI", "Physical abuse or non-accidental injury.",
                     ("physical abuse", "NAI", "physical", "non accidental injury")),
            Category("emotional abuse", "Emotional abuse.", ("emotional",)),
            Category("sexual abuse", "Sexual abuse.", ("sexual",)),
            Category("other", "Any other kind of harm."),
            _not_recorded(),
        ),
        figures=(("harm_category", None),),
        # "Category" alone is read as the harm category (the report's "category of harm"),
        # never as the plan category: a plan category is always headed as such.
        header_synonyms=("Category", "Harm type", "Type of harm", "Category of harm",
                         "Abuse type", "Type of abuse"),
    ),
    Field(
        "plan_category", "children", "category", "Child protection plan category",
        "Category of the child protection plan, if the child had one.",
        categories=(
            Category("neglect", "Plan under the category of neglect."),
            Category("physical abuse", "Plan under the category of physical abuse.",
                     ("physical",)),
            Category("emotional abuse", "Plan under the category of emotional abuse.",
                     ("emotional",)),
            Category("sexual abuse", "Plan under the category of sexual abuse.", ("sexual",)),
            Category("multiple", "Plan under more than one category."),
            Category("no plan", "The child had no child protection plan.",
                     ("none", "n/a", "not applicable", "no CP plan")),
            # "n/a" means no plan here (the field-specific synonym wins over "not recorded")
            _not_recorded(exclude=("N/A",)),
        ),
        figures=(("neglect_detail", "protection plan under the category of neglect"),),
        header_synonyms=("CP plan category", "Plan category", "CPP category",
                         "Child protection category", "Category of plan",
                         "Category of CP plan"),
    ),
    *(
        Field(name, "children", "yes_no", label, meaning, blank_allowed=True, figures=figures,
              header_synonyms=headers)
        for name, label, meaning, figures, headers in _FACTORS
    ),
)  # fmt: skip

FIELDS: dict[str, tuple[Field, ...]] = {"reviews": REVIEWS, "children": CHILDREN}

#: Child-level factors, in a fixed order.
FACTORS: tuple[str, ...] = tuple(name for name, *_ in _FACTORS)
#: The three factors of the "toxic trio".
TOXIC_TRIO: tuple[str, ...] = ("domestic_abuse", "parental_mental_ill_health", "substance_misuse")

DERIVED: tuple[DerivedField, ...] = (
    DerivedField("n_children", "reviews", "integer", "Number of children in the review."),
    DerivedField(
        "under_2", "children", "yes_no",
        "Younger than 24 months: from age_months when given, else from age_band; blank when "
        "neither records the age.",
        figures=(("age", "under 2 years"), ("theme_children", "Safeguarding vulnerable babies")),
    ),
    DerivedField("partnership", "children", "category", "The review's partnership."),
    DerivedField("review_type", "children", "category", "The review's type."),
    DerivedField("year", "children", "integer", "The review's year."),
    DerivedField("provenance", "children", "category", "The review's provenance."),
)  # fmt: skip

# --------------------------------------------------------------------------- direct identifiers

#: Column headers that look like direct identifiers, with what they look like.
IDENTIFIER_HEADERS: tuple[tuple[str, str], ...] = (
    (r"^(child_?|first_?|fore_?|sur_?|last_?|full_?|family_?|given_?|mother_?s?_?|father_?s?_?)?name$",
     "a name"),
    (r"^(dob|d_o_b|date_?of_?birth|birth_?date|birthday|bday)$", "a date of birth"),
    (r"^(home_?)?(address|addr|street|post_?code|zip|postal_?code)(_?\d)?$", "an address"),
    (r"^(nhs|nhs_?(no|num|number)|chi_?(no|number))$", "an NHS number"),
    (r"^(upn|uln|ni_?(no|number)|national_?insurance(_?number)?)$",
     "a pupil or national insurance number"),
    (r"^(phone|telephone|mobile|tel|e_?mail)(_?(no|number|address))?$", "contact details"),
)  # fmt: skip

#: Cell values that look like direct identifiers.
IDENTIFIER_VALUES: tuple[tuple[str, str], ...] = (
    (r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b", "an NHS number"),
    (r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2}|\d{4})\b|\b\d{4}-\d{2}-\d{2}\b", "a date"),
    (r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b", "a postcode"),
)  # fmt: skip


def identifier_header(header: str) -> str | None:
    """What a column header looks like if it looks like a direct identifier, else ``None``."""
    key = re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_")
    for pattern, what in IDENTIFIER_HEADERS:
        if re.match(pattern, key):
            return what
    return None


def identifier_value(value: str) -> str | None:
    """What a cell value looks like if it looks like a direct identifier, else ``None``."""
    for pattern, what in IDENTIFIER_VALUES:
        if re.search(pattern, value):
            return what
    return None


def header_key(header: str) -> str:
    """The matching key of a column header: like :func:`normalise_key`, ``_`` read as a space."""
    return normalise_key(str(header).replace("_", " "))


def header_lookup(table: str, fields=None) -> dict[str, Field]:
    """Map the key of every header accepted in ``table`` (names, labels, synonyms) to its field.

    Raises ``ValueError`` when one header would name two fields of the table.
    """
    lookup: dict[str, Field] = {}
    for f in FIELDS[table] if fields is None else fields:
        for header in f.headers:
            key = header_key(header)
            other = lookup.get(key, f)
            if other.name != f.name:
                raise ValueError(
                    f"{table}: the header {header!r} would name both {other.name} and {f.name}"
                )
            lookup[key] = f
    return lookup


#: Accepted headers of each table; built (and checked for ambiguity) when the schema loads.
HEADERS: dict[str, dict[str, Field]] = {t: header_lookup(t) for t in TABLES}


def field(table: str, name: str) -> Field:
    """The field ``name`` of ``table``."""
    for f in FIELDS[table]:
        if f.name == name:
            return f
    raise KeyError(f"{table}.{name}")


#: The key column of each table.
KEYS = {"reviews": "review_id", "children": "child_id"}
