#!/usr/bin/env bash
# Re-extract the UI strings into web/translations/messages.pot, merge them into each language's
# messages.po (new strings arrive untranslated, changed ones marked fuzzy) and compile the .mo files.
# Then translate what is new in web/translations/de/LC_MESSAGES/messages.po and run tests/web/test_i18n.py.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
"$BIN/pybabel" extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
    --project Postillon --copyright-holder "Postillon" -o web/translations/messages.pot .
"$BIN/pybabel" update -i web/translations/messages.pot -d web/translations --ignore-obsolete
"$BIN/pybabel" compile -d web/translations --statistics
