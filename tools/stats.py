"""Ordinary least squares with a prediction interval, in numpy (no scipy needed).

The Student t quantile is found by bisection on the t CDF, computed from the
regularized incomplete beta function (continued fraction, Numerical Recipes 6.4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel


class OlsFit(BaseModel):
    """An OLS fit ``y = X @ coefficients`` (first column of X is the intercept)."""

    coefficients: list[float]
    r_squared: float
    residual_variance: float
    n: int
    xtx_inverse: list[list[float]]

    @property
    def dof(self) -> int:
        """Residual degrees of freedom, n - parameters."""
        return self.n - len(self.coefficients)

    def predict(self, x: Sequence[float], level: float = 0.8) -> tuple[float, float, float]:
        """(point, lower, upper) of the ``level`` prediction interval for one new row ``x``
        (without the intercept's 1)."""
        import numpy as np

        row = np.array([1.0, *x])
        point = float(row @ np.array(self.coefficients))
        leverage = float(row @ np.array(self.xtx_inverse) @ row)
        se = math.sqrt(max(self.residual_variance * (1.0 + leverage), 0.0))
        t = t_quantile(0.5 + level / 2, self.dof)
        return point, point - t * se, point + t * se


def ols(x: Sequence[Sequence[float]], y: Sequence[float]) -> OlsFit:
    """Fit y on the columns of ``x`` plus an intercept; needs more rows than parameters."""
    import numpy as np

    design = np.column_stack([np.ones(len(y)), np.asarray(x, dtype=float)])
    target = np.asarray(y, dtype=float)
    n, p = design.shape
    if n <= p:
        raise ValueError(f"OLS needs more than {p} observations, got {n}")
    beta, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ beta
    sse = float(residuals @ residuals)
    sst = float(((target - target.mean()) ** 2).sum())
    return OlsFit(
        coefficients=[float(b) for b in beta],
        r_squared=1.0 - sse / sst if sst > 0 else 0.0,
        residual_variance=sse / (n - p),
        n=n,
        xtx_inverse=np.linalg.pinv(design.T @ design).tolist(),
    )


def t_cdf(t: float, dof: int) -> float:
    """P(T <= t) for Student's t with ``dof`` degrees of freedom."""
    x = dof / (dof + t * t)
    tail = 0.5 * _betainc(dof / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, dof: int) -> float:
    """The ``p`` quantile of Student's t (0 < p < 1), by bisection to 1e-10."""
    if not 0.0 < p < 1.0 or dof < 1:
        raise ValueError("need 0 < p < 1 and dof >= 1")
    low, high = -1e3, 1e3
    for _ in range(200):
        mid = (low + high) / 2
        if t_cdf(mid, dof) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-10:
            break
    return (low + high) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h
