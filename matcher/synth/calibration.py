"""The calibration of the synthetic firms: the figures of seed 004 and the distributions solved for them.

Calibration
-----------
:data:`CALIBRATION_TARGETS` lists every figure taken from the paper with the sentence it
comes from; where the paper only gives a bound ("more than half") the value chosen is
marked ``chosen=True``. How the targets are met:

* **Area** -- ``mixed`` puts a firm in Ota with probability 507/1198, else in Higashi Osaka.
* **Industry** -- a categorical draw over JSIC major groups per area. The shares of
  manufacturing, of the named product categories among manufacturers and of wholesale
  are the paper's; "machinery and tools" (Ota) is split E26 14.0 / E25 9.6 points,
  "general machinery" (Higashi Osaka) E25 8.0 / E26 4.8, "plastics and rubber" E18 10.6 /
  E19 4.0. The residual "other manufacturing" and the non-manufacturing residual are
  spread over the groups the paper names (printing, electronics; retail, money lending,
  real estate, information services, transport, telecommunications, construction) with
  weights chosen here. Ota's non-manufacturers follow Higashi Osaka's mix, as the paper
  says they do.
* **Size** -- employees and capital come from a Gaussian copula on one latent "size"
  (correlation 0.6 between the two, 0.3 with age), so that bigger firms have more
  capital while each marginal is exactly the one below.
* **Employees** -- a lognormal truncated to 1..300 (the SME ceiling for manufacturers),
  rounded. Ota: ``(mu, sigma)`` solved so that 55% have fewer than 10 and the mean is
  17.5. Higashi Osaka: solved so that 60% have fewer than 20 and 80% fewer than 50 (the
  paper gives no mean; the solution's is about 33).
* **Capital** -- a mixture: below ¥10M, a menu of round amounts (¥3M, the old yugen
  kaisha minimum, and ¥5M most common; mean ¥3.85M); at or above ¥10M, 30% exactly ¥10M
  (the old kabushiki kaisha minimum) and the rest a Pareto tail from ¥10M truncated at
  ¥300M (the SME ceiling), rounded to ¥1M. The share below ¥10M is the paper's (Ota
  2/3; Higashi Osaka "more than half", 55% chosen) and the Pareto exponent is solved so
  that the mean is the paper's (¥15.3M, ¥21.8M).
* **Needs** -- from Table 12, per area: a firm answers "unknown" with the table's share
  and then has no IT need; otherwise it asks for each policy row independently with
  probability ``share / (1 - unknown share)``, so each row's share is the table's. Rows
  map to need ids as follows (every row but deregulation also adds ``it_adoption``):

  ======================================================  ===========================
  Table 12 row                                            need ids
  ======================================================  ===========================
  1. IT seminars                                          training
  2. Training for PC use                                  training
  3. Training for website development                     training, website
  4. Advice for IT promotion                              consulting
  5. Low-interest loans for IT                            financing
  6. Lease of IT with low fees                            subsidy, financing
  7. Tax exemption incentives for IT investment           tax_relief
  8. Grants and financial supports for IT investment      subsidy, financing
  9. Support for opening new portal sites                 website
  10. Deregulation                                        (no need in the vocabulary)
  11. Commendation of small company business models       publicity
  12. e-procurement, e-purchase                           business_matching
  13. Others                                              one need of the rest (below)
  ======================================================  ===========================

  "Others" draws one need among those no row maps to, weighted per area after section
  3.1 (Higashi Osaka: new markets and cross-industry exchange; Ota: technology and
  collaborative research). A firm seeking a location also gets ``site``.

Choices where the paper is silent (documented, not calibrated): 10% of firms have no
capital and 10% no founding date, 3% no headcount, 20% no environment flag and 20% no
site-seeking flag, all missing completely at random. Ages are counted back from
:data:`AS_OF` (1 April 2025): 7% of firms are under 5 years old, the rest lognormal
with a median of 45 years, truncated at 5 and 95. 25% are environment conscious, 6%
seeking a location. 60% of names and descriptions are English, 40% Japanese; firms
founded before 2006 with capital under ¥10M are yugen kaisha half of the time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

__all__ = [
    "AREAS", "AS_OF", "CALIBRATION_TARGETS", "P_ENVIRONMENT", "P_JAPANESE", "P_MISSING", "P_SEEKING", "PROFILES",
    "RHO_AGE", "RHO_CAPITAL", "SEED_FILE", "TABLE_12", "Target", "age_q", "capital_params", "capital_q",
    "employee_params", "employees_q", "target_value",
]

SEED_FILE = "004_88c0d50d16d1480f.txt"


@dataclass(frozen=True)
class Target:
    """One calibration target: a figure about the firms of an area and where it comes from.

    ``chosen`` is true when the paper only gives a bound and ``value`` is the figure
    picked within it.
    """

    area: str
    quantity: str
    value: float
    quote: str
    chosen: bool = False


#: Every figure the generator is calibrated on, with the sentence of seed 004 it comes from.
CALIBRATION_TARGETS: tuple[Target, ...] = (
    Target("mixed", "share_ota", 507 / 1198,
           "[Ota] We sent questionnaires to 3,396 SMEs in June 2004 and received 507 responses; "
           "[Higashi Osaka] We received 691 responses"),
    Target("ota", "manufacturing_share", 0.919,
           "About 91.9% of our total valid replies are manufacturing SMEs, an extremely high ratio."),
    Target("ota", "metalware_among_manufacturers", 0.318,
           "a predominance of metalware (31.8%), machinery and tools (23.6%), electric machinery (22.5%)"),
    Target("ota", "machinery_among_manufacturers", 0.236,
           "a predominance of metalware (31.8%), machinery and tools (23.6%), electric machinery (22.5%)"),
    Target("ota", "electrical_among_manufacturers", 0.225,
           "a predominance of metalware (31.8%), machinery and tools (23.6%), electric machinery (22.5%)"),
    Target("ota", "share_capital_under_10m", 2 / 3,
           "Two thirds of Ota SMEs have less than 10 million yen of capital"),
    Target("ota", "mean_capital_jpy", 15_300_000, "the average is nearly 15.3 million yen"),
    Target("ota", "share_employees_under_10", 0.55,
           "More than half of Ota SMEs employ less than 10 employees", chosen=True),
    Target("ota", "mean_employees", 17.5, "the average is 17.5"),
    Target("higashiosaka", "manufacturing_share", 0.60,
           "More than half of our respondents were from the manufacturing sector", chosen=True),
    Target("higashiosaka", "wholesale_share", 0.177, "and 17.7% were wholesalers"),
    Target("higashiosaka", "metalware_among_manufacturers", 0.32,
           "The breakdown by category is: metalware, 32% plastics and rubber products, 14.6%; "
           "electrical machinery and equipment, 13.9%; and general machinery, 12.8%."),
    Target("higashiosaka", "plastics_rubber_among_manufacturers", 0.146, "plastics and rubber products, 14.6%"),
    Target("higashiosaka", "electrical_among_manufacturers", 0.139, "electrical machinery and equipment, 13.9%"),
    Target("higashiosaka", "machinery_among_manufacturers", 0.128, "and general machinery, 12.8%"),
    Target("higashiosaka", "share_capital_under_10m", 0.55,
           "More than half of our Higashi Osaka respondents have capital of less than 10 million yen",
           chosen=True),
    Target("higashiosaka", "mean_capital_jpy", 21_800_000, "and the average is nearly 21.8 million yen"),
    Target("higashiosaka", "share_employees_under_50", 0.80, "Table 3-8 shows that 80% have less than 50 employees."),
    Target("higashiosaka", "share_employees_under_20", 0.60,
           "Small businesses with less than 20 employees comprise 60% of the total."),
)

#: Table 12 of seed 004, "IT Polices Requested by SMEs": (row, need ids, Higashi Osaka share, Ota share).
#: The last row is the share that answered "unknown".
TABLE_12: tuple[tuple[str, tuple[str, ...], float, float], ...] = (
    ("1. IT seminars", ("training", "it_adoption"), 0.366, 0.272),
    ("2. Training for PC use", ("training", "it_adoption"), 0.285, 0.290),
    ("3. Training for website development", ("training", "website", "it_adoption"), 0.174, 0.181),
    ("4. Advice for IT promotion", ("consulting", "it_adoption"), 0.255, 0.179),
    ("5. Low-interest loans for IT", ("financing", "it_adoption"), 0.337, 0.284),
    ("6. Lease of IT with low fees", ("subsidy", "financing", "it_adoption"), 0.394, 0.294),
    ("7. Tax exemption incentives for IT investment", ("tax_relief", "it_adoption"), 0.344, 0.288),
    ("8. Grants and financial supports for IT investment related projects",
     ("subsidy", "financing", "it_adoption"), 0.398, 0.310),
    ("9. Support for opening new portal sites", ("website", "it_adoption"), 0.026, 0.037),
    ("10. Deregulation", (), 0.181, 0.152),
    ("11. Commendation of small company business models that make use of IT",
     ("publicity", "it_adoption"), 0.046, 0.030),
    ("12. e-procurement, e-purchase", ("business_matching", "it_adoption"), 0.072, 0.071),
    ("13. Others", (), 0.042, 0.063),
    ("Unknown", (), 0.148, 0.241),
)

AREAS: dict[str, dict[str, str]] = {
    "ota": {"municipality": "131113", "prefecture": "13", "place_en": "Ota", "place_ja": "大田区"},
    "higashiosaka": {"municipality": "272272", "prefecture": "27", "place_en": "Higashi Osaka",
                     "place_ja": "東大阪市"},
}
PROFILES = ("ota", "higashiosaka", "mixed")
#: Founding dates are counted back from this date (fixed, so that a seed gives the same firms every day).
AS_OF = dt.date(2025, 4, 1)

# --- choices where the paper is silent -------------------------------------------------------------

P_MISSING = {"capital_jpy": 0.10, "founded": 0.10, "employees": 0.03,
              "environment_conscious": 0.20, "seeking_location": 0.20}
P_ENVIRONMENT, P_SEEKING = 0.25, 0.06
P_JAPANESE = 0.40
RHO_CAPITAL, RHO_AGE = 0.6, 0.3
_MAX_EMPLOYEES, _MAX_CAPITAL = 300, 300_000_000
_CAPITAL_MENU_M = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9])  # ¥M, below ¥10M
_CAPITAL_MENU_P = np.array([0.10, 0.06, 0.44, 0.04, 0.22, 0.04, 0.02, 0.05, 0.03])
_P_AT_10M = 0.30  # of the firms with at least ¥10M
_P_YOUNG, _YOUNG_YEARS, _AGE_MEDIAN, _AGE_SIGMA, _AGE_MAX = 0.07, 5.0, 45.0, 0.45, 95.0
_GRID = (np.arange(200_000) + 0.5) / 200_000  # quantile grid for solving means


def target_value(area: str, quantity: str) -> float:
    for t in CALIBRATION_TARGETS:
        if t.area == area and t.quantity == quantity:
            return t.value
    raise KeyError(f"no calibration target {quantity!r} for area {area!r}")


# --- quantile functions and their calibration ------------------------------------------------------

def employees_q(u: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Truncated lognormal on [0.5, 300.5), rounded to 1..300."""
    a, b = ndtr((math.log(0.5) - mu) / sigma), ndtr((math.log(_MAX_EMPLOYEES + 0.5) - mu) / sigma)
    x = np.exp(mu + sigma * ndtri(a + u * (b - a)))
    return np.clip(np.rint(x), 1, _MAX_EMPLOYEES).astype(np.int64)


