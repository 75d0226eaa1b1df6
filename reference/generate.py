#!/usr/bin/env python3
"""Generate spiega's reference cases: the numbers the engine is checked against.

Every expected value here comes from a trusted library, never from the engine:

* gradients: JAX autodiff in float64 (jax.grad / jax.vjp / jax.jacobian);
* metrics, MinMaxScaler, hinge loss, log loss, ROC: scikit-learn;
* optimizers: optax where it has the exact update rule, plain numpy (named in the
  case description) for the forms optax does not have;
* learning-rate schedules: optax's schedules;
* ROUGE: Google's rouge-score.

The output is one JSON file per family in ``reference/cases/``, in the format of
FORMAT.md (``{"family", "format_version", "cases": [{"id", "description",
"inputs", "expected", "tolerance"}]}``). All random inputs come from numpy's
``default_rng`` with fixed seeds, keys are sorted and floats are written with
Python's shortest round-trip repr, so running the script twice gives identical
files.

Run from the repository root:  reference/.venv/bin/python reference/generate.py
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from jax import lax  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402
from sklearn.exceptions import UndefinedMetricWarning  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    confusion_matrix,
    f1_score,
    hinge_loss,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
    root_mean_squared_error,
)
from sklearn.preprocessing import MinMaxScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

FORMAT_VERSION = 1
OUT_DIR = Path(__file__).resolve().parent / "cases"
DEFAULT_TOL = {"abs": 1e-9, "rel": 1e-7}

# scikit-learn's documented 0/0 behaviour (return 0.0 and warn) is part of the
# contract; the warnings themselves are noise here.
warnings.filterwarnings("ignore", category=UndefinedMetricWarning)
warnings.filterwarnings("ignore", message=".*Only one class is present.*")
warnings.filterwarnings("ignore", message=".*No positive samples in y_true.*")
warnings.filterwarnings("ignore", message=".*No negative samples in y_true.*")
warnings.filterwarnings("ignore", message=".*y_prob values do not sum to one.*")
warnings.filterwarnings("ignore", message=".*A single label was found in 'y_true' and 'y_pred'.*")


# ---------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------

def to_json(value):
    """Convert numpy / JAX values to plain JSON values.

    Floats stay float64; non-finite floats become "Infinity", "-Infinity",
    "NaN"; -0.0 is written as 0.0; numpy integers and booleans keep their type.
    """
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, jax.Array):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return 0.0 if x == 0.0 else x
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"cannot serialise {type(value)!r}")


def _scalar_text(v) -> str:
    return json.dumps(v, allow_nan=False, ensure_ascii=False)


def _is_flat(v) -> bool:
    """True for a scalar or a (nested) list holding only scalars."""
    if isinstance(v, list):
        return all(_is_flat(x) for x in v)
    return not isinstance(v, dict)


def format_json(v, indent: int = 0) -> str:
    """Readable, deterministic JSON: objects one key per line (sorted), numeric
    arrays on one line when short, otherwise one row per line."""
    pad = " " * indent
    inner = " " * (indent + 2)
    if isinstance(v, dict):
        if not v:
            return "{}"
        if all(not isinstance(x, (dict, list)) for x in v.values()):
            one_line = "{" + ", ".join(f"{_scalar_text(k)}: {_scalar_text(v[k])}" for k in sorted(v)) + "}"
            if len(one_line) <= 110:
                return one_line
        items = [f"{inner}{_scalar_text(k)}: {format_json(v[k], indent + 2)}" for k in sorted(v)]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        if _is_flat(v):
            one_line = json.dumps(v, allow_nan=False, ensure_ascii=False, separators=(", ", ": "))
            if len(one_line) <= 110 or not any(isinstance(x, list) for x in v):
                return one_line
        items = [inner + format_json(x, indent + 2) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar_text(v)


def case(cid, description, inputs, expected, tolerance=None):
    return {
        "id": cid,
        "description": description,
        "inputs": to_json(inputs),
        "expected": to_json(expected),
        "tolerance": dict(tolerance or DEFAULT_TOL),
    }


def error_of(exc: Exception) -> dict:
    return {"error": {"type": type(exc).__name__, "message": str(exc)}}


def write_family(family: str, cases: list) -> int:
    ids = [c["id"] for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, f"duplicate ids in {family}: {dupes}"
    doc = {"family": family, "format_version": FORMAT_VERSION, "cases": cases}
    text = format_json(doc) + "\n"
    assert json.loads(text) == doc, f"{family}: formatted JSON does not round-trip"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"{family}.json").write_text(text, encoding="utf-8")
    return len(cases)


def rng_for(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def rnd(rng, *shape, scale=1.0, decimals=3):
    """Normal values rounded to a few decimals, so inputs stay short and exact in JSON."""
    return np.round(rng.normal(0.0, scale, size=shape), decimals)


def f64(x):
    return jnp.asarray(np.asarray(x, dtype=np.float64))


# ---------------------------------------------------------------------------
# Shared differentiable building blocks (JAX, float64)
# ---------------------------------------------------------------------------

def sigmoid(x):
    return jax.nn.sigmoid(x)


def relu(x):
    # relu'(0) = 0: the where takes the zero branch at exactly 0.
    return jnp.where(x > 0, x, 0.0)


def leaky_relu(x, slope):
    # Derivative at exactly 0 is `slope` (the negative branch is taken at 0).
    return jnp.where(x > 0, x, slope * x)


def prelu(x, alpha):
    return jnp.where(x > 0, x, alpha * x)


def swish(x):
    return x * jax.nn.sigmoid(x)


def swish_beta(x, beta):
    return x * jax.nn.sigmoid(beta * x)


def abs_sign0(x):
    """|x| written as x·sign(x): its autodiff derivative is sign(x) with sign(0) = 0.
    (jnp.abs differentiates to 1 at 0, which is not the convention.)"""
    return x * lax.stop_gradient(jnp.sign(x))


def elementwise_grad(f, x):
    return jax.vmap(jax.grad(f))(f64(x))


# ---------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------

ACT_INPUTS = {
    "grid": [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0],
    # ±1000: results must come out exact (0, 1, ±1000...); the checker holds ids naming 1000 to that.
    "large_1000": [-1000.0, 0.0, 1000.0],
    "wide_range": [-50.0, -0.001, 0.001, 50.0],
    "exactly_zero": [0.0],
}


def gen_activations():
    cases = []
    rng = rng_for(101)
    inputs = dict(ACT_INPUTS)
    inputs["random"] = rnd(rng, 8, scale=2.0).tolist()

    simple = [
        ("sigmoid", sigmoid, "y = σ(x) = 1/(1+e^(−x)) (overflow-safe), dydx = σ(x)(1−σ(x))"),
        ("tanh", jnp.tanh, "y = tanh(x), dydx = 1 − tanh²(x)"),
        ("relu", relu, "y = max(x, 0), dydx = 1 if x > 0 else 0 (relu'(0) = 0)"),
        ("leaky_relu_0.01", lambda x: leaky_relu(x, 0.01),
         "y = x if x > 0 else 0.01·x, dydx = 1 if x > 0 else 0.01 (slope at exactly 0)"),
        ("leaky_relu_0.2", lambda x: leaky_relu(x, 0.2),
         "y = x if x > 0 else 0.2·x, dydx = 1 if x > 0 else 0.2 (slope at exactly 0)"),
        ("swish", swish, "y = x·σ(x), dydx = σ(x) + x·σ(x)(1−σ(x))"),
    ]
    for name, f, formula in simple:
        for iname, x in inputs.items():
            x = f64(x)
            cases.append(case(
                f"activation/{name}/{iname}",
                f"Elementwise {name}: {formula}. x is a vector; y and dydx are vectors of the same "
                "length (dydx is the elementwise derivative, from JAX autodiff).",
                {"x": x},
                {"y": f(x), "dydx": elementwise_grad(f, x)},
            ))

    for beta in (0.5, 1.0, 2.0, 0.0):
        for iname in ("grid", "large_1000", "wide_range", "random"):
            x = f64(inputs[iname])
            y = swish_beta(x, beta)
            dydx = jax.vmap(jax.grad(swish_beta, argnums=0), in_axes=(0, None))(x, beta)
            dydbeta = jax.vmap(jax.grad(swish_beta, argnums=1), in_axes=(0, None))(x, float(beta))
            cases.append(case(
                f"activation/swish_beta/beta={beta}/{iname}",
                "Elementwise swish-β: y = x·σ(βx); dydx = σ(βx) + βx·σ(βx)(1−σ(βx)); "
                "dydbeta = x²·σ(βx)(1−σ(βx)) (per element, not summed). beta is a scalar; "
                "β = 0 gives y = x/2. Derivatives from JAX autodiff.",
                {"x": x, "beta": beta},
                {"y": y, "dydx": dydx, "dydbeta": dydbeta},
            ))

    # PReLU: y = x if x > 0 else alpha·x, on a (batch, channels) input.
    def prelu_case(cid, x, alpha, g, per_channel):
        x, g, alpha = f64(x), f64(g), f64(alpha)
        y, vjp = jax.vjp(prelu, x, alpha)
        dx, dalpha = vjp(g)
        shape = "alpha has one value per channel (column of x, shape (channels,)); dL_dalpha[c] = " \
            "Σ over rows of upstream_grad·(0 if x > 0 else x) in column c" if per_channel else \
            "alpha is one scalar shared by every element; dL_dalpha = Σ over all elements of " \
            "upstream_grad·(0 if x > 0 else x)"
        cases.append(case(
            cid,
            "PReLU on x of shape (batch, channels): y = x if x > 0 else alpha·x. "
            "dL_dx = upstream_grad·(1 if x > 0 else alpha) (derivative alpha at exactly 0); "
            f"{shape}. Gradients from jax.vjp.",
            {"x": x, "alpha": alpha, "upstream_grad": g},
            {"y": y, "dL_dx": dx, "dL_dalpha": dalpha},
        ))

    xs = [[-2.0, 0.0, 1.5], [0.5, -0.25, 0.0], [-1000.0, 1000.0, -3.0]]
    gs = [[1.0, 2.0, -1.0], [0.5, -0.5, 3.0], [1.0, 1.0, 2.0]]
    prelu_case("activation/prelu/scalar_alpha/with_zeros", xs, 0.25, gs, False)
    prelu_case("activation/prelu/scalar_alpha/negative_alpha", xs, -0.5, gs, False)
    x = rnd(rng, 4, 3)
    x[1, 1] = 0.0
    prelu_case("activation/prelu/scalar_alpha/random", x, 0.1, rnd(rng, 4, 3), False)
    prelu_case("activation/prelu/per_channel_with_zeros", xs, [0.25, 0.1, 0.5], gs, True)
    prelu_case("activation/prelu/per_channel_random", x, [0.2, -0.1, 1.0], rnd(rng, 4, 3), True)
    prelu_case("activation/prelu/batch_of_one", [[-1.0, 0.0, 2.0]], [0.25, 0.25, 0.25],
               [[1.0, 1.0, 1.0]], True)

    softmax_inputs = {
        "simple": [1.0, 2.0, 3.0],
        "large_logits_1000": [1000.0, -1000.0, 0.0],
        "large_logits_tie": [1000.0, 1000.0, -1000.0],
        "shift_invariance_offset": [1000.0, 1001.0, 1002.0],
        "all_equal": [0.0, 0.0, 0.0, 0.0],
        "single_element": [5.0],
        "random": rnd(rng, 5, scale=2.0).tolist(),
    }
    for name, z in softmax_inputs.items():
        z = f64(z)
        g = f64(np.round(np.linspace(-1.0, 1.0, z.shape[0]) ** 2 - 0.3, 6))
        s, vjp = jax.vjp(jax.nn.softmax, z)
        cases.append(case(
            f"activation/softmax/{name}",
            "Softmax of a vector z (overflow-safe: z − max z first): softmax_i = e^(z_i)/Σ_j e^(z_j); "
            "log_softmax_i = z_i − max z − log Σ_j e^(z_j − max z); jacobian[i][j] = ∂softmax_i/∂z_j "
            "= softmax_i(δ_ij − softmax_j); dL_dz = jacobianᵀ·upstream_grad "
            "= softmax ⊙ (g − Σ_k softmax_k g_k). From jax.nn.softmax, jax.jacobian, jax.vjp.",
            {"z": z, "upstream_grad": g},
            {"softmax": s, "log_softmax": jax.nn.log_softmax(z),
             "jacobian": jax.jacobian(jax.nn.softmax)(z), "dL_dz": vjp(g)[0]},
        ))
    return cases


# ---------------------------------------------------------------------------
# attention
# ---------------------------------------------------------------------------

def allowed_mask(tq, tk, causal, mask_allowed):
    allowed = np.ones((tq, tk), dtype=bool)
    if mask_allowed is not None:
        allowed &= np.asarray(mask_allowed, dtype=bool)
    if causal:
        allowed &= np.tril(np.ones((tq, tk), dtype=bool))
    return jnp.asarray(allowed)


def sdpa(Q, K, V, allowed):
    d = Q.shape[-1]
    scores = jnp.where(allowed, Q @ K.T / jnp.sqrt(float(d)), -jnp.inf)
    weights = jax.nn.softmax(scores, axis=-1)
    return weights @ V, scores, weights


SDPA_DESC = (
    "Form 'qkv' (inputs Q, K, V given directly; no X, no weights): scaled dot-product attention on one "
    "sequence, no batch axis. Q (Tq, d), K (Tk, d), V (Tk, dv). scores = Q Kᵀ/√d with every disallowed "
    "entry set to -Infinity; a pair (i, j) is allowed iff mask_allowed[i][j] (true when mask_allowed is "
    "null) and, when causal, j <= i. weights = row-wise softmax(scores); output = weights V (Tq, dv). "
    "dL_dQ, dL_dK, dL_dV = vjp of output with upstream_grad (Tq, dv), from jax.vjp."
)

MHA_DESC = (
    "Form 'layer' (input X plus projection weights): multi-head self-attention on one sequence X "
    "(T, d_model), no batch axis. Dense convention W (out, in): Q = X Wqᵀ + bq, K = X Wkᵀ + bk, "
    "V = X Wvᵀ + bv, all (T, d_model). With h = num_heads and dh = d_model/h, head i uses columns "
    "[i·dh, (i+1)·dh) of Q, K and V: scores_i = Q_i K_iᵀ/√dh (masked entries -Infinity; allowed iff "
    "mask_allowed[t][s] (all true when null) and, when causal, s <= t), weights_i = row softmax, "
    "head_i = weights_i V_i. concat_heads (T, d_model) puts head i in columns [i·dh, (i+1)·dh); "
    "output = concat_heads Woᵀ + bo. scores and attention_weights_per_head have shape (h, T, T). "
    "Gradients are the vjp of output with upstream_grad (T, d_model): dL_dX, dL_dW* (out, in), dL_db*, "
    "and dL_dQ, dL_dK, dL_dV (T, d_model) with respect to the projected Q, K, V. From jax.vjp."
)


def gen_attention():
    cases = []
    rng = rng_for(202)

    def qkv_case(name, Q, K, V, causal, mask_allowed, g):
        Q, K, V, g = f64(Q), f64(K), f64(V), f64(g)
        allowed = allowed_mask(Q.shape[0], K.shape[0], causal, mask_allowed)
        (out, scores, weights) = sdpa(Q, K, V, allowed)
        _, vjp = jax.vjp(lambda q, k, v: sdpa(q, k, v, allowed)[0], Q, K, V)
        dQ, dK, dV = vjp(g)
        for arr in (dQ, dK, dV, out):
            assert np.all(np.isfinite(np.asarray(arr)))
        cases.append(case(
            f"attention/{name}", SDPA_DESC,
            {"Q": Q, "K": K, "V": V, "causal": causal, "mask_allowed": mask_allowed,
             "upstream_grad": g},
            {"scores": scores, "weights": weights, "output": out,
             "dL_dQ": dQ, "dL_dK": dK, "dL_dV": dV},
        ))

    qkv_case("qkv_basic_no_mask", rnd(rng, 3, 2), rnd(rng, 4, 2), rnd(rng, 4, 3), False, None,
             rnd(rng, 3, 3))
    qkv_case("qkv_causal", rnd(rng, 4, 2), rnd(rng, 4, 2), rnd(rng, 4, 2), True, None,
             rnd(rng, 4, 2))
    qkv_case("qkv_padding_mask_last_key",
             rnd(rng, 3, 2), rnd(rng, 3, 2), rnd(rng, 3, 2), False,
             [[True, True, False], [True, True, False], [True, True, False]], rnd(rng, 3, 2))
    qkv_case("qkv_causal_and_padding_mask",
             rnd(rng, 4, 3), rnd(rng, 4, 3), rnd(rng, 4, 2), True,
             [[True, True, True, False]] * 4, rnd(rng, 4, 2))
    # Scores of ±1000·√2 make the softmax exactly one-hot (e^(-1414) underflows to 0).
    qkv_case("qkv_large_scores_one_hot",
             [[2000.0, 0.0], [0.0, -2000.0]], [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]],
             [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], False, None, [[1.0, -1.0], [0.5, 2.0]])
    qkv_case("qkv_single_query_single_key", [[0.3, -0.7]], [[1.5, 0.2]], [[2.0, -1.0, 0.5]],
             False, None, [[1.0, 1.0, 1.0]])

    def mha(X, Wq, bq, Wk, bk, Wv, bv, Wo, bo, h, allowed):
        Q = X @ Wq.T + bq
        K = X @ Wk.T + bk
        V = X @ Wv.T + bv
        return mha_from_qkv(Q, K, V, Wo, bo, h, allowed) + (Q, K, V)

    def mha_from_qkv(Q, K, V, Wo, bo, h, allowed):
        dm = Q.shape[1]
        dh = dm // h
        heads, scores, weights = [], [], []
        for i in range(h):
            cols = slice(i * dh, (i + 1) * dh)
            o, s, w = sdpa(Q[:, cols], K[:, cols], V[:, cols], allowed)
            heads.append(o)
            scores.append(s)
            weights.append(w)
        concat = jnp.concatenate(heads, axis=1)
        return concat @ Wo.T + bo, concat, jnp.stack(scores), jnp.stack(weights)

    def layer_case(name, T, dm, h, causal, mask_allowed, scale=0.5):
        X = f64(rnd(rng, T, dm))
        W = {k: f64(rnd(rng, dm, dm, scale=scale)) for k in ("Wq", "Wk", "Wv", "Wo")}
        b = {k: f64(rnd(rng, dm, scale=0.1)) for k in ("bq", "bk", "bv", "bo")}
        g = f64(rnd(rng, T, dm))
        allowed = allowed_mask(T, T, causal, mask_allowed)
        out, concat, scores, weights, Q, K, V = mha(
            X, W["Wq"], b["bq"], W["Wk"], b["bk"], W["Wv"], b["bv"], W["Wo"], b["bo"], h, allowed)

        def f(X, Wq, bq, Wk, bk, Wv, bv, Wo, bo):
            return mha(X, Wq, bq, Wk, bk, Wv, bv, Wo, bo, h, allowed)[0]

        _, vjp = jax.vjp(f, X, W["Wq"], b["bq"], W["Wk"], b["bk"], W["Wv"], b["bv"], W["Wo"], b["bo"])
        dX, dWq, dbq, dWk, dbk, dWv, dbv, dWo, dbo = vjp(g)
        _, vjp_qkv = jax.vjp(lambda q, k, v: mha_from_qkv(q, k, v, W["Wo"], b["bo"], h, allowed)[0],
                             Q, K, V)
        dQ, dK, dV = vjp_qkv(g)
        cases.append(case(
            f"attention/{name}", MHA_DESC,
            {"X": X, **W, **b, "num_heads": h, "causal": causal, "mask_allowed": mask_allowed,
             "upstream_grad": g},
            {"Q": Q, "K": K, "V": V, "scores": scores, "attention_weights_per_head": weights,
             "concat_heads": concat, "output": out,
             "dL_dX": dX, "dL_dWq": dWq, "dL_dbq": dbq, "dL_dWk": dWk, "dL_dbk": dbk,
             "dL_dWv": dWv, "dL_dbv": dbv, "dL_dWo": dWo, "dL_dbo": dbo,
             "dL_dQ": dQ, "dL_dK": dK, "dL_dV": dV},
        ))

    layer_case("layer_single_head_no_mask", T=3, dm=2, h=1, causal=False, mask_allowed=None)
    layer_case("layer_single_head_causal", T=3, dm=3, h=1, causal=True, mask_allowed=None)
    layer_case("layer_two_heads_no_mask", T=3, dm=4, h=2, causal=False, mask_allowed=None)
    layer_case("layer_two_heads_causal", T=4, dm=4, h=2, causal=True, mask_allowed=None)
    layer_case("layer_two_heads_padding_mask", T=3, dm=4, h=2, causal=False,
               mask_allowed=[[True, True, False]] * 3)
    layer_case("layer_four_heads_dh1_causal", T=3, dm=4, h=4, causal=True, mask_allowed=None)
    layer_case("layer_single_token", T=1, dm=4, h=2, causal=True, mask_allowed=None)
    return cases


# ---------------------------------------------------------------------------
# batchnorm
# ---------------------------------------------------------------------------

def gen_batchnorm():
    cases = []
    rng = rng_for(303)
    eps, momentum = 1e-5, 0.1

    def bn_train(x, gamma, beta):
        mean = x.mean(axis=0)
        var = ((x - mean) ** 2).mean(axis=0)
        x_hat = (x - mean) / jnp.sqrt(var + eps)
        return gamma * x_hat + beta

    def bn_case(name, x, gamma, beta, rm, rv, g, x_infer, note=""):
        x, gamma, beta, rm, rv, g, x_infer = map(f64, (x, gamma, beta, rm, rv, g, x_infer))
        n = x.shape[0]
        mean = x.mean(axis=0)
        var_b = ((x - mean) ** 2).mean(axis=0)
        var_u = ((x - mean) ** 2).sum(axis=0) / (n - 1) if n > 1 else None
        x_hat = (x - mean) / jnp.sqrt(var_b + eps)
        y, vjp = jax.vjp(bn_train, x, gamma, beta)
        dx, dgamma, dbeta = vjp(g)

        def bn_infer(xi):
            return gamma * (xi - rm) / jnp.sqrt(rv + eps) + beta

        y_inf, vjp_inf = jax.vjp(bn_infer, x_infer)
        expected = {
            "batch_mean": mean, "batch_var_biased": var_b, "batch_var_unbiased": var_u,
            "x_hat": x_hat, "y": y, "dL_dx": dx, "dL_dgamma": dgamma, "dL_dbeta": dbeta,
            "running_mean_after": (1 - momentum) * rm + momentum * mean,
            "running_var_after_biased": (1 - momentum) * rv + momentum * var_b,
            "running_var_after_pytorch_unbiased":
                None if var_u is None else (1 - momentum) * rv + momentum * var_u,
            "inference_y": y_inf, "inference_dL_dx": vjp_inf(g)[0],
        }
        cases.append(case(
            f"batchnorm/{name}",
            "Batch normalisation over the batch axis of x (batch, features), training mode: "
            "batch_mean = mean over rows; batch_var_biased = mean((x − mean)²); x_hat = (x − mean)/√(var_biased + eps); "
            "y = gamma·x_hat + beta. dL_dx, dL_dgamma, dL_dbeta = jax.vjp of y (batch statistics "
            "included in the graph) with upstream_grad. batch_var_unbiased = Σ(x − mean)²/(n − 1) (null when n = 1). "
            "Running statistics after this batch: running_mean_after = (1 − momentum)·running_mean_init + "
            "momentum·batch_mean; running_var_after_biased uses batch_var_biased; "
            "running_var_after_pytorch_unbiased uses batch_var_unbiased (PyTorch's rule; null when n = 1, "
            "where PyTorch rejects the batch). Inference mode uses the running statistics GIVEN AS INPUTS "
            "(running_mean_init, running_var_init), not the updated ones: inference_y = gamma·(x_infer − "
            "running_mean_init)/√(running_var_init + eps) + beta, and inference_dL_dx = upstream_grad·gamma/"
            f"√(running_var_init + eps) (x_infer has the shape of x). eps = {eps}, momentum = {momentum}." + note,
            {"x": x, "gamma": gamma, "beta": beta, "eps": eps, "momentum": momentum,
             "running_mean_init": rm, "running_var_init": rv, "upstream_grad": g, "x_infer": x_infer},
            expected,
        ))

    bn_case("basic_4x3", rnd(rng, 4, 3), [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0] * 3, [1.0] * 3,
            rnd(rng, 4, 3), rnd(rng, 4, 3))
    bn_case("gamma_beta_running_stats", rnd(rng, 5, 2, scale=3.0), [2.0, -0.5], [0.3, 1.0],
            [0.5, -1.0], [2.0, 0.25], rnd(rng, 5, 2), rnd(rng, 5, 2))
    bn_case("batch_of_one", [[1.5, -2.0, 0.0]], [1.5, 2.0, -1.0], [0.1, 0.2, 0.3], [0.0] * 3,
            [1.0] * 3, [[1.0, -3.0, 2.0]], [[0.5, 0.5, 0.5]],
            note=" Batch of one: x − mean = 0, so x_hat = 0, y = beta and dL_dx = 0 exactly.")
    bn_case("constant_feature", [[2.0, 1.0], [2.0, -1.0], [2.0, 3.0]], [1.0, 1.0], [0.0, 0.0],
            [0.0, 0.0], [1.0, 1.0], [[1.0, 0.5], [-2.0, 1.0], [0.5, -0.5]],
            [[2.0, 0.0], [1.0, 1.0], [0.0, 2.0]],
            note=" Feature 0 is constant: its variance is 0, x_hat = 0 and y = beta, but dL_dx = "
                 "gamma/√eps·(g − mean(g)) is NOT zero.")
    bn_case("batch_of_two", [[1.0, 4.0], [3.0, 0.0]], [1.0, 0.5], [0.0, 1.0], [0.0, 0.0],
            [1.0, 1.0], [[0.5, -1.0], [1.5, 2.0]], [[0.0, 0.0], [1.0, 1.0]])
    bn_case("far_from_zero_offset", rnd(rng, 6, 2, scale=1000.0, decimals=1) + 5000.0, [1.0, 1.0],
            [0.0, 0.0], [5000.0, 5000.0], [1.0e6, 1.0e6], rnd(rng, 6, 2), rnd(rng, 6, 2) + 5000.0)
    return cases


# ---------------------------------------------------------------------------
# conv2d
# ---------------------------------------------------------------------------

def same_pads(in_size, k, s):
    """TensorFlow 'SAME': out = ceil(in/s); total = max((out−1)s + k − in, 0); odd pixel after."""
    out = -(-in_size // s)
    total = max((out - 1) * s + k - in_size, 0)
    return [total // 2, total - total // 2]


def gen_conv2d():
    cases = []
    rng = rng_for(404)

    def conv(x, w, b, stride, padding):
        y = lax.conv_general_dilated(x, w, window_strides=tuple(stride),
                                     padding=[tuple(p) for p in padding],
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + b[None, :, None, None]

    desc = (
        "2-D cross-correlation (no kernel flip), NCHW input x (N, C, H, W), OIHW weight (O, C, kh, kw), "
        "bias (O). stride = [sh, sw]. padding = [[top, bottom], [left, right]] zero padding, always explicit; "
        "padding_mode records where it came from: 'valid' = no padding, 'same' = TensorFlow's rule "
        "(out = ceil(in/s), total = max((out−1)·s + k − in, 0), before = total // 2, after = total − before: "
        "the odd extra pixel goes to the bottom/right), 'explicit' = given. "
        "y[n,o,i,j] = bias[o] + Σ_{c,u,v} w[o,c,u,v]·xpad[n,c,i·sh+u,j·sw+v]; output_shape = [N, O, Ho, Wo] "
        "with Ho = (H + top + bottom − kh) // sh + 1. dL_dx, dL_dweight, dL_dbias = jax.vjp with upstream_grad "
        "(shape of y). Computed with jax.lax.conv_general_dilated."
    )

    def conv_case(name, x_shape, w_shape, stride, mode, padding=None, x=None, w=None, b=None):
        x = f64(rnd(rng, *x_shape) if x is None else x)
        w = f64(rnd(rng, *w_shape, scale=0.5) if w is None else w)
        b = f64(rnd(rng, w.shape[0], scale=0.1) if b is None else b)
        H, W_ = x.shape[2], x.shape[3]
        kh, kw = w.shape[2], w.shape[3]
        if mode == "valid":
            padding = [[0, 0], [0, 0]]
        elif mode == "same":
            padding = [same_pads(H, kh, stride[0]), same_pads(W_, kw, stride[1])]
            ref = lax.padtype_to_pads((H, W_), (kh, kw), tuple(stride), "SAME")
            assert [list(p) for p in ref] == padding, (ref, padding)
        y = conv(x, w, b, stride, padding)
        g = f64(rnd(rng, *y.shape))
        _, vjp = jax.vjp(lambda x, w, b: conv(x, w, b, stride, padding), x, w, b)
        dx, dw, db = vjp(g)
        cases.append(case(
            f"conv2d/{name}", desc,
            {"x": x, "weight": w, "bias": b, "stride": stride, "padding": padding,
             "padding_mode": mode, "upstream_grad": g},
            {"y": y, "output_shape": list(y.shape), "dL_dx": dx, "dL_dweight": dw, "dL_dbias": db},
        ))

    conv_case("valid_1x1x4x4_k3", (1, 1, 4, 4), (1, 1, 3, 3), [1, 1], "valid")
    conv_case("identity_kernel", (1, 1, 3, 3), None, [1, 1], "valid",
              w=[[[[1.0]]]], b=[0.0])
    conv_case("same_stride1_k3", (1, 1, 4, 4), (1, 1, 3, 3), [1, 1], "same")
    conv_case("same_stride1_k2_extra_pixel_bottom_right", (1, 1, 3, 3), (1, 1, 2, 2), [1, 1], "same")
    conv_case("same_stride2_k3_in6_extra_pixel_bottom_right", (1, 1, 6, 6), (1, 1, 3, 3), [2, 2], "same")
    conv_case("same_stride2_k3_in5_symmetric", (1, 1, 5, 5), (1, 1, 3, 3), [2, 2], "same")
    conv_case("same_stride2_k4_in5_rectangular", (1, 1, 5, 4), (1, 1, 4, 3), [2, 2], "same")
    conv_case("valid_stride2_leftover_row_col", (1, 1, 5, 6), (1, 1, 2, 2), [2, 2], "valid")
    conv_case("valid_stride_2x1", (1, 1, 5, 4), (1, 1, 3, 2), [2, 1], "valid")
    conv_case("multi_channel_batch2_c2_o3", (2, 2, 4, 4), (3, 2, 3, 3), [1, 1], "same")
    conv_case("multi_channel_stride2_same", (1, 3, 5, 5), (2, 3, 3, 3), [2, 2], "same")
    conv_case("explicit_asymmetric_padding", (1, 2, 3, 4), (2, 2, 2, 3), [1, 1], "explicit",
              padding=[[1, 0], [2, 1]])
    conv_case("kernel_equals_input", (1, 2, 3, 3), (4, 2, 3, 3), [1, 1], "valid")
    conv_case("pointwise_1x1", (2, 3, 2, 2), (2, 3, 1, 1), [1, 1], "valid")

    # Error: input has 2 channels, the weight expects 3.
    x = np.ones((1, 2, 4, 4))
    w = np.ones((1, 3, 3, 3))
    try:
        conv(f64(x), f64(w), f64([0.0]), [1, 1], [[0, 0], [0, 0]])
        raise AssertionError("expected a channel mismatch error")
    except (ValueError, TypeError) as exc:
        err = error_of(exc)
    cases.append(case(
        "conv2d/error_channel_mismatch",
        desc + " Here x has 2 input channels but the weight expects 3: the reference raises.",
        {"x": x, "weight": w, "bias": [0.0], "stride": [1, 1], "padding": [[0, 0], [0, 0]],
         "padding_mode": "valid", "upstream_grad": None},
        err,
    ))
    return cases


# ---------------------------------------------------------------------------
# dense
# ---------------------------------------------------------------------------

def gen_dense():
    cases = []
    rng = rng_for(505)

    def dense(X, W, b):
        return X @ W.T + b

    def dense_case(name, X, W, b, g):
        X, W, b, g = map(f64, (X, W, b, g))
        Y, vjp = jax.vjp(dense, X, W, b)
        dX, dW, db = vjp(g)
        cases.append(case(
            f"dense/{name}",
            "Dense layer on a batch: X (batch, in), W (out, in), b (out); Y = X Wᵀ + b (batch, out). "
            "Backward with upstream_grad G (batch, out): dL_dX = G W (batch, in), dL_dW = Gᵀ X (out, in), "
            "dL_db = column sums of G (out). From jax.vjp.",
            {"X": X, "W": W, "b": b, "upstream_grad": g},
            {"Y": Y, "dL_dX": dX, "dL_dW": dW, "dL_db": db},
        ))

    dense_case("2_to_3_batch4", rnd(rng, 4, 2), rnd(rng, 3, 2), rnd(rng, 3), rnd(rng, 4, 3))
    dense_case("3_to_2_batch1", rnd(rng, 1, 3), rnd(rng, 2, 3), rnd(rng, 2), rnd(rng, 1, 2))
    dense_case("5_to_1_batch3", rnd(rng, 3, 5), rnd(rng, 1, 5), rnd(rng, 1), rnd(rng, 3, 1))
    dense_case("1_to_4_batch2", rnd(rng, 2, 1), rnd(rng, 4, 1), rnd(rng, 4), rnd(rng, 2, 4))
    dense_case("hand_values", [[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]],
               [0.5, -0.5, 0.0], [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    dense_case("zero_input_gives_bias", [[0.0, 0.0, 0.0]], rnd(rng, 2, 3), [0.25, -0.75],
               [[1.0, 2.0]])
    dense_case("notes_5x3_to_16", rnd(rng, 5, 3), rnd(rng, 16, 3, scale=0.5), rnd(rng, 16, scale=0.1),
               rnd(rng, 5, 16))
    return cases


# ---------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------

def gen_dropout():
    cases = []
    rng = rng_for(606)

    def given_mask_case(name, x, mask, p, g):
        x, g = f64(x), f64(g)
        m = jnp.asarray(np.asarray(mask, dtype=bool))
        scale = 1.0 / (1.0 - p)

        def train(x):
            return jnp.where(m, x * scale, 0.0)

        y, vjp = jax.vjp(train, x)
        cases.append(case(
            f"dropout/given_mask/{name}",
            "Inverted dropout with a given keep mask (true = kept): y_train = x/(1 − p_drop) where kept, "
            "0 where dropped; dL_dx_train = upstream_grad/(1 − p_drop) where kept, 0 where dropped "
            "(jax.vjp); evaluation mode is the identity: y_eval = x.",
            {"x": x, "keep_mask": np.asarray(mask, dtype=bool), "p_drop": p, "upstream_grad": g},
            {"y_train": y, "dL_dx_train": vjp(g)[0], "y_eval": x},
        ))

    for name, shape, p in (("p0.5_2x4", (2, 4), 0.5), ("p0.2_3x3", (3, 3), 0.2),
                           ("p0.8_2x5", (2, 5), 0.8), ("p0.3_vector", (6,), 0.3)):
        x = rnd(rng, *shape)
        mask = rng.random(shape) >= p
        given_mask_case(name, x, mask, p, rnd(rng, *shape))
    given_mask_case("p0_all_kept", [[1.0, -2.0, 3.0]], [[True, True, True]], 0.0, [[1.0, 1.0, 1.0]])
    given_mask_case("all_dropped_p0.5", [[1.0, -2.0]], [[False, False]], 0.5, [[1.0, 1.0]])

    x = rnd(rng, 2, 3)
    cases.append(case(
        "dropout/p_zero_is_identity",
        "Inverted dropout with p_drop = 0: nothing is dropped and the scale is 1, so y_train = x; y_eval = x.",
        {"x": x, "p_drop": 0.0}, {"y_train": x, "y_eval": x}))
    cases.append(case(
        "dropout/p_one_drops_everything",
        "Inverted dropout with p_drop = 1: every unit is dropped, y_train = 0 everywhere (no division "
        "by 1 − p = 0 is performed, no NaN); y_eval = x.",
        {"x": x, "p_drop": 1.0}, {"y_train": np.zeros_like(x), "y_eval": x}))

    for p, xv, n in ((0.2, 1.0, 100000), (0.5, 2.0, 100000), (0.3, -1.5, 50000), (0.9, 1.0, 100000)):
        keep_sim = np.random.default_rng(904).random(n) >= p
        y_sim = np.where(keep_sim, xv / (1.0 - p), 0.0)
        sim = {"mean": float(y_sim.mean()), "zero_fraction": float(1.0 - keep_sim.mean())}
        tol_mean = 5.0 * abs(xv) * math.sqrt(p / ((1.0 - p) * n))
        tol_zero = 5.0 * math.sqrt(p * (1.0 - p) / n)
        assert abs(sim["mean"] - xv) <= tol_mean and abs(sim["zero_fraction"] - p) <= tol_zero
        cases.append(case(
            f"dropout/expectation/p={p}_x={xv}",
            "Statistics of inverted dropout applied to n copies of x_value in training mode: each output "
            "is x_value/(1 − p_drop) with probability 1 − p_drop, else 0. Exact: mean = x_value "
            "(inverted dropout preserves the expectation), zero_fraction = p_drop, nonzero_value = "
            "x_value/(1 − p_drop). A simulation with any RNG passes when |mean − x_value| <= tolerance_mean "
            "and |zero_fraction − p_drop| <= tolerance_zero_fraction (5 standard errors: "
            "5·|x|·√(p/((1−p)n)) and 5·√(p(1−p)/n)); the case tolerance applies to nonzero_value only. "
            "numpy_simulation_seed_904 = {mean, zero_fraction} from numpy: "
            "keep = np.random.default_rng(904).random(n) >= p_drop.",
            {"n": n, "p_drop": p, "x_value": xv},
            {"mean": xv, "zero_fraction": p, "nonzero_value": xv / (1.0 - p),
             "tolerance_mean": tol_mean, "tolerance_zero_fraction": tol_zero,
             "numpy_simulation_seed_904": sim},
        ))
    return cases


# ---------------------------------------------------------------------------
# flatten
# ---------------------------------------------------------------------------

def gen_flatten():
    cases = []
    rng = rng_for(707)
    units = 16
    for name, shape in (("notes_batch2_5x3", (2, 5, 3)), ("nchw_conv_output_1x2x2x2", (1, 2, 2, 2)),
                        ("nchw_batch2_3x2x2", (2, 3, 2, 2)), ("already_flat_3x4", (3, 4)),
                        ("hwc_1x2x2x3", (1, 2, 2, 3)), ("single_values_2x1x1x1", (2, 1, 1, 1))):
        x = rnd(rng, *shape)
        batch, feat = shape[0], int(np.prod(shape[1:]))
        y = x.reshape(batch, feat)
        cases.append(case(
            f"flatten/{name}",
            "Flatten keeps the first (batch) axis and flattens the rest in row-major order: input_shape "
            "(batch, d1, ..., dk) → output_shape (batch, d1·...·dk); y[n] = x[n] read row-major (for NCHW "
            "that is channel, then row, then column). dense_weight_shape = (out, in) weight of a Dense(16) "
            "applied after the flatten (16 units, as in the notes' 'dense(16)' example). shapes = "
            "{input, flattened, dense16_after_flatten_weight, dense16_after_flatten_output, "
            "dense16_without_flatten_weight, dense16_without_flatten_output}: a Dense(16) applied without "
            "flattening acts on the last axis only, weight (16, dk), output input_shape[:-1] + [16].",
            {"x": x, "input_shape": list(shape)},
            {"y": y, "output_shape": [batch, feat], "dense_weight_shape": [units, feat],
             "shapes": {"input": list(shape), "flattened": [batch, feat],
                        "dense16_after_flatten_weight": [units, feat],
                        "dense16_after_flatten_output": [batch, units],
                        "dense16_without_flatten_weight": [units, shape[-1]],
                        "dense16_without_flatten_output": list(shape[:-1]) + [units]}},
        ))

    for in_size, k, s, mode in ((8, 3, 1, "valid"), (8, 3, 1, "same"), (8, 3, 2, "valid"),
                                (8, 3, 2, "same"), (7, 3, 2, "same"), (6, 3, 2, "same"),
                                (5, 2, 1, "same"), (28, 5, 1, "valid"), (28, 5, 2, "same"),
                                (4, 4, 1, "valid"), (1, 3, 1, "same"), (9, 2, 3, "valid"),
                                (10, 4, 3, "same")):
        if mode == "valid":
            out, pads = (in_size - k) // s + 1, [0, 0]
        else:
            out, pads = -(-in_size // s), same_pads(in_size, k, s)
        ref = lax.padtype_to_pads((in_size,), (k,), (s,), mode.upper())[0]
        assert list(ref) == pads
        y = lax.conv_general_dilated(jnp.ones((1, 1, in_size)), jnp.ones((1, 1, k)), (s,),
                                     [tuple(pads)], dimension_numbers=("NCH", "OIH", "NCH"))
        assert y.shape[2] == out
        cases.append(case(
            f"flatten/conv_output_size/in={in_size}_k={k}_s={s}_{mode}",
            "Output length of a convolution or pooling window along one axis. 'valid': out = (in − k) // s + 1, "
            "no padding. 'same' (TensorFlow): out = ceil(in / s), total = max((out − 1)·s + k − in, 0), "
            "pad_before_after = [total // 2, total − total // 2] (odd pixel after).",
            {"in_size": in_size, "kernel": k, "stride": s, "padding_mode": mode},
            {"out_size": out, "pad_before_after": pads},
        ))
    return cases


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------

def gen_losses():
    cases = []
    rng = rng_for(808)

    # MSE
    def mse_case(name, yp, yt):
        yp, yt = f64(yp), f64(yt)
        f = lambda p: jnp.mean((p - yt) ** 2)  # noqa: E731
        cases.append(case(
            f"loss/mse/{name}",
            "Mean squared error over ALL elements: loss_mean = Σ(y_pred − y_true)²/(number of elements); "
            "loss_sum = Σ(y_pred − y_true)²; dL_dy_pred = 2(y_pred − y_true)/(number of elements) "
            "(gradient of loss_mean, jax.grad).",
            {"y_pred": yp, "y_true": yt},
            {"loss_mean": f(yp), "loss_sum": jnp.sum((yp - yt) ** 2), "dL_dy_pred": jax.grad(f)(yp)},
        ))

    mse_case("vector", rnd(rng, 5), rnd(rng, 5))
    mse_case("matrix_3x2", rnd(rng, 3, 2), rnd(rng, 3, 2))
    mse_case("perfect", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    mse_case("single", [2.5], [-1.0])

    # Binary log loss on probabilities (scikit-learn)
    eps = float(np.finfo(np.float64).eps)

    def bll_case(name, y, p):
        y, p = np.asarray(y), np.asarray(p, dtype=np.float64)
        loss = log_loss(y, y_proba=p, labels=[0, 1])

        def f(p):
            pc = jnp.clip(p, eps, 1 - eps)
            return -jnp.mean(y * jnp.log(pc) + (1 - y) * jnp.log(1 - pc))

        assert abs(float(f(f64(p))) - loss) <= 1e-12 * max(1.0, loss)
        cases.append(case(
            f"loss/binary_log_loss_prob/{name}",
            "Binary log loss on probabilities p of class 1, as sklearn.metrics.log_loss(y_true, p, "
            "labels=[0, 1]): p is clipped to [clip_eps, 1 − clip_eps] with clip_eps = float64 machine "
            "epsilon, loss = −mean(y log p + (1 − y) log(1 − p)). dL_dp = gradient of that clipped mean "
            "(jax.grad): −(y/p − (1 − y)/(1 − p))/N inside the clip range, 0 where p was clipped.",
            {"y_true": y, "p": p, "clip_eps": eps},
            {"loss": loss, "dL_dp": jax.grad(f)(f64(p))},
        ))

    bll_case("basic", [0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3])
    bll_case("confident_wrong_clipped", [1, 0], [0.0, 1.0])
    bll_case("confident_right_clipped", [1, 0], [1.0, 0.0])
    bll_case("half", [0, 1], [0.5, 0.5])
    bll_case("one_class_labels_given", [1, 1, 1], [0.9, 0.8, 0.7])

    # Binary cross-entropy from logits
    def bce_case(name, y, z):
        y, z = f64(y), f64(z)

        def f(z):
            # softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)), written through logaddexp so
            # that jax.grad gives the loss's true derivative σ(z) − y at z = 0 too (the max/abs form
            # has kinks there, where jax.grad picks max'(0) = ½ and |·|'(0) = 1).
            return jnp.mean(jax.nn.softplus(z) - z * y)

        ref = jnp.mean(optax.sigmoid_binary_cross_entropy(z, y))
        assert abs(float(f(z)) - float(ref)) <= 1e-12 * max(1.0, abs(float(ref)))
        cases.append(case(
            f"loss/binary_cross_entropy_logits/{name}",
            "Binary cross-entropy from logits (exact, no clipping): per element max(z, 0) − z·y + "
            "log(1 + e^(−|z|)) = −[y log σ(z) + (1 − y) log(1 − σ(z))]; loss = mean. dL_dlogits = "
            "(σ(z) − y)/N (jax.grad). Logits ±1000 give exactly 0 or 1000 per element.",
            {"logits": z, "y_true": y},
            {"loss": f(z), "dL_dlogits": jax.grad(f)(z)},
        ))

    bce_case("basic", [0.0, 1.0, 1.0, 0.0], [-1.2, 0.8, 2.5, 0.3])
    bce_case("large_logits_right", [1.0, 0.0], [1000.0, -1000.0])
    bce_case("large_logits_wrong", [0.0, 1.0], [1000.0, -1000.0])
    bce_case("zero_logit", [1.0, 0.0], [0.0, 0.0])
    bce_case("soft_targets", [0.25, 0.75, 0.5], rnd(rng, 3, scale=2.0))

    # Softmax cross-entropy
    def sce_case(name, logits, labels=None, targets=None):
        z = f64(logits)
        k = z.shape[1]
        onehot = None
        if labels is not None:
            onehot = np.eye(k)[np.asarray(labels)]
            targets = onehot
        t = f64(targets)

        def per_sample(z):
            return -jnp.sum(t * jax.nn.log_softmax(z, axis=1), axis=1)

        f = lambda z: jnp.mean(per_sample(z))  # noqa: E731
        ref = optax.softmax_cross_entropy(z, t)
        assert np.allclose(ref, per_sample(z), rtol=1e-14, atol=0)
        cases.append(case(
            f"loss/softmax_cross_entropy/{name}",
            "Softmax cross-entropy from logits (batch, classes), exact via log-sum-exp: per_sample_loss = "
            "−Σ_k targets_k·log_softmax(z)_k; loss = mean over the batch; dL_dlogits = (softmax(z) − "
            "targets)/batch (jax.grad). labels are class indices and onehot their one-hot rows (targets = "
            "onehot); both are null when targets are soft probabilities.",
            {"logits": z, "labels": labels, "onehot": onehot, "targets": t},
            {"per_sample_loss": per_sample(z), "loss": f(z), "dL_dlogits": jax.grad(f)(z)},
        ))

    sce_case("basic_3_classes", rnd(rng, 4, 3), labels=[0, 2, 1, 2])
    sce_case("large_logits_wrong_2000", [[1000.0, -1000.0]], labels=[1])
    sce_case("large_logits_right_0", [[1000.0, -1000.0, 0.0]], labels=[0])
    sce_case("large_logits_batch", [[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0]], labels=[0, 2])
    sce_case("uniform_logits", [[0.0, 0.0, 0.0, 0.0]], labels=[3])
    sce_case("soft_targets", rnd(rng, 2, 3), targets=[[0.7, 0.2, 0.1], [0.0, 0.5, 0.5]])

    # Binary hinge (scikit-learn), labels ±1
    def hinge_case(name, y, f):
        y, fv = np.asarray(y), f64(f)
        loss = hinge_loss(y, np.asarray(f, dtype=np.float64))

        def L(d):
            r = 1.0 - y * d
            return jnp.mean(jnp.where(r > 0, r, 0.0))

        assert abs(float(L(fv)) - loss) <= 1e-12
        cases.append(case(
            f"loss/hinge_binary/{name}",
            "Binary hinge loss, labels ±1, as sklearn.metrics.hinge_loss: loss = mean(max(0, 1 − y·f)). "
            "dL_ddecision = −y/N where the margin y·f < 1, 0 where y·f >= 1 (0 at exactly 1), from jax.grad.",
            {"y_true": y, "decision": fv},
            {"loss": loss, "dL_ddecision": jax.grad(L)(fv)},
        ))

    hinge_case("basic", [1, -1, 1, -1], [0.5, -2.0, 2.0, 0.3])
    hinge_case("margin_exactly_one", [1, -1, 1], [1.0, -1.0, 0.0])
    hinge_case("all_correct_beyond_margin", [1, -1], [3.0, -4.0])
    hinge_case("large_wrong", [1, -1], [-1000.0, 1000.0])

    # Crammer-Singer multiclass hinge (scikit-learn)
    def cs_case(name, labels, decision, n_classes):
        labels_np = np.asarray(labels)
        d = f64(decision)
        loss = hinge_loss(labels_np, np.asarray(decision, dtype=np.float64),
                          labels=list(range(n_classes)))
        n = d.shape[0]
        true_mask = jnp.asarray(np.eye(n_classes, dtype=bool)[labels_np])

        def margins(d):
            true_score = jnp.sum(jnp.where(true_mask, d, 0.0), axis=1)
            others = jnp.where(true_mask, -jnp.inf, d)
            best = jnp.argmax(others, axis=1)  # first of equal best wrong classes
            best_score = jnp.take_along_axis(d, best[:, None], axis=1)[:, 0]
            return true_score - best_score

        def per_sample(d):
            r = 1.0 - margins(d)
            return jnp.where(r > 0, r, 0.0)

        L = lambda d: jnp.mean(per_sample(d))  # noqa: E731
        assert abs(float(L(d)) - loss) <= 1e-12
        cases.append(case(
            f"loss/hinge_multiclass_crammer_singer/{name}",
            "Crammer-Singer multiclass hinge as sklearn.metrics.hinge_loss(labels, decision, "
            "labels=range(n_classes)): margin_i = f_i[y_i] − max_{j≠y_i} f_i[j]; per_sample_loss = "
            "max(0, 1 − margin); loss = mean. dL_ddecision (N, K): where 1 − margin > 0, −1/N at the true "
            "class and +1/N at the best wrong class (the FIRST of equal best wrong classes), else 0 "
            "(0 at margin exactly 1). From jax.grad.",
            {"labels": labels_np, "decision": d, "n_classes": n_classes},
            {"margin": margins(d), "per_sample_loss": per_sample(d), "loss": loss,
             "dL_ddecision": jax.grad(L)(d)},
        ))

    cs_case("basic", [0, 1, 2], rnd(rng, 3, 3), 3)
    cs_case("tie_between_wrong_classes", [0, 2], [[0.5, 1.0, 1.0], [2.0, 2.0, 0.0]], 3)
    cs_case("margin_exactly_one", [1, 0], [[0.0, 1.0, 0.0, -1.0], [3.0, 2.0, 1.5, 0.0]], 4)
    cs_case("true_class_tied_with_best_wrong", [1], [[1.0, 1.0, 0.0]], 3)

    # Exponential loss
    def exp_case(name, y, f):
        y, fv = f64(y), f64(f)
        L = lambda d: jnp.mean(jnp.exp(-y * d))  # noqa: E731
        cases.append(case(
            f"loss/exponential/{name}",
            "Exponential (AdaBoost) loss, labels ±1: loss_mean = mean(e^(−y·f)); loss_sum = Σ e^(−y·f); "
            "dL_ddecision = −y·e^(−y·f)/N (gradient of loss_mean, jax.grad).",
            {"y_true": y, "decision": fv},
            {"loss_mean": L(fv), "loss_sum": jnp.sum(jnp.exp(-y * fv)), "dL_ddecision": jax.grad(L)(fv)},
        ))

    exp_case("basic", [1, -1, 1, -1], [0.5, -2.0, -1.0, 0.3])
    exp_case("zero_decision", [1, -1], [0.0, 0.0])
    exp_case("margins_30", [1, -1], [30.0, 30.0])

    # Gini impurity (numpy formula, cross-checked with a scikit-learn decision stump)
    def gini_of(labels, classes):
        labels = np.asarray(labels)
        if labels.size == 0:
            return None
        p = np.array([(labels == c).mean() for c in classes])
        return 1.0 - float(np.sum(p ** 2))

    def gini_case(name, left, right, classes=None):
        labels = list(left) + list(right)
        classes = sorted(set(labels)) if classes is None else classes
        counts = [int(np.sum(np.asarray(labels) == c)) for c in classes]
        n, nl, nr = len(labels), len(left), len(right)
        g, gl, gr = gini_of(labels, classes), gini_of(left, classes), gini_of(right, classes)
        weighted = nl / n * gl + nr / n * gr
        # Cross-check with scikit-learn: a stump on a feature that is 0 on the left, 1 on the right.
        feat = np.array([0.0] * nl + [1.0] * nr)[:, None]
        tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(feat, labels)
        assert abs(tree.tree_.impurity[0] - g) < 1e-12
        if tree.tree_.node_count == 3:
            assert abs(tree.tree_.impurity[1] - gl) < 1e-12 and abs(tree.tree_.impurity[2] - gr) < 1e-12
        cases.append(case(
            f"loss/gini_impurity/{name}",
            "Gini impurity (a decision-tree split criterion): gini = 1 − Σ_k p_k² with p_k = counts_k/n over "
            "classes (ascending; a class may have count 0). gini = gini_parent = impurity of labels (the parent "
            "node = left_labels followed by right_labels); gini_left/gini_right of each side; weighted_gini = "
            "n_left/n·gini_left + n_right/n·gini_right; gini_gain = gini_parent − weighted_gini. "
            "proportions = p_k of the parent. Agrees with scikit-learn's DecisionTreeClassifier impurities.",
            {"labels": labels, "classes": classes, "counts": counts, "left_labels": list(left),
             "right_labels": list(right)},
            {"gini": g, "gini_parent": g, "gini_left": gl, "gini_right": gr, "weighted_gini": weighted,
             "gini_gain": g - weighted, "proportions": np.asarray(counts) / n},
        ))

    gini_case("perfect_split", [0, 0, 0], [1, 1, 1])
    gini_case("useless_split", [0, 1], [0, 1])
    gini_case("three_classes", [0, 0, 1, 2], [1, 1, 2, 2, 2])
    gini_case("pure_parent", [1, 1], [1, 1, 1])
    gini_case("absent_class_listed", [0, 0, 1], [1, 2, 2], classes=[0, 1, 2, 3])
    return cases


# ---------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------

def prf_dict(p, r, f, support=None):
    d = {"precision": p, "recall": r, "f1": f}
    if support is not None:
        d["support"] = support
    return d


def gen_metrics():
    cases = []
    rng = rng_for(909)

    def binary_case(name, yt, yp):
        yt, yp = np.asarray(yt), np.asarray(yp)
        cm01 = confusion_matrix(yt, yp, labels=[0, 1])
        tn, fp, fn, tp = cm01.ravel()
        cases.append(case(
            f"metric/binary_classification/{name}",
            "Binary classification metrics from scikit-learn, positive label 1: accuracy = (TP + TN)/N; "
            "precision = TP/(TP + FP); recall_sensitivity = TP/(TP + FN); specificity = TN/(TN + FP) "
            "(recall_score with pos_label=0); f1 = 2PR/(P + R). Any 0/0 is 0.0 (scikit-learn's default "
            "zero_division, which also warns). confusion_matrix_default_labels = confusion_matrix(y_true, "
            "y_pred) with labels = sorted union of the classes present (1×1 when only one class appears); "
            "confusion_matrix_labels_0_1 with labels [0, 1] = [[TN, FP], [FN, TP]]; rows true, columns "
            "predicted. tn_fp_fn_tp = that matrix flattened.",
            {"y_true": yt, "y_pred": yp},
            {"accuracy": accuracy_score(yt, yp),
             "precision": precision_score(yt, yp, labels=[0, 1], zero_division="warn"),
             "recall_sensitivity": recall_score(yt, yp, labels=[0, 1]),
             "specificity": recall_score(yt, yp, labels=[0, 1], pos_label=0),
             "f1": f1_score(yt, yp, labels=[0, 1]),
             "confusion_matrix_default_labels": confusion_matrix(yt, yp),
             "confusion_matrix_labels_0_1": cm01,
             "tn_fp_fn_tp": [int(tn), int(fp), int(fn), int(tp)]},
        ))

    binary_case("basic", [0, 1, 1, 0, 1, 0, 1, 1], [0, 1, 0, 0, 1, 1, 1, 0])
    binary_case("perfect", [0, 1, 1, 0], [0, 1, 1, 0])
    binary_case("all_wrong", [0, 1, 1, 0], [1, 0, 0, 1])
    binary_case("never_predicts_positive", [0, 1, 1, 0], [0, 0, 0, 0])
    binary_case("only_negatives_in_truth", [0, 0, 0], [0, 1, 0])
    binary_case("only_positives_everywhere", [1, 1, 1], [1, 1, 1])
    binary_case("only_negatives_everywhere", [0, 0], [0, 0])
    binary_case("random_20", rng.integers(0, 2, 20), rng.integers(0, 2, 20))

    def multi_case(name, yt, yp, labels):
        yt, yp = np.asarray(yt), np.asarray(yp)
        mcm = multilabel_confusion_matrix(yt, yp, labels=labels)
        ovr = [[int(v) for v in m.ravel()] for m in mcm]
        spec = [0.0 if (tn + fp) == 0 else tn / (tn + fp) for tn, fp, _, _ in ovr]
        per = precision_recall_fscore_support(yt, yp, labels=labels, average=None)
        avg = {a: precision_recall_fscore_support(yt, yp, labels=labels, average=a)[:3]
               for a in ("macro", "micro", "weighted")}
        cases.append(case(
            f"metric/multiclass_classification/{name}",
            "Multiclass metrics from scikit-learn with the given labels (ascending). accuracy = fraction "
            "correct. confusion_matrix (K×K): rows true class, columns predicted. "
            "per_class_one_vs_rest_tn_fp_fn_tp (K×4) = multilabel_confusion_matrix flattened per class; "
            "per_class_specificity = TN/(TN + FP). precision_recall_f1_per_class = {precision, recall, f1, "
            "support} each a K-vector; precision_recall_f1_macro / _micro / _weighted = {precision, recall, f1} "
            "with average='macro' (unweighted mean over labels), 'micro' (global TP/FP/FN), 'weighted' (by "
            "support). Every 0/0 is 0.0.",
            {"y_true": yt, "y_pred": yp, "labels": labels},
            {"accuracy": accuracy_score(yt, yp),
             "confusion_matrix": confusion_matrix(yt, yp, labels=labels),
             "per_class_one_vs_rest_tn_fp_fn_tp": ovr,
             "per_class_specificity": spec,
             "precision_recall_f1_per_class": prf_dict(*per[:3], support=per[3]),
             **{f"precision_recall_f1_{a}": prf_dict(*v) for a, v in avg.items()}},
        ))

    multi_case("three_classes", [0, 1, 2, 2, 1, 0, 2, 1, 0], [0, 2, 2, 2, 1, 1, 0, 1, 0], [0, 1, 2])
    multi_case("class_never_predicted", [0, 1, 2, 2], [0, 1, 1, 1], [0, 1, 2])
    multi_case("label_absent_everywhere", [0, 1, 1, 0], [0, 1, 0, 0], [0, 1, 2])
    multi_case("random_4_classes", rng.integers(0, 4, 16), rng.integers(0, 4, 16), [0, 1, 2, 3])

    def log_loss_case(name, yt, p, labels=None):
        desc = ("sklearn.metrics.log_loss(y_true, p, labels=labels): p is (N,) probabilities of the "
                "positive class or (N, K) class probabilities (columns = labels ascending, or the classes "
                "of y_true when labels is null); p is clipped to [ε, 1 − ε], ε = float64 machine epsilon; "
                "log_loss = −(1/N) Σ_i Σ_k y_ik log p_ik. Where scikit-learn raises, expected is the error.")
        try:
            exp = {"log_loss": log_loss(np.asarray(yt), y_proba=np.asarray(p, dtype=np.float64),
                                        labels=labels)}
        except ValueError as exc:
            exp = error_of(exc)
        cases.append(case(f"metric/log_loss/{name}", desc,
                          {"y_true": yt, "p": p, "labels": labels}, exp))

    log_loss_case("binary_1d", [0, 1, 1, 0], [0.2, 0.7, 0.9, 0.4])
    log_loss_case("multiclass_2d", [0, 2, 1], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.25, 0.5, 0.25]])
    log_loss_case("clipped_zero_and_one", [1, 0, 1], [0.0, 1.0, 1.0])
    log_loss_case("one_class_with_labels", [1, 1], [0.9, 0.6], labels=[0, 1])
    log_loss_case("error_one_class_without_labels", [1, 1], [0.9, 0.6])
    log_loss_case("error_probability_above_one", [0, 1], [0.5, 1.5])
    log_loss_case("binary_labels_2_3", [2, 3, 3], [0.1, 0.8, 0.6])

    def roc_binary_case(name, yt, scores):
        yt, s = np.asarray(yt), np.asarray(scores, dtype=np.float64)
        curves = {}
        for drop in (False, True):
            fpr, tpr, thr = roc_curve(yt, s, drop_intermediate=drop)
            curves[f"roc_curve_drop_intermediate_{str(drop).lower()}"] = {
                "fpr": fpr, "tpr": tpr, "thresholds": thr}
        cases.append(case(
            f"metric/roc/binary_{name}",
            "Binary ROC from scikit-learn (positive label 1; inputs y_true and scores, no probabilities): "
            "roc_curve returns thresholds = +Infinity followed by the distinct scores in decreasing order; "
            "a sample is predicted positive iff score >= threshold; fpr[i], tpr[i] are the rates at "
            "thresholds[i]. Tied scores make one diagonal step. drop_intermediate=false keeps every "
            "threshold; drop_intermediate=true drops thresholds whose point is collinear with its "
            "neighbours (scikit-learn's rule). Each curve is {fpr, tpr, thresholds}. roc_auc = "
            "roc_auc_score (trapezoids; ties count ½). With one class in y_true, roc_auc is NaN and "
            "fpr or tpr is NaN (0/0).",
            {"y_true": yt, "scores": s},
            {"roc_auc": roc_auc_score(yt, s), **curves},
        ))

    roc_binary_case("distinct_scores", [0, 0, 1, 1, 0, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.55])
    roc_binary_case("tied_scores_across_classes", [0, 1, 0, 1, 1, 0], [0.5, 0.5, 0.3, 0.8, 0.3, 0.1])
    roc_binary_case("all_scores_equal", [0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    roc_binary_case("perfect", [0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    roc_binary_case("inverted", [0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])
    roc_binary_case("one_class_only_positive", [1, 1, 1], [0.2, 0.3, 0.4])
    roc_binary_case("one_class_only_negative", [0, 0, 0], [0.2, 0.3, 0.4])
    roc_binary_case("collinear_points_dropped", [1, 1, 1, 0, 0, 0, 1, 0],
                    [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    roc_binary_case("decision_values_negative", [0, 1, 1, 0, 1], [-2.0, 1.5, -0.5, -1.0, 3.0])
    roc_binary_case("random_12", rng.integers(0, 2, 12), np.round(rng.random(12), 2))

    def roc_multi_case(name, yt, probs):
        yt, P = np.asarray(yt), np.asarray(probs, dtype=np.float64)
        try:
            macro = roc_auc_score(yt, P, multi_class="ovr", average="macro")
            per = [roc_auc_score((yt == k).astype(int), P[:, k]) for k in range(P.shape[1])]
            per_lib = roc_auc_score(yt, P, multi_class="ovr", average=None)
            assert np.allclose(per, per_lib, rtol=0, atol=1e-15)
            assert abs(np.mean(per) - macro) < 1e-15
            exp = {"roc_auc_ovr_macro": macro, "roc_auc_ovr_per_class": per_lib}
        except ValueError as exc:
            exp = error_of(exc)
        cases.append(case(
            f"metric/roc/multiclass_{name}",
            "Multiclass one-vs-rest ROC AUC from scikit-learn (inputs y_true in 0..K−1 and probabilities "
            "(N, K) whose rows sum to 1; no scores): roc_auc_ovr_per_class[k] = binary AUC of (y_true == k) "
            "against probabilities[:, k]; roc_auc_ovr_macro = their unweighted mean "
            "(roc_auc_score(multi_class='ovr', average='macro')). Where scikit-learn raises, expected is "
            "the error.",
            {"y_true": yt, "probabilities": P}, exp,
        ))

    roc_multi_case("three_classes_with_ties", [0, 1, 2, 2, 1, 0, 1],
                   [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3],
                    [0.4, 0.4, 0.2], [0.3, 0.5, 0.2], [0.2, 0.2, 0.6]])
    raw = rng.random((10, 4))
    raw[:4] = np.round(raw[:4], 1)
    roc_multi_case("four_classes_random", np.array([0, 1, 2, 3, 0, 1, 2, 3, 1, 2]),
                   raw / raw.sum(axis=1, keepdims=True))
    roc_multi_case("error_rows_not_summing_to_one", [0, 1, 2], [[0.5, 0.5, 0.5], [0.1, 0.8, 0.1],
                                                               [0.2, 0.2, 0.6]])
    roc_multi_case("error_class_missing_in_y_true", [0, 1, 0, 1],
                   [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.2, 0.3], [0.3, 0.6, 0.1]])

    def reg_case(name, yt, yp):
        yt, yp = np.asarray(yt, dtype=np.float64), np.asarray(yp, dtype=np.float64)
        cases.append(case(
            f"metric/regression/{name}",
            "Regression metrics from scikit-learn: mae = mean|y_pred − y_true|, mse = mean(y_pred − y_true)², "
            "rmse = √mse (root_mean_squared_error), all over every element (uniform average over outputs); "
            "mae_per_output and mse_per_output average over rows per output column (multioutput='raw_values'; "
            "a 1-D input is one output).",
            {"y_true": yt, "y_pred": yp},
            {"mae": mean_absolute_error(yt, yp), "mse": mean_squared_error(yt, yp),
             "rmse": root_mean_squared_error(yt, yp),
             "mae_per_output": mean_absolute_error(yt, yp, multioutput="raw_values"),
             "mse_per_output": mean_squared_error(yt, yp, multioutput="raw_values")},
        ))

    reg_case("vector", [3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    reg_case("two_outputs", [[0.5, 1.0], [-1.0, 1.0], [7.0, -6.0]], [[0.0, 2.0], [-1.0, 2.0], [8.0, -5.0]])
    reg_case("perfect", [1.0, 2.0], [1.0, 2.0])
    reg_case("random", rnd(rng, 6), rnd(rng, 6))
    return cases


# ---------------------------------------------------------------------------
# mlp_backprop
# ---------------------------------------------------------------------------

MLP_DESC = (
    "One forward and backward pass of a fully connected network on a batch, then one plain gradient-descent "
    "step. inputs.X (batch, in); inputs.Y targets (batch, out): one-hot rows for softmax_cross_entropy, "
    "0/1 for binary_cross_entropy, real values for mse. inputs.layer_sizes = [in, hidden..., out]. "
    "inputs.layers[l] = {W (out, in), b (out), activation, and the activation's parameter when it has one: "
    "slope (leaky_relu, fixed), alpha (prelu, learnable scalar per layer), beta (swish_beta, learnable "
    "scalar per layer)}. Activations: sigmoid, tanh, relu (relu'(0) = 0), leaky_relu (y = x if x > 0 else "
    "slope·x, derivative slope at 0), prelu (y = x if x > 0 else alpha·x, derivative alpha at 0), swish "
    "(x·σ(x)), swish_beta (x·σ(beta·x)), linear, softmax (output layer only). Forward: z_l = a_(l−1) W_lᵀ + "
    "b_l, a_l = act_l(z_l), a_0 = X. Loss (mean over the batch): softmax_cross_entropy = −(1/B) Σ Y log a_L; "
    "binary_cross_entropy = −(1/B') Σ [Y log a_L + (1 − Y) log(1 − a_L)] over all B' = batch·out elements; "
    "mse = mean over all elements of (a_L − Y)². expected.loss is that value; expected.layers[l] = {z, a, "
    "dL_da, dL_dz (batch, out_l), dL_dW (out, in), dL_db (out), plus dL_dalpha (prelu) or dL_dbeta "
    "(swish_beta) as scalars}, where dL_da and dL_dz are the total derivatives of the batch loss with respect "
    "to each layer's activation and pre-activation (for the output layer dL_da is the derivative of the loss "
    "with respect to the probabilities/outputs a_L). expected.after_one_gd_step[l] = {W − lr·dL_dW, "
    "b − lr·dL_db, and alpha − lr·dL_dalpha / beta − lr·dL_dbeta when present}. All derivatives by JAX autodiff "
    "(jax.grad, with zero perturbations added to every z and a to read dL_dz and dL_da)."
)


def act_fn(layer):
    kind = layer["activation"]
    if kind == "sigmoid":
        return lambda z, p: jax.nn.sigmoid(z)
    if kind == "tanh":
        return lambda z, p: jnp.tanh(z)
    if kind == "relu":
        return lambda z, p: relu(z)
    if kind == "leaky_relu":
        return lambda z, p: leaky_relu(z, layer["slope"])
    if kind == "prelu":
        return lambda z, p: prelu(z, p)
    if kind == "swish":
        return lambda z, p: swish(z)
    if kind == "swish_beta":
        return lambda z, p: swish_beta(z, p)
    if kind == "linear":
        return lambda z, p: z
    if kind == "softmax":
        return lambda z, p: jax.nn.softmax(z, axis=1)
    raise ValueError(kind)


LEARNABLE = {"prelu": "alpha", "swish_beta": "beta"}


def mlp_case(cid, X, Y, layers, loss_kind, lr):
    X, Y = f64(X), f64(Y)
    acts = [act_fn(layer) for layer in layers]
    params = []
    for layer in layers:
        p = {"W": f64(layer["W"]), "b": f64(layer["b"])}
        if layer["activation"] in LEARNABLE:
            p["act"] = f64(layer[LEARNABLE[layer["activation"]]])
        params.append(p)

    def loss_of(aL):
        if loss_kind == "softmax_cross_entropy":
            return -jnp.sum(Y * jnp.log(aL)) / aL.shape[0]
        if loss_kind == "binary_cross_entropy":
            return -jnp.mean(Y * jnp.log(aL) + (1 - Y) * jnp.log(1 - aL))
        if loss_kind == "mse":
            return jnp.mean((aL - Y) ** 2)
        raise ValueError(loss_kind)

    def forward(params, dz, da):
        a = X
        zs, as_ = [], []
        for l, (p, f) in enumerate(zip(params, acts)):
            z = a @ p["W"].T + p["b"] + dz[l]
            a = f(z, p.get("act")) + da[l]
            zs.append(z)
            as_.append(a)
        return loss_of(a), (zs, as_)

    B = X.shape[0]
    zeros = [jnp.zeros((B, p["W"].shape[0])) for p in params]
    (loss, (zs, as_)), grads = jax.value_and_grad(forward, argnums=(0, 1, 2), has_aux=True)(
        params, zeros, zeros)
    gp, gz, ga = grads
    exp_layers, after = [], []
    for l, layer in enumerate(layers):
        e = {"z": zs[l], "a": as_[l], "dL_dz": gz[l], "dL_da": ga[l],
             "dL_dW": gp[l]["W"], "dL_db": gp[l]["b"]}
        s = {"W": params[l]["W"] - lr * gp[l]["W"], "b": params[l]["b"] - lr * gp[l]["b"]}
        if "act" in params[l]:
            name = LEARNABLE[layer["activation"]]
            e[f"dL_d{name}"] = gp[l]["act"]
            s[name] = params[l]["act"] - lr * gp[l]["act"]
        exp_layers.append(e)
        after.append(s)
    sizes = [int(X.shape[1])] + [int(np.asarray(layer["W"]).shape[0]) for layer in layers]
    return case(cid, MLP_DESC,
                {"X": X, "Y": Y, "layer_sizes": sizes, "layers": layers, "loss": loss_kind, "lr": lr},
                {"loss": loss, "layers": exp_layers, "after_one_gd_step": after})


def dense_params(rng, sizes, scale=0.7):
    return [(rnd(rng, o, i, scale=scale), rnd(rng, o, scale=0.2)) for i, o in zip(sizes[:-1], sizes[1:])]


def gen_mlp():
    cases = []
    rng = rng_for(1010)

    def layers_from(ps, acts):
        out = []
        for (W, b), act in zip(ps, acts):
            layer = {"W": W, "b": b}
            layer.update(act if isinstance(act, dict) else {"activation": act})
            out.append(layer)
        return out

    # 2-3-2 tanh, softmax output, softmax cross-entropy.
    for name, B in (("batch4", 4), ("batch1", 1)):
        ps = dense_params(rng, [2, 3, 2])
        X = rnd(rng, B, 2)
        Y = np.eye(2)[rng.integers(0, 2, B)]
        cases.append(mlp_case(f"mlp/2-3-2_tanh_softmax_ce/{name}", X, Y,
                              layers_from(ps, ["tanh", "softmax"]), "softmax_cross_entropy", 0.1))

    # 3-4-4-1 relu, linear output, mse.
    ps = dense_params(rng, [3, 4, 4, 1])
    cases.append(mlp_case("mlp/3-4-4-1_relu_mse/batch5", rnd(rng, 5, 3), rnd(rng, 5, 1),
                          layers_from(ps, ["relu", "relu", "linear"]), "mse", 0.05))
    # A zero input row with zero first-layer biases puts every first-layer z at exactly 0 (relu'(0) = 0).
    ps = dense_params(rng, [3, 4, 4, 1])
    ps[0] = (ps[0][0], np.zeros(4))
    X = rnd(rng, 3, 3)
    X[1] = 0.0
    cases.append(mlp_case("mlp/3-4-4-1_relu_mse/relu_at_exactly_zero", X, rnd(rng, 3, 1),
                          layers_from(ps, ["relu", "relu", "linear"]), "mse", 0.05))

    # 2-3-1 sigmoid hidden and output, binary cross-entropy.
    for name, B in (("batch4", 4), ("batch2", 2)):
        ps = dense_params(rng, [2, 3, 1])
        X = rnd(rng, B, 2)
        Y = rng.integers(0, 2, (B, 1)).astype(float)
        cases.append(mlp_case(f"mlp/2-3-1_sigmoid_bce/{name}", X, Y,
                              layers_from(ps, ["sigmoid", "sigmoid"]), "binary_cross_entropy", 0.5))

    # 3 inputs, eight hidden layers of 3 units (one per hidden activation), 3-way softmax.
    hidden = [{"activation": "sigmoid"}, {"activation": "tanh"}, {"activation": "relu"},
              {"activation": "leaky_relu", "slope": 0.1}, {"activation": "prelu", "alpha": 0.25},
              {"activation": "swish"}, {"activation": "swish_beta", "beta": 1.5},
              {"activation": "linear"}]
    for name, order in (("batch4", hidden), ("reversed_order_batch3", hidden[::-1])):
        B = 4 if name == "batch4" else 3
        ps = dense_params(rng, [3] + [3] * 8 + [3], scale=1.0)
        X = rnd(rng, B, 3)
        Y = np.eye(3)[rng.integers(0, 3, B)]
        cases.append(mlp_case(f"mlp/all_activations_3-3x8-3_softmax_ce/{name}", X, Y,
                              layers_from(ps, list(order) + [{"activation": "softmax"}]),
                              "softmax_cross_entropy", 0.1))
    return cases


# ---------------------------------------------------------------------------
# normalization
# ---------------------------------------------------------------------------

def gen_normalization():
    cases = []
    rng = rng_for(1111)
    datasets = {
        "basic": (rnd(rng, 5, 3, scale=4.0), rnd(rng, 2, 3, scale=6.0)),
        "constant_feature": (np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0]]),
                             np.array([[3.0, 5.0], [0.0, 7.0]])),
        "single_row": (np.array([[2.0, -3.0, 0.5]]), np.array([[1.0, -3.0, 1.0]])),
        "x_new_outside_fit_range": (np.array([[0.0, 10.0], [10.0, 20.0]]),
                                    np.array([[-5.0, 25.0], [20.0, 15.0]])),
        "nan_ignored_in_fit": (np.array([[1.0, np.nan], [3.0, 2.0], [np.nan, 4.0]]),
                               np.array([[2.0, np.nan]])),
    }
    for rname, fr in (("0_1", (0, 1)), ("-1_1", (-1, 1))):
        for name, (Xf, Xn) in datasets.items():
            sc = MinMaxScaler(feature_range=fr).fit(Xf)
            tr = sc.transform(Xf)
            cases.append(case(
                f"normalization/minmax/range={rname}/{name}",
                "scikit-learn MinMaxScaler(feature_range=(lo, hi)) fitted on X_fit, per column: data_min, "
                "data_max (NaN ignored); scale = (hi − lo)/(data_max − data_min), with a zero range treated as "
                "1; offset = lo − data_min·scale (sklearn's min_); transformed = X_fit·scale + offset; "
                "transformed_X_new = X_new·scale + offset (no clipping, so values may leave [lo, hi]); "
                "inverse_of_transformed = (transformed − offset)/scale. NaN stays NaN.",
                {"X_fit": Xf, "X_new": Xn, "feature_range": list(fr)},
                {"data_min": sc.data_min_, "data_max": sc.data_max_, "scale": sc.scale_,
                 "offset": sc.min_, "transformed": tr, "transformed_X_new": sc.transform(Xn),
                 "inverse_of_transformed": sc.inverse_transform(tr)},
            ))
    return cases


# ---------------------------------------------------------------------------
# optimizers
# ---------------------------------------------------------------------------

OPT_COMMON = (
    " mode 'quadratic': minimise f(w) = ½ wᵀ A w − cᵀ w from params_init for `steps` steps, the gradient at "
    "step t being ∇f = A w − c at the current w (gradients_per_step absent); mode 'given_gradients': the "
    "gradient of step t is gradients_per_step[t] whatever w is (A, c absent; steps = number of gradients). "
    "Per-step lists have one entry per step, AFTER that step (params_init is not repeated): "
    "params_after_each_step[t] = w_(t+1); gradients_used_per_step[t] = the gradient the step used; "
    "objective_after_each_step[t] = f(w_(t+1)) (quadratic mode only). Hyperparameters are in "
    "inputs.hyperparameters."
)


def quad_grad(A, c):
    return lambda w: A @ w - c


def quad_obj(A, c, w):
    return 0.5 * w @ A @ w - c @ w


def run_optax(opt, w0, grad_source, steps, state_reader):
    """Drive an optax transformation; grad_source(t, w) gives the gradient of step t."""
    w = jnp.asarray(w0, dtype=jnp.float64)
    state = opt.init(w)
    ws, gs, states = [], [], []
    for t in range(steps):
        g = jnp.asarray(grad_source(t, w), dtype=jnp.float64)
        updates, state = opt.update(g, state, w)
        w = optax.apply_updates(w, updates)
        ws.append(np.asarray(w))
        gs.append(np.asarray(g))
        states.append({k: np.asarray(v) for k, v in state_reader(state).items()})
    return ws, gs, states


def gen_optimizers():
    cases = []
    rng = rng_for(1212)
    A2 = np.array([[3.0, 0.5], [0.5, 1.0]])
    c2 = np.array([1.0, -2.0])
    A_ill = np.array([[10.0, 0.0], [0.0, 1.0]])
    c_ill = np.array([0.0, 0.0])
    A3 = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]])
    c3 = np.array([0.5, 0.0, -1.0])

    def problem_inputs(mode, w0, steps, A=None, c=None, grads=None):
        d = {"mode": mode, "params_init": np.asarray(w0, dtype=np.float64), "steps": steps}
        if mode == "quadratic":
            d["A"], d["c"] = A, c
        else:
            d["gradients_per_step"] = np.asarray(grads, dtype=np.float64)
        return d

    def grad_source(mode, A=None, c=None, grads=None):
        if mode == "quadratic":
            return lambda t, w: A @ np.asarray(w) - c
        return lambda t, w: np.asarray(grads[t], dtype=np.float64)

    def objective(mode, A, c, ws):
        return [quad_obj(A, c, w) for w in ws] if mode == "quadratic" else None

    def add(kind, name, desc, mode, w0, steps, hyper, ws, gs, extra, A=None, c=None, grads=None,
            with_grads_and_objective=True):
        inputs = problem_inputs(mode, w0, steps, A, c, grads)
        inputs["hyperparameters"] = hyper
        expected = {"params_after_each_step": ws, **extra}
        if with_grads_and_objective:
            expected["gradients_used_per_step"] = gs
            if mode == "quadratic":
                expected["objective_after_each_step"] = objective(mode, A, c, ws)
        else:
            inputs.pop("steps")
        cases.append(case(f"optimizer/{kind}/{name}", desc + OPT_COMMON, inputs, expected))

    given2 = np.round(rng.normal(0, 1, (4, 2)), 3)
    given3 = np.round(rng.normal(0, 1, (5, 3)), 3)

    # Plain gradient descent (optax.sgd without momentum).
    for name, mode, w0, steps, lr, A, c, grads in (
            ("quadratic_2d", "quadratic", [1.0, 1.0], 5, 0.1, A2, c2, None),
            ("ill_conditioned", "quadratic", [1.0, 1.0], 6, 0.15, A_ill, c_ill, None),
            ("given_gradients", "given_gradients", [0.5, -0.5], 4, 0.2, None, None, given2)):
        ws, gs, _ = run_optax(optax.sgd(lr), w0, grad_source(mode, A, c, grads), steps, lambda s: {})
        add("gradient_descent", name, f"Plain gradient descent w ← w − lr·g (optax.sgd(lr), lr = {lr}).",
            mode, w0, steps, {"lr": lr}, ws, gs, {}, A, c, grads)

    # SGD with coupled (L2) weight decay, PyTorch form: g' = g + wd·w; w ← w − lr·g'.
    for name, lr, wd, grads, w0 in (("basic", 0.1, 0.01, given2, [1.0, -2.0]),
                                   ("strong_decay_zero_grads", 0.5, 0.5, np.zeros((3, 2)), [1.0, -2.0])):
        opt = optax.chain(optax.add_decayed_weights(wd), optax.sgd(lr))
        ws, gs, _ = run_optax(opt, w0, grad_source("given_gradients", grads=grads), len(grads),
                              lambda s: {})
        add("sgd_weight_decay", name,
            "SGD with coupled weight decay (PyTorch SGD(weight_decay=wd) form, no momentum): "
            "g' = g + weight_decay·w; w ← w − lr·g' (optax.chain(add_decayed_weights(wd), sgd(lr))).",
            "given_gradients", w0, len(grads), {"lr": lr, "weight_decay": wd}, ws, gs, {},
            grads=grads, with_grads_and_objective=False)

    # SGD momentum, PyTorch form: buf ← μ·buf + g (buf_1 = g_1); w ← w − lr·buf. optax.sgd(momentum=μ).
    def trace_reader(s):
        return {"buf": s[0].trace}

    for name, mode, w0, steps, lr, mu, A, c, grads in (
            ("quadratic_2d", "quadratic", [1.0, 1.0], 6, 0.1, 0.9, A2, c2, None),
            ("ill_conditioned", "quadratic", [1.0, 1.0], 6, 0.05, 0.8, A_ill, c_ill, None),
            ("given_gradients_3d", "given_gradients", [0.0, 0.0, 0.0], 5, 0.1, 0.9, None, None, given3)):
        ws, gs, st = run_optax(optax.sgd(lr, momentum=mu), w0, grad_source(mode, A, c, grads), steps,
                               trace_reader)
        add("sgd_momentum_pytorch", name,
            "SGD with momentum, PyTorch form (dampening 0): buf ← momentum·buf + g (buf starts at 0, so "
            "buf_1 = g_1); w ← w − lr·buf. optax.sgd(lr, momentum).",
            mode, w0, steps, {"lr": lr, "momentum": mu, "dampening": 0.0, "nesterov": False}, ws, gs,
            {"momentum_buffer_after_each_step": [s["buf"] for s in st]}, A, c, grads)

    # PyTorch form with dampening (optax has no dampening): numpy.
    lr, mu, damp = 0.1, 0.9, 0.5
    w = np.array([1.0, 1.0])
    buf = None
    ws, gs, bufs = [], [], []
    for t in range(6):
        g = A2 @ w - c2
        buf = g.copy() if buf is None else mu * buf + (1 - damp) * g
        w = w - lr * buf
        ws.append(w.copy())
        gs.append(g)
        bufs.append(buf.copy())
    add("sgd_momentum_pytorch", "dampening_0.5_numpy",
        "SGD with momentum and dampening, PyTorch's exact rule (plain numpy; optax has no dampening): "
        "step 1 buf = g (no dampening on the first step), later buf ← momentum·buf + (1 − dampening)·g; "
        "w ← w − lr·buf.", "quadratic", [1.0, 1.0], 6,
        {"lr": lr, "momentum": mu, "dampening": damp, "nesterov": False}, ws, gs,
        {"momentum_buffer_after_each_step": bufs}, A2, c2)

    # Classical momentum: v ← μ·v − lr·g; w ← w + v (numpy; optax has the PyTorch form).
    for name, mode, w0, steps, lr, mu, A, c, grads in (
            ("quadratic_2d", "quadratic", [1.0, 1.0], 6, 0.1, 0.9, A2, c2, None),
            ("quadratic_3d", "quadratic", [1.0, -1.0, 2.0], 5, 0.2, 0.5, A3, c3, None),
            ("given_gradients", "given_gradients", [0.5, -0.5], 4, 0.2, 0.9, None, None, given2)):
        src = grad_source(mode, A, c, grads)
        w, v = np.asarray(w0, dtype=np.float64), np.zeros(len(w0))
        ws, gs, vs = [], [], []
        for t in range(steps):
            g = src(t, w)
            v = mu * v - lr * g
            w = w + v
            ws.append(w.copy())
            gs.append(g)
            vs.append(v.copy())
        # With a constant lr the classical and PyTorch forms give the same iterates.
        ref, _, _ = run_optax(optax.sgd(lr, momentum=mu), w0, src, steps, lambda s: {})
        assert np.allclose(ref, ws, rtol=1e-12, atol=1e-14)
        add("sgd_momentum_classical", name,
            "Classical (Polyak / Sutskever) momentum, plain numpy: v ← momentum·v − lr·g (v starts at 0); "
            "w ← w + v. With a constant lr it gives the same iterates as the PyTorch form (v = −lr·buf).",
            mode, w0, steps, {"lr": lr, "momentum": mu}, ws, gs,
            {"velocity_after_each_step": vs}, A, c, grads)

    # Nesterov, PyTorch form: buf ← μ·buf + g; w ← w − lr·(g + μ·buf). optax.sgd(nesterov=True).
    for name, mode, w0, steps, lr, mu, A, c, grads in (
            ("quadratic_2d", "quadratic", [1.0, 1.0], 6, 0.1, 0.9, A2, c2, None),
            ("given_gradients", "given_gradients", [0.5, -0.5], 4, 0.2, 0.9, None, None, given2)):
        ws, gs, st = run_optax(optax.sgd(lr, momentum=mu, nesterov=True), w0,
                               grad_source(mode, A, c, grads), steps, trace_reader)
        add("nesterov_pytorch", name,
            "Nesterov momentum, PyTorch form (dampening 0): buf ← momentum·buf + g; w ← w − lr·(g + "
            "momentum·buf), the gradient taken at the current w. optax.sgd(lr, momentum, nesterov=True).",
            mode, w0, steps, {"lr": lr, "momentum": mu, "dampening": 0.0, "nesterov": True}, ws, gs,
            {"momentum_buffer_after_each_step": [s["buf"] for s in st]}, A, c, grads)

    # Nesterov, classical form: gradient at the look-ahead point (quadratic only).
    for name, w0, steps, lr, mu, A, c in (("quadratic_2d", [1.0, 1.0], 6, 0.1, 0.9, A2, c2),
                                          ("ill_conditioned", [1.0, 1.0], 6, 0.05, 0.8, A_ill, c_ill),
                                          ("quadratic_3d", [1.0, -1.0, 2.0], 5, 0.2, 0.5, A3, c3)):
        w, v = np.asarray(w0, dtype=np.float64), np.zeros(len(w0))
        ws, gs, vs = [], [], []
        for t in range(steps):
            g = A @ (w + mu * v) - c
            v = mu * v - lr * g
            w = w + v
            ws.append(w.copy())
            gs.append(g)
            vs.append(v.copy())
        add("nesterov_classical", name,
            "Nesterov momentum, classical form (Sutskever et al. 2013), plain numpy: g = ∇f(w + momentum·v) "
            "(the look-ahead gradient, recorded in gradients_used_per_step); v ← momentum·v − lr·g; w ← w + v. "
            "Quadratic mode only (the look-ahead needs f).",
            "quadratic", w0, steps, {"lr": lr, "momentum": mu}, ws, gs,
            {"velocity_after_each_step": vs}, A, c)

    # Adagrad: G ← G + g²; w ← w − lr·g/(√G + eps). numpy (optax puts eps inside the square root);
    # cross-checked against optax.adagrad with eps = 0, where the two forms coincide.
    for name, mode, w0, steps, lr, eps, iav, A, c, grads in (
            ("quadratic_2d", "quadratic", [1.0, 1.0], 6, 0.5, 1e-10, 0.0, A2, c2, None),
            ("ill_conditioned", "quadratic", [1.0, 1.0], 6, 0.3, 1e-10, 0.0, A_ill, c_ill, None),
            ("initial_accumulator_0.1", "quadratic", [1.0, -1.0, 2.0], 5, 0.2, 1e-10, 0.1, A3, c3, None),
            ("given_gradients_with_zero", "given_gradients", [0.5, -0.5], 4, 0.1, 1e-10, 0.0, None, None,
             np.array([[0.0, 1.0], [0.5, -2.0], [0.0, 0.25], [-1.0, 0.0]]))):
        src = grad_source(mode, A, c, grads)
        w = np.asarray(w0, dtype=np.float64)
        G = np.full(len(w0), iav)
        S = np.zeros((len(w0), len(w0)))
        ws, gs, Gs, Ss = [], [], [], []
        for t in range(steps):
            g = src(t, w)
            G = G + g * g
            S = S + np.outer(g, g)
            w = w - lr * g / (np.sqrt(G) + eps)
            ws.append(w.copy())
            gs.append(g)
            Gs.append(G.copy())
            Ss.append(S.copy())
        if mode == "quadratic":
            ref, _, _ = run_optax(optax.adagrad(lr, initial_accumulator_value=iav, eps=0.0), w0, src, steps,
                                  lambda s: {})
            assert np.allclose(ref, ws, rtol=1e-8, atol=1e-9), (name, ref, ws)
        add("adagrad", name,
            "Adagrad, PyTorch form, plain numpy: G ← G + g² (elementwise; G starts at "
            "initial_accumulator_value); w ← w − lr·g/(√G + eps), eps OUTSIDE the square root (optax.adagrad "
            "puts it inside; with eps = 0 the two agree and the script checks that). "
            "accumulator_G_after_each_step = G; sum_ggT_full_matrix_after_each_step = Σ_(s<=t) g_s g_sᵀ, the "
            "full outer-product sum (an empirical Fisher / Gauss-Newton matrix, not the Hessian); G equals "
            "initial_accumulator_value + its diagonal. A component whose gradients are all 0 so far has "
            "G = 0 and does not move (0/(0 + eps) = 0).",
            mode, w0, steps, {"lr": lr, "eps": eps, "initial_accumulator_value": iav}, ws, gs,
            {"accumulator_G_after_each_step": Gs, "sum_ggT_full_matrix_after_each_step": Ss}, A, c, grads)

    # RMSprop, PyTorch form: s ← α·s + (1 − α)·g²; w ← w − lr·g/(√s + eps).
    def rms_reader(s):
        return {"nu": s[0].nu}

    rms_desc = ("RMSprop, PyTorch form (no momentum, not centred): square_avg ← alpha·square_avg + "
                "(1 − alpha)·g² (starts at 0); w ← w − lr·g/(√square_avg + eps), eps outside the root. "
                "optax.rmsprop(lr, decay=alpha, eps=eps, eps_in_sqrt=False, initial_scale=0).")
    for name, mode, w0, steps, lr, A, c, grads in (
            ("quadratic_2d", "quadratic", [1.0, 1.0], 6, 0.01, A2, c2, None),
            ("ill_conditioned", "quadratic", [1.0, 1.0], 6, 0.01, A_ill, c_ill, None),
            ("given_gradients", "given_gradients", [0.5, -0.5], 4, 0.01, None, None, given2)):
        alpha, eps = 0.99, 1e-8
        ws, gs, st = run_optax(optax.rmsprop(lr, decay=alpha, eps=eps, eps_in_sqrt=False), w0,
                               grad_source(mode, A, c, grads), steps, rms_reader)
        add("rmsprop/alpha=0.99", name, rms_desc, mode, w0, steps,
            {"lr": lr, "alpha": alpha, "eps": eps, "momentum": 0.0, "centered": False}, ws, gs,
            {"square_avg_after_each_step": [s["nu"] for s in st]}, A, c, grads)
    for name, grads, w0 in (("given_gradients_2d", given2, [0.5, -0.5]),
                            ("given_gradients_3d", given3, [0.0, 1.0, -1.0])):
        lr, alpha, eps = 0.01, 0.9, 1e-8
        ws, gs, st = run_optax(optax.rmsprop(lr, decay=alpha, eps=eps, eps_in_sqrt=False), w0,
                               grad_source("given_gradients", grads=grads), len(grads), rms_reader)
        add("rmsprop/alpha=0.9", name, rms_desc, "given_gradients", w0, len(grads),
            {"lr": lr, "alpha": alpha, "eps": eps, "momentum": 0.0, "centered": False}, ws, gs,
            {"square_avg_after_each_step": [s["nu"] for s in st]}, grads=grads,
            with_grads_and_objective=False)

    # Adam family (optax).
    def adam_reader(s):
        return {"m": s[0].mu, "v": s[0].nu}

    adam_core = ("m ← beta1·m + (1 − beta1)·g; v ← beta2·v + (1 − beta2)·g² (both start at 0); "
                 "m̂ = m/(1 − beta1^t), v̂ = v/(1 − beta2^t) with t = 1, 2, ...; ")
    for name, mode, w0, steps, lr, A, c, grads in (
            ("quadratic_2d", "quadratic", [1.0, 1.0], 6, 0.1, A2, c2, None),
            ("ill_conditioned", "quadratic", [1.0, 1.0], 6, 0.1, A_ill, c_ill, None),
            ("quadratic_3d", "quadratic", [1.0, -1.0, 2.0], 5, 0.05, A3, c3, None),
            ("given_gradients_with_zero", "given_gradients", [0.5, -0.5], 4, 0.1, None, None,
             np.array([[0.0, 1.0], [0.5, -2.0], [0.0, 0.25], [-1.0, 0.0]]))):
        b1, b2, eps = 0.9, 0.999, 1e-8
        ws, gs, st = run_optax(optax.adam(lr, b1=b1, b2=b2, eps=eps), w0, grad_source(mode, A, c, grads),
                               steps, adam_reader)
        add("adam", name,
            "Adam (optax.adam, eps_root = 0): " + adam_core + "w ← w − lr·m̂/(√v̂ + eps), eps OUTSIDE the "
            "square root. m_after_each_step and v_after_each_step are the raw (not bias-corrected) moments.",
            mode, w0, steps, {"lr": lr, "beta1": b1, "beta2": b2, "eps": eps}, ws, gs,
            {"m_after_each_step": [s["m"] for s in st], "v_after_each_step": [s["v"] for s in st]},
            A, c, grads)

    for name, wd, grads, w0 in (("wd_0.1", 0.1, given2, [1.0, -2.0]), ("wd_0.01_3d", 0.01, given3, [0.5, 0.0, -1.5])):
        lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
        ws, gs, st = run_optax(optax.adamw(lr, b1=b1, b2=b2, eps=eps, weight_decay=wd), w0,
                               grad_source("given_gradients", grads=grads), len(grads), adam_reader)
        add("adamw", name,
            "AdamW, decoupled weight decay (optax.adamw, same as PyTorch AdamW): " + adam_core +
            "w ← w − lr·(m̂/(√v̂ + eps) + weight_decay·w), the decay using w before the step and not entering "
            "m or v.", "given_gradients", w0, len(grads),
            {"lr": lr, "beta1": b1, "beta2": b2, "eps": eps, "weight_decay": wd}, ws, gs,
            {"m_after_each_step": [s["m"] for s in st], "v_after_each_step": [s["v"] for s in st]},
            grads=grads, with_grads_and_objective=False)

        opt = optax.chain(optax.add_decayed_weights(wd), optax.adam(lr, b1=b1, b2=b2, eps=eps))
        ws, gs, st = run_optax(opt, w0, grad_source("given_gradients", grads=grads), len(grads),
                               lambda s: {"m": s[1][0].mu, "v": s[1][0].nu})
        add("adam_l2_coupled", name,
            "Adam with coupled L2 weight decay (PyTorch Adam(weight_decay=wd); optax.chain("
            "add_decayed_weights(wd), adam)): g' = g + weight_decay·w, then Adam on g': " +
            adam_core.replace("g", "g'") + "w ← w − lr·m̂/(√v̂ + eps).", "given_gradients", w0, len(grads),
            {"lr": lr, "beta1": b1, "beta2": b2, "eps": eps, "weight_decay": wd}, ws, gs,
            {"m_after_each_step": [s["m"] for s in st], "v_after_each_step": [s["v"] for s in st]},
            grads=grads, with_grads_and_objective=False)
    return cases


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------

def window_indices(H, W, k, s):
    kh, kw = k
    sh, sw = s
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    rows = (np.arange(Ho) * sh)[:, None] + np.arange(kh)[None, :]  # (Ho, kh)
    cols = (np.arange(Wo) * sw)[:, None] + np.arange(kw)[None, :]  # (Wo, kw)
    return rows, cols, Ho, Wo


def windows_of(x, rows, cols):
    # (N, C, Ho, Wo, kh, kw), window read row-major.
    return x[:, :, rows[:, None, :, None], cols[None, :, None, :]]


def gen_pooling():
    cases = []
    rng = rng_for(1313)

    def pool_case(kind, name, x, k, s):
        x = f64(x)
        N, C, H, W = x.shape
        rows, cols, Ho, Wo = window_indices(H, W, k, s)
        kk = k[0] * k[1]
        g = f64(rnd(rng, N, C, Ho, Wo))
        if kind == "max":
            def pool(x):
                flat = windows_of(x, rows, cols).reshape(N, C, Ho, Wo, kk)
                idx = jnp.argmax(flat, axis=-1)  # first maximum in row-major window order
                return jnp.take_along_axis(flat, idx[..., None], axis=-1)[..., 0], idx

            y, idx = pool(x)
            ref = lax.reduce_window(x, -jnp.inf, lax.max, (1, 1) + tuple(k), (1, 1) + tuple(s), "VALID")
            assert np.array_equal(np.asarray(ref), np.asarray(y))
            idx = np.asarray(idx)
            pos = np.stack([np.arange(Ho)[None, None, :, None] * s[0] + idx // k[1],
                            np.arange(Wo)[None, None, None, :] * s[1] + idx % k[1]], axis=-1)
            _, vjp = jax.vjp(lambda x: pool(x)[0], x)
            cases.append(case(
                f"pool/max/{name}",
                "Max pooling, NCHW, no padding: x (N, C, H, W), kernel_size [kh, kw], stride [sh, sw]; "
                "Ho = (H − kh) // sh + 1 (leftover rows/columns are ignored). y[n,c,i,j] = max of the window "
                "starting at (i·sh, j·sw). argmax_positions_row_col[n][c][i][j] = [row, col] in x of the "
                "FIRST maximum in row-major window order (ties). dL_dx = upstream_grad routed to that "
                "position only, summed where windows overlap (jax.vjp of a first-argmax gather).",
                {"x": x, "kernel_size": list(k), "stride": list(s), "upstream_grad": g},
                {"y": y, "output_shape": [N, C, Ho, Wo], "argmax_positions_row_col": pos,
                 "dL_dx": vjp(g)[0]},
            ))
        else:
            def pool(x):
                return windows_of(x, rows, cols).reshape(N, C, Ho, Wo, kk).mean(axis=-1)

            y, vjp = jax.vjp(pool, x)
            ref = lax.reduce_window(x, 0.0, lax.add, (1, 1) + tuple(k), (1, 1) + tuple(s), "VALID") / kk
            assert np.allclose(np.asarray(ref), np.asarray(y), rtol=1e-15, atol=1e-15)
            cases.append(case(
                f"pool/avg/{name}",
                "Average pooling, NCHW, no padding: x (N, C, H, W), kernel_size [kh, kw], stride [sh, sw]; "
                "Ho = (H − kh) // sh + 1 (leftovers ignored); y = mean of each window; dL_dx = upstream_grad/"
                "(kh·kw) spread over each window, summed where windows overlap (jax.vjp).",
                {"x": x, "kernel_size": list(k), "stride": list(s), "upstream_grad": g},
                {"y": y, "output_shape": [N, C, Ho, Wo], "dL_dx": vjp(g)[0]},
            ))

    ties = np.array([[[[1.0, 1.0, 0.0, 2.0], [1.0, 0.5, 2.0, 2.0],
                       [3.0, 3.0, 5.0, 5.0], [3.0, 3.0, 5.0, 5.0]]]])
    for kind in ("max", "avg"):
        pool_case(kind, "2x2_stride2_4x4", rnd(rng, 1, 1, 4, 4), (2, 2), (2, 2))
        pool_case(kind, "ties_2x2_stride2", ties, (2, 2), (2, 2))
        pool_case(kind, "overlapping_3x3_stride1", rnd(rng, 1, 1, 4, 4), (3, 3), (1, 1))
        pool_case(kind, "overlapping_2x2_stride1_ties", ties, (2, 2), (1, 1))
        pool_case(kind, "leftover_5x5_k2_s2", rnd(rng, 1, 1, 5, 5), (2, 2), (2, 2))
        pool_case(kind, "batch2_channels2", rnd(rng, 2, 2, 4, 4), (2, 2), (2, 2))
        pool_case(kind, "rectangular_k2x3_s1x2", rnd(rng, 1, 1, 4, 7), (2, 3), (1, 2))
        pool_case(kind, "all_negative", -np.abs(rnd(rng, 1, 1, 4, 4)) - 1.0, (2, 2), (2, 2))
        pool_case(kind, "constant_input_all_ties", np.full((1, 1, 3, 3), 7.0), (2, 2), (1, 1))
    return cases


# ---------------------------------------------------------------------------
# regularization
# ---------------------------------------------------------------------------

def gen_regularization():
    cases = []
    rng = rng_for(1414)

    def penalty_fn(lam, l1, l2, alpha, l1_ratio):
        def f(w):
            n1 = jnp.sum(abs_sign0(w))
            n2 = jnp.sum(w ** 2)
            return lam * (l1 * n1 + l2 * n2) + alpha * (l1_ratio * n1 + 0.5 * (1 - l1_ratio) * n2)
        return f

    def reg_case(name, w, lam=0.0, l1=0.0, l2=0.0, alpha=0.0, l1_ratio=0.0):
        w = f64(w)
        f = penalty_fn(lam, l1, l2, alpha, l1_ratio)
        cases.append(case(
            f"regularization/{name}",
            "Weight penalty, one formula for every case (unused terms have zero coefficients): penalty = "
            "lambda·(l1·Σ|w| + l2·Σw²) + alpha·(l1_ratio·Σ|w| + ½(1 − l1_ratio)·Σw²). The first term is the "
            "notes' L1 (l1 = 1, l2 = 0) / L2 (l1 = 0, l2 = 1) with strength lambda, or Keras-style L1L2 "
            "coefficients with lambda = 1; the second is scikit-learn's ElasticNet penalty. L2 is a SUM of "
            "squares. gradient = lambda·(l1·sign(w) + 2·l2·w) + alpha·(l1_ratio·sign(w) + (1 − l1_ratio)·w), "
            "sign(0) = 0 (JAX autodiff of w·sign(w)).",
            {"w": w, "lambda": lam, "l1": l1, "l2": l2, "alpha": alpha, "l1_ratio": l1_ratio},
            {"penalty": f(w), "gradient": jax.grad(f)(w)},
        ))

    w = np.array([1.5, -0.5, 0.0, 2.0, -3.0])
    reg_case("l1_lambda_0.1_with_zero_weight", w, lam=0.1, l1=1.0)
    reg_case("l2_lambda_0.1", w, lam=0.1, l2=1.0)
    reg_case("l1l2_keras_0.01_0.02", w, lam=1.0, l1=0.01, l2=0.02)
    reg_case("elastic_net_sklearn_alpha_0.5_ratio_0.3", w, alpha=0.5, l1_ratio=0.3)
    reg_case("elastic_net_ratio_1_is_l1", w, alpha=0.2, l1_ratio=1.0)
    reg_case("elastic_net_ratio_0_is_half_l2", w, alpha=0.2, l1_ratio=0.0)
    reg_case("all_zero_weights_l1", np.zeros(3), lam=1.0, l1=1.0)
    reg_case("random_matrix_l2", rnd(rng, 3, 2), lam=0.05, l2=1.0)

    def obj_case(name, X, y, w, b, penalty, lam=None, alpha=None, l1_ratio=None):
        X, y, w = f64(X), f64(y), f64(w)
        n = X.shape[0]

        def objective(w, b):
            r = y - X @ w - b
            if penalty == "l1":
                return jnp.sum(r ** 2) + lam * jnp.sum(abs_sign0(w))
            if penalty == "l2":
                return jnp.sum(r ** 2) + lam * jnp.sum(w ** 2)
            if penalty == "elastic_net":
                return (jnp.sum(r ** 2) / (2 * n) + alpha * (l1_ratio * jnp.sum(abs_sign0(w))
                                                              + 0.5 * (1 - l1_ratio) * jnp.sum(w ** 2)))
            raise ValueError(penalty)

        dw, db = jax.grad(objective, argnums=(0, 1))(w, float(b))
        cases.append(case(
            f"regularization/linear_regression_objective/{name}",
            "Penalised linear-regression objective with residual r = y − X w − b (X (n, d), w (d), b scalar, "
            "b not penalised). penalty 'l1' (lasso, the notes' form): objective = Σ r² + lambda·Σ|w|; 'l2' "
            "(ridge): Σ r² + lambda·Σ w²; 'elastic_net' (scikit-learn's ElasticNet objective): Σ r²/(2n) + "
            "alpha·(l1_ratio·Σ|w| + ½(1 − l1_ratio)·Σ w²). Fields a penalty does not use are null. "
            "dobj_dw, dobj_db by JAX autodiff, sign(0) = 0 for |w|.",
            {"X": X, "y": y, "w": w, "b": b, "penalty": penalty, "lambda": lam, "alpha": alpha,
             "l1_ratio": l1_ratio},
            {"objective": objective(w, float(b)), "dobj_dw": dw, "dobj_db": db},
        ))

    X = rnd(rng, 6, 3)
    y = rnd(rng, 6)
    obj_case("lasso", X, y, [0.5, 0.0, -1.0], 0.2, "l1", lam=0.5)
    obj_case("ridge", X, y, [0.5, 0.0, -1.0], 0.2, "l2", lam=0.5)
    obj_case("elastic_net", X, y, [0.5, 0.0, -1.0], 0.2, "elastic_net", alpha=0.1, l1_ratio=0.7)
    obj_case("ridge_zero_weights", X, y, [0.0, 0.0, 0.0], 0.0, "l2", lam=1.0)
    return cases


# ---------------------------------------------------------------------------
# rouge
# ---------------------------------------------------------------------------

ROUGE_PAIRS = [
    ("identical", "the cat sat on the mat", "the cat sat on the mat"),
    ("classic_fox", "The quick brown dog jumps on the log.", "The quick brown fox jumps over the lazy dog"),
    ("punctuation_and_casing", "Hello, WORLD!!! It's... fine?", "hello world it s fine"),
    ("repeated_words", "the the the the", "the cat the"),
    ("word_order_swapped", "b a c d", "a b c d"),
    ("stemming_matters", "The runners were running quickly", "a runner runs quickly"),
    ("plural_forms", "cats and dogs", "the cat and the dog"),
    ("no_overlap", "alpha beta gamma", "delta epsilon"),
    ("empty_prediction", "", "the cat sat"),
    ("empty_target", "the cat sat", ""),
    ("both_empty", "", ""),
    ("only_punctuation", "?!.,", "the cat"),
    ("numbers_and_hyphens", "model-v2 scored 98.6 on 3 tests", "model v2 scored 98 6 on three tests"),
    ("non_ascii_letters_dropped", "café naïve résumé", "cafe naive resume"),
    ("single_token", "yes", "yes"),
    ("short_words_not_stemmed", "was has is", "wa ha is"),
]


def gen_rouge():
    cases = []
    for stem in (False, True):
        scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=stem)
        for name, pred, target in ROUGE_PAIRS:
            scores = scorer.score(target, pred)  # rouge-score's argument order is (target, prediction)
            cases.append(case(
                f"rouge/{name}_{'stemmed' if stem else 'unstemmed'}",
                "Google rouge-score 0.1.2, RougeScorer(['rouge1', 'rouge2', 'rougeL'], use_stemmer) with the "
                "default tokenizer: lowercase, replace every run of characters outside [a-z0-9] with a space, "
                "split on whitespace, Porter-stem tokens longer than 3 characters when use_stemmer, drop empty "
                "tokens (prediction_tokens, target_tokens). rougeN: overlap = Σ over n-grams of min(count in "
                "prediction, count in target); precision = overlap/#prediction n-grams, recall = overlap/"
                "#target n-grams; rougeL uses the longest common subsequence length in place of overlap. "
                "fmeasure = 2PR/(P + R); every 0/0 is 0. Each score is {precision, recall, fmeasure}.",
                {"prediction": pred, "target": target, "use_stemmer": stem},
                {"prediction_tokens": scorer._tokenizer.tokenize(pred),
                 "target_tokens": scorer._tokenizer.tokenize(target),
                 **{k: {"precision": float(v.precision), "recall": float(v.recall),
                        "fmeasure": float(v.fmeasure)}
                    for k, v in scores.items()}},
            ))
    return cases


# ---------------------------------------------------------------------------

def gen_schedules():
    """Learning-rate schedules, each evaluated with optax at chosen steps (optax counts the first
    update as step 0). Warm-ups are optax's ``join_schedules`` of a ``linear_schedule`` from 0 and
    the decay, and once its own ``warmup_cosine_decay_schedule``."""
    cases = []
    tol = {"abs": 1e-7, "rel": 1e-6}

    def decay_of(kind, base, gamma, every, steps, floor):
        if kind == "constant":
            return optax.constant_schedule(base)
        if kind == "step":
            return optax.exponential_decay(
                init_value=base, transition_steps=every, decay_rate=gamma, staircase=True
            )
        return optax.cosine_decay_schedule(init_value=base, decay_steps=steps, alpha=floor)

    def add(name, desc, kind, base, at, warmup=0, gamma=1.0, every=1, steps=1, floor=0.0,
            named=False):
        decay = decay_of(kind, base, gamma, every, steps, floor)
        if named:
            sched = optax.warmup_cosine_decay_schedule(
                init_value=0.0, peak_value=base, warmup_steps=warmup,
                decay_steps=warmup + steps, end_value=floor * base,
            )
        elif warmup > 0:
            sched = optax.join_schedules(
                [optax.linear_schedule(0.0, base, warmup), decay], [warmup]
            )
        else:
            sched = decay
        rates = [float(sched(jnp.asarray(t))) for t in at]
        inputs = {"base": base, "decay": kind, "warmup": warmup, "at_steps": list(at)}
        if kind == "step":
            inputs.update(gamma=gamma, every=every)
        if kind == "cosine":
            inputs.update(steps=steps, floor=floor)
        cases.append(case(f"schedule/{kind}/{name}", desc, inputs, {"rates": rates}, tol))

    at = [0, 1, 2, 9, 10, 11, 49, 50, 51, 99, 100, 101, 150, 199, 200, 250, 399, 400, 401, 499, 1000]
    add("base_0.1", "optax.constant_schedule(0.1)", "constant", 0.1, at)
    add("gamma_0.5_every_100", "optax.exponential_decay(0.08, transition_steps=100, "
        "decay_rate=0.5, staircase=True): 0.08 * 0.5**floor(t/100)", "step", 0.08, at,
        gamma=0.5, every=100)
    add("gamma_0.1_every_30", "optax.exponential_decay(1.0, 30, 0.1, staircase=True)", "step",
        1.0, at, gamma=0.1, every=30)
    add("T_500_floor_0", "optax.cosine_decay_schedule(0.3, decay_steps=500, alpha=0): "
        "0.3 * 0.5 * (1 + cos(pi * min(t, 500) / 500))", "cosine", 0.3, at, steps=500)
    add("T_400_floor_0.1", "optax.cosine_decay_schedule(0.05, 400, alpha=0.1)", "cosine", 0.05,
        at, steps=400, floor=0.1)
    add("warmup_50_then_constant", "join_schedules([linear_schedule(0, 0.1, 50), "
        "constant_schedule(0.1)], [50])", "constant", 0.1, at, warmup=50)
    add("warmup_50_then_gamma_0.5_every_100", "join_schedules([linear_schedule(0, 0.08, 50), "
        "exponential_decay(0.08, 100, 0.5, staircase=True)], [50])", "step", 0.08, at,
        warmup=50, gamma=0.5, every=100)
    add("warmup_50_then_T_450_floor_0", "join_schedules([linear_schedule(0, 0.3, 50), "
        "cosine_decay_schedule(0.3, 450, 0)], [50])", "cosine", 0.3, at, warmup=50, steps=450)
    add("warmup_10_then_T_200_floor_0.2_named", "optax.warmup_cosine_decay_schedule(0, 0.5, "
        "warmup_steps=10, decay_steps=210, end_value=0.1): the same join, by optax's own name",
        "cosine", 0.5, at, warmup=10, steps=200, floor=0.2, named=True)
    try:
        optax.cosine_decay_schedule(0.1, decay_steps=0)
        raise AssertionError("optax accepted decay_steps=0")
    except ValueError as e:
        cases.append(case("schedule/cosine/T_0_refused",
                          "optax.cosine_decay_schedule(0.1, decay_steps=0) raises",
                          {"base": 0.1, "decay": "cosine", "warmup": 0, "at_steps": [0],
                           "steps": 0, "floor": 0.0},
                          error_of(e)))
    return cases


FAMILIES = {
    "activations": gen_activations,
    "attention": gen_attention,
    "batchnorm": gen_batchnorm,
    "conv2d": gen_conv2d,
    "dense": gen_dense,
    "dropout": gen_dropout,
    "flatten": gen_flatten,
    "losses": gen_losses,
    "metrics": gen_metrics,
    "mlp_backprop": gen_mlp,
    "normalization": gen_normalization,
    "optimizers": gen_optimizers,
    "pooling": gen_pooling,
    "regularization": gen_regularization,
    "rouge": gen_rouge,
    "schedules": gen_schedules,
}


def main() -> int:
    total = 0
    for family, gen in FAMILIES.items():
        n = write_family(family, gen())
        size = (OUT_DIR / f"{family}.json").stat().st_size
        print(f"{family:15s} {n:4d} cases {size:9d} bytes")
        total += n
    print(f"{'total':15s} {total:4d} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
