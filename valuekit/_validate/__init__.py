"""The checks every stage shares, below them all: arguments (:mod:`.check`, :mod:`.args`)
and the bounded YAML reader (:mod:`.yamlfile`). Internal: nothing here is public API."""