def _employees_cdf(x: float, mu: float, sigma: float) -> float:
    a, b = ndtr((math.log(0.5) - mu) / sigma), ndtr((math.log(_MAX_EMPLOYEES + 0.5) - mu) / sigma)
    return float((ndtr((math.log(x) - mu) / sigma) - a) / (b - a))


def _mu_for(sigma: float, x: float, p: float) -> float:
    return brentq(lambda mu: _employees_cdf(x, mu, sigma) - p, -1.0, 6.5, xtol=1e-12)


@lru_cache(maxsize=None)
def employee_params(area: str) -> tuple[float, float]:
    """``(mu, sigma)`` solved for the area's targets."""
    if area == "ota":
        p10, mean = target_value("ota", "share_employees_under_10"), target_value("ota", "mean_employees")
        sigma = brentq(lambda s: employees_q(_GRID, _mu_for(s, 9.5, p10), s).mean() - mean, 0.3, 4.0, xtol=1e-10)
        return _mu_for(sigma, 9.5, p10), sigma
    p20, p50 = target_value(area, "share_employees_under_20"), target_value(area, "share_employees_under_50")
    sigma = brentq(lambda s: _employees_cdf(49.5, _mu_for(s, 19.5, p20), s) - p50, 0.3, 4.0, xtol=1e-12)
    return _mu_for(sigma, 19.5, p20), sigma


