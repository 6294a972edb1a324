"""The default labels and interface texts (valuekit/survey/labels.yaml) and the language
argument every function checks with."""

import pytest

from valuekit.errors import ParameterError
from valuekit.survey.labels import DEFAULT_LABELS, LANGUAGES, lang_arg


def test_every_label_is_in_every_language():
    assert LANGUAGES == ("en", "es", "it") and len(DEFAULT_LABELS) > 50
    incomplete = {key: sorted(set(LANGUAGES) - set(texts)) for key, texts in DEFAULT_LABELS.items()
                  if set(texts) != set(LANGUAGES)}
    assert incomplete == {}
    empty = [(key, lang) for key, texts in DEFAULT_LABELS.items() for lang, text in texts.items()
             if not isinstance(text, str) or not text.strip()]
    assert empty == []


def test_the_value_words_are_translated():
    assert DEFAULT_LABELS["destroyed"]["en"] != DEFAULT_LABELS["destroyed"]["es"]
    assert {DEFAULT_LABELS["money"][lang] for lang in LANGUAGES} == {"Money", "Dinero", "Denaro"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lang_arg_accepts_the_languages(lang):
    assert lang_arg(lang) == lang


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("value", ["de", "EN", None, 1])
def test_lang_arg_names_the_argument(value):
    with pytest.raises(ParameterError, match="language") as err:
        lang_arg(value, name="language")
    assert err.value.name == "language"
