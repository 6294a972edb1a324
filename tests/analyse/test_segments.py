"""Segments: estimator conventions, recovery of the planted segments, stability, profiles."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from valuekit import DEMO_CODEBOOK, DEMO_DATA, DEMO_TRUTH, Codebook, load_survey
from valuekit.analyse.segments import (ValueSegmenter, _jaccard_best, bootstrap_stability, choose_k, explain_segments,
                                       segment_profiles, share_destroyed, where_value_is_destroyed)
from valuekit.measure.scoring import ValueScorer


@pytest.fixture(scope="module")
def demo():
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    truth = pd.read_csv(DEMO_TRUTH).set_index("row").loc[scores.index, "segment"]
    return survey, scores, truth


def _blobs(codebook, n_per=60, seed=0, spread=0.3):
    """Two well-separated groups: A high on symbolic and money (value destroyed), B high on
    functional (value created)."""
    rng = np.random.default_rng(seed)
    cols = codebook.dimensions + codebook.sacrifices
    a = dict.fromkeys(cols, 4.0) | {"symbolic": 6.0, "money": 7.5}
    b = dict.fromkeys(cols, 4.0) | {"functional": 6.0}
    rows = [{c: m[c] + rng.normal(0, spread) for c in cols} for m in [a] * n_per + [b] * n_per]
    frame = pd.DataFrame(rows)
    frame["benefits"] = frame[codebook.dimensions].mean(axis=1)
    frame["sacrifices"] = frame[codebook.sacrifices].mean(axis=1)
    frame["value_ratio"] = frame["benefits"] / frame["sacrifices"]
    frame["verdict"] = np.where(frame["value_ratio"] < 1 / 1.05, "destroyed", "created")
    return frame


@pytest.fixture
def cb4(codebook_dict):
    codebook_dict["benefits"]["experiential"] = ["x1"]
    codebook_dict["benefits"]["symbolic"] = ["s1"]
    codebook_dict["sacrifices"]["time"] = ["t1"]
    return Codebook.from_dict(codebook_dict)


def test_planted_segments_are_recovered(demo):
    survey, scores, truth = demo
    for method in ("kmeans", "gmm"):
        seg = ValueSegmenter(survey.codebook, n_segments=4, method=method, random_state=0).fit(scores)
        ok = seg.labels_.notna()
        assert adjusted_rand_score(truth[ok], seg.labels_[ok]) >= 0.8, method


def test_choose_k_finds_the_planted_four(demo):
    survey, scores, _ = demo
    km = choose_k(scores, survey.codebook, k_range=range(2, 7), random_state=0)
    assert km.loc[km["silhouette"].idxmax(), "k"] == 4
    gmm = choose_k(scores, survey.codebook, k_range=range(2, 7), method="gmm", random_state=0)
    assert gmm.loc[gmm["bic"].idxmin(), "k"] == 4
    assert list(km.columns) == ["k", "silhouette", "inertia", "smallest_share"]


def test_estimator_conventions(cb4):
    data = _blobs(cb4)
    seg = ValueSegmenter(cb4, n_segments=2, random_state=1)
    with pytest.raises(NotFittedError):
        seg.predict(data)
    assert clone(seg).get_params() == seg.get_params()
    a = seg.fit(data).labels_
    b = clone(seg).fit(data).labels_
    pd.testing.assert_series_equal(a, b)
    assert str(a.dtype) == "Int64" and a.name == "segment"
    pd.testing.assert_series_equal(seg.predict(data), a)  # typing the fitted data reproduces it
    assert set(a[:60]) == {a.iloc[0]} and set(a[60:]) == {a.iloc[60]} and a.iloc[0] != a.iloc[60]


def test_segments_numbered_by_size(cb4):
    data = _blobs(cb4).iloc[40:]  # 20 of A, 60 of B
    labels = ValueSegmenter(cb4, n_segments=2, random_state=0).fit(data).labels_
    assert (labels.iloc[20:] == 0).all() and (labels.iloc[:20] == 1).all()


def test_unscored_are_reported_not_dropped(cb4):
    data = _blobs(cb4)
    data.loc[[3, 70], "money"] = np.nan
    seg = ValueSegmenter(cb4, n_segments=2, random_state=0).fit(data)
    assert seg.labels_[[3, 70]].isna().all() and seg.labels_.notna().sum() == len(data) - 2
    assert seg.unassigned_.loc[3, "reason"] == "no score for money"
    assert seg.predict(data)[[3, 70]].isna().all()


def test_typing_a_new_wave(cb4):
    seg = ValueSegmenter(cb4, n_segments=2, random_state=0).fit(_blobs(cb4, seed=0))
    wave2 = _blobs(cb4, seed=5)
    typed = seg.predict(wave2)
    first = seg.labels_.iloc[0]
    assert (typed.iloc[:60] == first).all() and (typed.iloc[60:] != first).all()


@pytest.mark.parametrize("kwargs, n, match", [
    ({"n_segments": 5}, 4, r"4 respondent\(s\) with a complete value profile; cannot form 5 segments"),
    ({"n_segments": 1}, 100, r"n_segments must be an integer >= 2"),
    ({"n_segments": 2.5}, 100, r"n_segments must be an integer >= 2"),
    ({"method": "hierarchical"}, 100, r"method must be one of \['kmeans', 'gmm'\]"),
])
def test_bad_parameters(cb4, kwargs, n, match):
    with pytest.raises(ValueError, match=match):
        ValueSegmenter(cb4, **kwargs).fit(_blobs(cb4).iloc[:n])


def test_constant_feature_and_missing_columns(cb4):
    data = _blobs(cb4).assign(risk=4.0)
    with pytest.raises(ValueError, match=r"profile column\(s\) \['risk'\] are constant"):
        ValueSegmenter(cb4, n_segments=2).fit(data)
    with pytest.raises(ValueError, match=r"column\(s\) \['time'\] not found"):
        ValueSegmenter(cb4, n_segments=2).fit(_blobs(cb4).drop(columns="time"))
    with pytest.raises(ValueError, match="k_range must hold integers >= 2"):
        choose_k(_blobs(cb4), cb4, k_range=[1, 2])


def test_jaccard_best_by_hand():
    ref = np.array([0, 0, 0, 1, 1, 1])
    other = np.array([1, 1, 0, 0, 0, 0])
    # ref 0 = {0,1,2}; other 1 = {0,1}: J = 2/3. ref 1 = {3,4,5}; other 0 = {2,3,4,5}: J = 3/4
    np.testing.assert_allclose(_jaccard_best(ref, other, 2), [2 / 3, 3 / 4])


def test_bootstrap_stability(cb4):
    stable = ValueSegmenter(cb4, n_segments=2, random_state=0, n_init=2).fit(_blobs(cb4))
    table = bootstrap_stability(stable, _blobs(cb4), n_boot=10, random_state=0, progress=False)
    assert (table["jaccard_mean"] > 0.95).all() and (table["verdict"] == "highly stable").all()
    rng = np.random.default_rng(0)
    noise = _blobs(cb4)
    for c in cb4.dimensions + cb4.sacrifices:
        noise[c] = rng.normal(4, 1, len(noise))
    shaky = ValueSegmenter(cb4, n_segments=6, random_state=0, n_init=2).fit(noise)
    table = bootstrap_stability(shaky, noise, n_boot=10, random_state=0, progress=False)
    assert table["jaccard_mean"].mean() < 0.75
    assert set(table["verdict"]) & {"unstable", "doubtful"}


def test_profiles_and_names(cb4):
    data = _blobs(cb4)
    labels = ValueSegmenter(cb4, n_segments=2, random_state=0).fit(data).labels_
    profiles = segment_profiles(data, labels, codebook=cb4)
    names = set(profiles["name"])
    # the mirror group is lower on money, hence on the sacrifices index
    assert names == {"symbolic-driven, money-sensitive", "functional-driven, low on sacrifices"}
    assert profiles["n"].sum() == len(data) and profiles["share"].sum() == pytest.approx(1)
    a = profiles.loc[labels.iloc[0]]
    assert a["z_symbolic"] > 0.9 and a["symbolic"] == pytest.approx(data["symbolic"][:60].mean())


def test_names_need_a_significant_and_meaningful_difference(cb4):
    from valuekit.analyse.segments import segment_name

    rng = np.random.default_rng(1)
    noise = _blobs(cb4)
    for c in cb4.dimensions + cb4.sacrifices:
        noise[c] = rng.normal(4, 1, len(noise))
    random_groups = pd.Series(rng.integers(0, 3, len(noise)), index=noise.index)
    profiles = segment_profiles(noise, random_groups, codebook=cb4)
    assert profiles["name"].tolist() == [f"close to average ({x})" for x in "ABC"]
    assert (profiles["n_findings"] == 0).all()
    # two dimensions equally high: both named, not the one that happens to be 0.01 higher
    both = pd.DataFrame({"measure": ["functional", "economic", "money"], "finding": [True, True, False],
                         "direction": ["higher", "higher", ""], "effect": [0.39, 0.40, 0.1]})
    assert segment_name(both, cb4) == "economic and functional-driven"
    only_time = pd.DataFrame({"measure": ["functional", "money"], "finding": [False, True],
                              "direction": ["", "higher"], "effect": [0.1, 0.5]})
    assert segment_name(only_time, cb4) == "average on benefits, money-sensitive"
    assert segment_name(only_time, cb4, lang="es") == "en la media en beneficios, sensible al dinero"


def test_clusters_of_null_data_get_neutral_names(cb4):
    from valuekit.analyse.segments import segment_structure

    # one population: k-means still cuts it into pieces that differ on what they were cut on
    rng = np.random.default_rng(7)
    noise = _blobs(cb4, n_per=300)
    for c in cb4.dimensions + cb4.sacrifices:
        noise[c] = rng.normal(4, 1, len(noise))
    seg = ValueSegmenter(cb4, n_segments=3, random_state=0).fit(noise)
    structure = segment_structure(seg, noise, random_state=0)
    assert not structure["distinct"]
    unnamed = segment_profiles(noise, seg.labels_, codebook=cb4)
    assert (unnamed["n_findings"] > 0).all() and "close to average" not in set(unnamed["name"])  # the cut
    for lang, neutral in (("en", "slice of a continuum"), ("es", "porción de un continuo"),
                          ("it", "porzione di un continuum")):
        profiles = segment_profiles(noise, seg.labels_, codebook=cb4, structure=structure, lang=lang)
        # one neutral name, told apart by letters in segment order: no two segments share a name
        assert profiles["name"].tolist() == [f"{neutral} ({x})" for x in "ABC"], lang
    assert profiles["name_note"].str.contains(r"no more distinct than slices of one population \(structure test "
                                              f"p = {structure['p']:.3f}").all()
    # distinct segments keep the names their findings give
    blobs = _blobs(cb4)
    seg = ValueSegmenter(cb4, n_segments=2, random_state=0).fit(blobs)
    structure = segment_structure(seg, blobs, random_state=0)
    profiles = segment_profiles(blobs, seg.labels_, codebook=cb4, structure=structure)
    assert structure["distinct"] and "symbolic-driven, money-sensitive" in set(profiles["name"])
    assert (profiles["name_note"] == "").all()
    with pytest.raises(ValueError, match=r"structure: \['distinct'\] not found"):
        segment_profiles(blobs, seg.labels_, codebook=cb4, structure={"p": 0.5})


def test_profiles_on_demo_include_outcomes_context_and_unassigned(demo):
    survey, scores, _ = demo
    seg = ValueSegmenter(survey.codebook, n_segments=4, random_state=0).fit(scores)
    profiles = segment_profiles(scores, seg.labels_, codebook=survey.codebook, data=survey.data,
                                weights=survey.weights)
    assert list(profiles.index) == [0, 1, 2, 3, "unassigned"]
    assert profiles["n"].sum() == len(scores)  # everyone is somewhere
    assert {"outcome_satisfaction", "world_view", "world_view_share"} <= set(profiles.columns)
    worst = profiles.drop(index="unassigned")["share_destroyed"].idxmax()
    truth = pd.read_csv(DEMO_TRUTH).set_index("row").loc[scores.index, "segment"]
    assert truth[seg.labels_ == worst].mode()[0] == "hassled_pragmatists"


def test_explain_segments(demo):
    survey, scores, _ = demo
    seg = ValueSegmenter(survey.codebook, n_segments=4, random_state=0).fit(scores)
    text, fidelity = explain_segments(scores, seg.labels_, codebook=survey.codebook, max_depth=3)
    assert fidelity > 0.7 and "segment 2" in text and "Symbolic" in text


def test_share_destroyed_wilson_interval():
    scores = pd.DataFrame({"verdict": ["destroyed"] * 50 + ["created"] * 50, "value_ratio": 1.0})
    table = share_destroyed(scores, pd.Series([0] * 100, dtype="Int64"))
    row = table.iloc[0]
    assert row["share_destroyed"] == 0.5
    assert row["ci_low"] == pytest.approx(0.4038, abs=1e-4) and row["ci_high"] == pytest.approx(0.5962, abs=1e-4)


def test_where_value_is_destroyed_ranks_the_burden(cb4):
    data = _blobs(cb4)
    labels = pd.Series([0] * 60 + [1] * 60, dtype="Int64")
    table = where_value_is_destroyed(data, labels, codebook=cb4)
    # segment 0 (symbolic 6, money 7.5, the rest 4): value destroyed; money outweighs its
    # benefits (4.5) for everyone and is far above the sample; functional (4 against the
    # sample's 5) falls short of its sacrifices (5.17); symbolic is its strength
    zero = table[table["segment"] == 0].set_index("block")
    assert {"money", "functional"} <= set(zero.index) and "symbolic" not in zero.index
    assert (table["gap"] > 0).all()  # only where the segment does worse than the sample
    a = data.iloc[:60]
    expected = ((a["verdict"] == "destroyed") & (a["money"] > a["benefits"])).mean()
    assert expected > 0.9
    assert zero.loc["money", "kind"] == "sacrifice" and zero.loc["money", "share_affected"] == pytest.approx(expected)
    assert zero.loc["money", "gap"] == pytest.approx(data["money"][:60].mean() - data["money"].mean())
    assert not (table["segment"] == 1).any()  # segment 1 gets more than it gives: nothing destroyed
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    assert (table["customers_affected"].diff().dropna() <= 0).all()


def test_align_segments():
    from valuekit.analyse.segments import align_segments

    reference = pd.Series([0, 0, 0, 1, 1, 2, 2, pd.NA], dtype="Int64")
    other = pd.Series([2, 2, 1, 0, 0, 1, 1, 0], dtype="Int64")
    aligned = align_segments(other, reference)
    assert aligned.tolist() == [0, 0, 2, 1, 1, 2, 2, 1]


def test_share_destroyed_interval_contains_zero_and_one():
    scores = pd.DataFrame({"verdict": ["created"] * 30 + ["destroyed"] * 30, "value_ratio": 1.0})
    table = share_destroyed(scores, pd.Series([0] * 30 + [1] * 30, dtype="Int64")).set_index("segment")
    assert table.loc[0, "share_destroyed"] == 0 and table.loc[0, "ci_low"] == 0 < table.loc[0, "ci_high"]
    assert table.loc[1, "share_destroyed"] == 1 and table.loc[1, "ci_high"] == 1 > table.loc[1, "ci_low"]
    import matplotlib.pyplot as plt

    from valuekit.present.plots import plot_share_destroyed

    plot_share_destroyed(table.reset_index(), ax=plt.figure().gca())  # no negative error bars


def test_explain_segments_aligns_by_label(demo):
    survey, scores, _ = demo
    seg = ValueSegmenter(survey.codebook, n_segments=4, random_state=0).fit(scores).labels_
    _, fidelity = explain_segments(scores, seg, codebook=survey.codebook)
    _, shuffled = explain_segments(scores, seg.sample(frac=1, random_state=2), codebook=survey.codebook)
    assert fidelity == shuffled


def test_where_value_is_destroyed_with_nobody_scored(cb4):
    data = _blobs(cb4).assign(value_ratio=np.nan)
    table = where_value_is_destroyed(data, pd.Series([0] * 120, dtype="Int64"), codebook=cb4)
    assert table.empty and "customers_affected" in table.columns


def test_segment_structure_tells_clusters_from_slices_of_one_population(cb4):
    from valuekit.analyse.segments import segment_structure

    blobs = _blobs(cb4)
    real = ValueSegmenter(cb4, n_segments=2, random_state=0).fit(blobs)
    found = segment_structure(real, blobs, random_state=0)
    assert found["distinct"] and found["p"] < 0.001 and found["cluster_index"] < found["null_mean"]
    rng = np.random.default_rng(2)
    noise = blobs.copy()
    for c in cb4.dimensions + cb4.sacrifices:
        noise[c] = rng.normal(4, 1, len(noise))
    cut = ValueSegmenter(cb4, n_segments=3, random_state=0).fit(noise)
    verdict = segment_structure(cut, noise, random_state=0)
    assert not verdict["distinct"] and "one population" in verdict["verdict"]
    with pytest.raises(ValueError, match="n_sim must be at least 3"):
        segment_structure(real, blobs, n_sim=1)


# 1. context columns: pandas 3 gives read-only masks
@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_segmenter_with_context_column(demo_scores, method):
    survey, scores = demo_scores
    X = scores.join(survey.data[["channel"]])
    seg = ValueSegmenter(survey.codebook, n_segments=3, method=method, context=["channel"],
                         random_state=0, n_init=2).fit(X)
    assert seg.labels_.notna().sum() > 0


def test_choose_k_with_context_column(demo_scores):
    survey, scores = demo_scores
    X = scores.join(survey.data[["channel"]])
    table = choose_k(X, survey.codebook, k_range=[2, 3], context=["channel"], random_state=0, n_init=2)
    assert list(table["k"]) == [2, 3]


def test_segments_sharing_a_name_are_lettered_and_the_unsegmented_keep_their_label():
    from valuekit.analyse.segments import _distinct_names, _letters

    assert [_letters(k) for k in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]
    names = ["close to average", "money-sensitive", "close to average", "no segment (incomplete profile)"]
    assert _distinct_names(names, [0, 1, 2, "unassigned"]) == [
        "close to average (A)", "money-sensitive", "close to average (B)", "no segment (incomplete profile)"]
    assert _distinct_names(["a", "b"], [0, 1]) == ["a", "b"]