def capital_q(u: np.ndarray, below: float, alpha: float) -> np.ndarray:
    """Capital in yen: the menu below ¥10M, then ¥10M exactly, then a truncated Pareto tail."""
    u = np.asarray(u, dtype=float)
    out = np.empty(u.shape, dtype=np.int64)
    lo = u < below
    cum = np.cumsum(_CAPITAL_MENU_P) / _CAPITAL_MENU_P.sum()
    idx = np.minimum(np.searchsorted(cum, u[lo] / below, side="right"), len(cum) - 1)
    out[lo] = _CAPITAL_MENU_M[idx] * 1_000_000
    v = (u[~lo] - below) / (1 - below)
    w = np.clip((v - _P_AT_10M) / (1 - _P_AT_10M), 0.0, 1.0)
    span = math.log(_MAX_CAPITAL / 10_000_000)
    if abs(alpha) < 1e-9:
        x = 10e6 * np.exp(w * span)
    else:
        x = 10e6 * np.exp(-np.log1p(w * np.expm1(-alpha * span)) / alpha)
    x = np.where(v < _P_AT_10M, 10e6, np.clip(np.rint(x / 1e6) * 1e6, 10e6, _MAX_CAPITAL))
    out[~lo] = x.astype(np.int64)
    return out


@lru_cache(maxsize=None)
def capital_params(area: str) -> tuple[float, float]:
    """``(share below ¥10M, Pareto exponent)`` solved for the area's mean capital."""
    below, mean = target_value(area, "share_capital_under_10m"), target_value(area, "mean_capital_jpy")
    alpha = brentq(lambda a: capital_q(_GRID, below, a).mean() - mean, -3.0, 8.0, xtol=1e-10)
    return below, alpha


def age_q(u: np.ndarray) -> np.ndarray:
    """Age in years: 7% under 5 years, the rest a lognormal truncated to [5, 95]."""
    young = u < _P_YOUNG
    v = np.clip((u - _P_YOUNG) / (1 - _P_YOUNG), 0.0, 1.0)
    mu = math.log(_AGE_MEDIAN)
    a, b = ndtr((math.log(_YOUNG_YEARS) - mu) / _AGE_SIGMA), ndtr((math.log(_AGE_MAX) - mu) / _AGE_SIGMA)
    old = np.exp(mu + _AGE_SIGMA * ndtri(a + v * (b - a)))
    return np.where(young, _YOUNG_YEARS * u / _P_YOUNG, old)
