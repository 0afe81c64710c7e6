#!/usr/bin/env bash
# CI job: build the wheel from this checkout, install it (not editable) into a fresh virtual
# environment and use it from a folder outside the repository, so nothing is imported from the
# checkout: a dictionary import, a look-up in the bundled MUSE en-de list, a two-line decode on the
# packaged default model. A temporary dictionary database; the model cache stays the default one.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# ${PYTHON:-python3}: the interpreter the environment is made from (any venv is fine: it is not inherited)
"${PYTHON:-python3}" -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
(cd "$REPO" && "$PY" -m pip wheel --no-deps -w "$WORK/wheel" .)
"$PY" -m pip install -c "$REPO/constraints.txt" "$WORK"/wheel/pretty_framework-*.whl

mkdir "$WORK/run"
cd "$WORK/run"
export PRETTY_DB="$WORK/run/dictionary.sqlite"
export PATH="$WORK/venv/bin:$PATH"

# The package, its migrations and its dictionaries come from the new environment, not the checkout.
python - "$WORK/venv" <<'EOF'
import sys
from pathlib import Path

import pretty_framework
from pretty_framework.store.bundled import DICTIONARIES
from pretty_framework.store.database import MIGRATIONS

venv = Path(sys.argv[1]).resolve()
for path in (Path(pretty_framework.__file__), MIGRATIONS, DICTIONARIES):
    assert venv in path.resolve().parents, f"{path} is not inside {venv}"
assert (MIGRATIONS / "env.py").is_file() and (DICTIONARIES / "catalog.json").is_file()
print(f"installed: {Path(pretty_framework.__file__).parent}")
EOF

printf 'cat Katze\nmat Matte\nhouse Häuschen\n' > tiny.txt  # MUSE: 'word translation' lines
pretty dict import tiny.txt --format muse --src en --tgt de --name tiny
pretty dict lookup cat --src en --tgt de | grep -q '^Katze'

# `pretty dict lookup` reads the store only; the bundled list is imported on first use by the
# providers (ensure_bundled), done here directly.
python -c "
from pretty_framework.languages import normalize_language as n
from pretty_framework.store import DictionaryStore
from pretty_framework.store.bundled import ensure_bundled
store = DictionaryStore()
reports = ensure_bundled(store, n('en'), n('de'))
store.close()
assert [r.source for r in reports] == ['bundled:muse-en-de.txt.gz'], reports
print(f'{reports[0].source}: {reports[0].entries_linked} entries')
"
pretty dict lookup house --src en --tgt de | tee lookup.txt
grep -q '^haus\b.*bundled:muse-en-de\.txt\.gz' lookup.txt  # MUSE is lower case

printf 'The cat sat on the mat.\nGood morning.\n' \
    | pretty decode --src en --tgt de --provider text --prior Die --max-new-tokens 8 | tee decoded.txt
test "$(wc -l < decoded.txt)" -eq 2
echo "wheel smoke test passed"
