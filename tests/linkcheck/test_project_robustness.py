"""`alexa-linkcheck project` on malformed projects: findings, never a crash."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alexa_linkcheck.project import check_project

GOOD_PROJECT = Path(__file__).parent / "fixtures" / "good_project"
FILES = ["ask-resources.json", "skill-package/skill.json",
         "skill-package/interactionModels/custom/en-US.json",
         "skill-package/accountLinking.json"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a JSON document."""
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            out += _paths(value, (*path, n))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=st.sampled_from(FILES), pick=st.integers(min_value=0), value=json_values)
def test_project_survives_any_json_value_anywhere(file: str, pick: int, value: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(GOOD_PROJECT, root)
        data = json.loads((root / file).read_text())
        paths = _paths(data)
        path = paths[pick % len(paths)]
        if path:
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value
        else:
            data = value
        (root / file).write_text(json.dumps(data))
        findings = check_project(root)
        assert all(f.file and f.path.startswith("$") for f in findings)


FIXTURES = Path(__file__).parent / "fixtures"
OTHER_LAYOUT_FILES = [
    ("v1_project", ".ask/config"), ("v1_project", "skill.json"),
    ("v1_project", "models/en-US.json"),
    ("smart_home_project", "skill-package/skill.json"),
    ("smart_home_project", "ask-resources.json"),
    ("household_list_project", "ask-resources.json"),
    ("multi_region_project", "ask-resources.json"),
    ("multi_region_project", "skill-package/interactionModels/custom/ja-JP.json"),
    ("node_project", "skill-package/accountLinking.json"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(OTHER_LAYOUT_FILES), pick=st.integers(min_value=0),
       value=json_values)
def test_every_layout_survives_any_json_value_anywhere(target: tuple[str, str], pick: int,
                                                       value: Any) -> None:
    name, file = target
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / name
        shutil.copytree(FIXTURES / name, root)
        data = json.loads((root / file).read_text())
        paths = _paths(data)
        path = paths[pick % len(paths)]
        if path:
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value
        else:
            data = value
        (root / file).write_text(json.dumps(data))
        findings = check_project(root)
        assert all(f.file and (f.path.startswith("$") or f.path.startswith("line "))
                   for f in findings)
