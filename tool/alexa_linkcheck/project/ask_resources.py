"""The project's layout: ask-resources.json (ASK CLI v2), .ask/config (v1) or a bare skill package.

Finds the skill package, the code folders (one entry per folder, however many regions share
it), the deployer and each folder's runtime, and checks the build the deployer will run.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from alexa_linkcheck import constants as C
from alexa_linkcheck.errors import NotAProject
from alexa_linkcheck.project.context import (
    CodeFolder, Findings, Project, jp, obj, one_of, shown,
)


def discover(project: Project, out: Findings) -> None:
    """Decide the layout and read it; raise NotAProject when the folder is no skill project."""
    root = project.root
    if (root / "ask-resources.json").exists():
        _read_ask_resources(project, out, root / "ask-resources.json")
    elif (root / C.ASK_V1_CONFIG).is_file() or (
            (root / "skill.json").is_file() and (root / "models").is_dir()):
        _read_v1(project, out)
    elif (root / "skill-package" / "skill.json").is_file():
        project.layout = "skill-package"
        _use_skill_package(project, root / "skill-package")
        for name in ("lambda", "src", "code"):
            if (root / name).is_dir():
                _add_folder(project, root / name, "default", "$")
                break
    elif (root / "skill.json").is_file() and (
            (root / "interactionModels").is_dir() or (root / "accountLinking.json").is_file()):
        project.layout = "skill-package"  # PATH is the skill package itself
        _use_skill_package(project, root)
    else:
        raise NotAProject(
            f"{root} is not an Alexa skill project: it holds no ask-resources.json (ASK CLI "
            f"v2), no {C.ASK_V1_CONFIG} or skill.json with models/ (ASK CLI v1), no "
            "skill-package/skill.json, and is no skill package itself (skill.json with "
            "interactionModels/ or accountLinking.json)")
    for folder in project.code_folders:
        folder.runtime = folder.runtime or _runtime_from_files(folder.path)
    if project.deploys_code and project.deployer in C.KNOWN_DEPLOYERS:
        _check_builds(project, out)


def _use_skill_package(project: Project, src: Path) -> None:
    """The v2 skill package layout: skill.json, interactionModels/custom/, accountLinking.json."""
    project.skill_src = src
    project.skill_json = src / "skill.json"
    project.models_dir = src / "interactionModels" / "custom"
    project.account_linking_files = (src / "accountLinking.json",)


def _add_folder(project: Project, path: Path, region: str, json_path: str,
                runtime: str | None = None) -> None:
    """Record a code folder once, however many regions name it."""
    for folder in project.code_folders:
        if folder.path.resolve() == path.resolve():
            folder.regions.append(region)
            return
    project.code_folders.append(CodeFolder(path, [region], json_path, runtime))


def _runtime_family(runtime: Any) -> str | None:
    """"python3.12" -> "python", "nodejs18.x" -> "nodejs", "java17" -> "java"."""
    if not isinstance(runtime, str):
        return None
    for family in C.BUILD_FILES:
        if runtime.lower().startswith(family):
            return family
    return None


def _runtime_from_files(folder: Path) -> str | None:
    """The language of a code folder judged by its files."""
    for family, patterns in C.RUNTIME_MARKERS:
        for pattern in patterns:
            if "*" in pattern:
                if any(True for _ in folder.glob(pattern)):
                    return family
            elif (folder / pattern).is_file():
                return family
    return None


# -- ASK CLI v1 ---------------------------------------------------------------------------
def _read_v1(project: Project, out: Findings) -> None:
    """ASK CLI v1: skill.json and models/ at the root, code in lambda/custom/ by convention."""
    root = project.root
    project.layout = "ask-cli-v1"
    config = root / C.ASK_V1_CONFIG
    project.layout_file = config if config.is_file() else None
    project.skill_src = root
    project.skill_json = root / "skill.json"
    project.models_dir = root / "models"
    project.account_linking_files = (root / "accountLinking.json",
                                     root / "skill-package" / "accountLinking.json")
    out.add("warning", "ask-resources.ask-cli-v1", config if config.is_file() else root /
            "skill.json", "$",
            "This is an ASK CLI v1 project (.ask/config, skill.json and models/ at the root). "
            "The ASK CLI v1 is deprecated and ASK CLI v2 does not deploy this layout; "
            "linkcheck still checked skill.json, models/ and the account linking.",
            f"Run `{C.ASK_UPGRADE_COMMAND}` with ASK CLI v2: it writes ask-resources.json and "
            "moves the manifest and models into skill-package/.", C.DOC_ASK_UPGRADE)
    runtime = None
    try:
        data = json.loads(config.read_text(encoding="utf-8")) if config.is_file() else {}
    except (OSError, UnicodeDecodeError, ValueError):
        data = {}
    settings = obj(obj(obj(data).get("deploy_settings")).get(project.profile))
    for entry in obj(settings.get("resources")).get("lambda") or []:
        runtime = _runtime_family(obj(entry).get("runtime")) or runtime
    for candidate in _v1_code_folders(root):
        if candidate.is_dir():
            _add_folder(project, candidate, "default", "$", runtime)
            break


def _v1_code_folders(root: Path) -> list[Path]:
    """Where a v1 project's code is: skill.json's endpoint ``sourceDir``, else the conventions.

    ASK CLI v1 wrote ``"endpoint": {"sourceDir": "lambda/custom"}`` (``lambda/py`` in the
    Python templates) into skill.json and deployed that folder.
    """
    folders: list[Path] = []
    try:
        manifest = obj(json.loads((root / "skill.json").read_text(encoding="utf-8"))
                       .get("manifest"))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        manifest = {}
    for api in obj(manifest.get("apis")).values():
        source = obj(obj(api).get("endpoint")).get("sourceDir")
        if isinstance(source, str) and source.strip():
            folders.append(root / source)
    return folders + [root / "lambda" / "custom", root / "lambda" / "py", root / "lambda"]


# -- ASK CLI v2 ---------------------------------------------------------------------------
def _read_ask_resources(project: Project, out: Findings, file: Path) -> None:
    """ask-resources.json: version, profile, skill package, code folders, deployer."""
    project.layout = "ask-cli-v2"
    project.layout_file = file
    data = out.load_json(file, "ask-resources", C.DOC_ASK_RESOURCES)
    if not isinstance(data, dict):
        if data is not None:
            out.add("error", "ask-resources.not-object", file, "$",
                    "ask-resources.json is not a JSON object.",
                    "Use the ASK CLI v2 layout: {\"askcliResourcesVersion\", \"profiles\"}.",
                    C.DOC_ASK_RESOURCES)
        _fallback_skill_package(project)
        return
    version = data.get("askcliResourcesVersion")
    if not one_of(version, C.ASK_RESOURCES_VERSIONS):
        out.add("error", "ask-resources.version", file, jp("askcliResourcesVersion"),
                f"askcliResourcesVersion is {shown(version)}; ASK CLI v2 reads "
                f"{sorted(C.ASK_RESOURCES_VERSIONS)}.",
                'Set "askcliResourcesVersion": "2020-03-31" (ASK CLI v1 projects: run '
                f"`{C.ASK_UPGRADE_COMMAND}`).", C.DOC_ASK_RESOURCES)
    profiles = data.get("profiles")
    profile = profiles.get(project.profile) if isinstance(profiles, dict) else None
    if not isinstance(profile, dict):
        out.add("error", "ask-resources.profile", file, jp("profiles", project.profile),
                f"Profile {project.profile!r} is not defined.",
                f"Add profiles.{project.profile}, or pass --profile with one that exists.",
                C.DOC_ASK_RESOURCES)
        _fallback_skill_package(project)
        return
    base = ("profiles", project.profile)
    src = obj(profile.get("skillMetadata")).get("src")
    if not isinstance(src, str) or not (project.root / src).is_dir():
        out.add("error", "ask-resources.skill-metadata-src", file,
                jp(*base, "skillMetadata", "src"),
                f"skillMetadata.src is {shown(src)}, not a folder of the project.",
                'Point it at the skill package folder, e.g. "./skill-package".',
                C.DOC_ASK_RESOURCES)
    else:
        _use_skill_package(project, project.root / src)
    _read_code(project, out, file, profile, base)


def _fallback_skill_package(project: Project) -> None:
    """When ask-resources.json cannot say, still check skill-package/ if it is there."""
    if (project.root / "skill-package" / "skill.json").is_file():
        _use_skill_package(project, project.root / "skill-package")


def _read_code(project: Project, out: Findings, file: Path, profile: dict[str, Any],
               base: tuple[str, ...]) -> None:
    """The code folders and the deployer of one profile."""
    code = profile.get("code")
    if code is not None and not isinstance(code, dict):
        out.add("error", "ask-resources.code", file, jp(*base, "code"),
                "code is not an object of regions.", 'Use {"default": {"src": "./lambda"}}.',
                C.DOC_ASK_RESOURCES)
        code = None
    infra = profile.get("skillInfrastructure")
    user = obj(obj(infra).get("userConfig"))
    runtime = _runtime_family(user.get("runtime"))
    for region, entry in (code or {}).items():
        csrc = entry.get("src") if isinstance(entry, dict) else None
        path = jp(*base, "code", region, "src")
        if not isinstance(csrc, str) or not (project.root / csrc).is_dir():
            out.add("error", "ask-resources.code-src", file, path,
                    f"code.{region}.src is {shown(csrc)}, not a folder of the project.",
                    "Point it at the folder holding the skill code, e.g. \"./lambda\".",
                    C.DOC_ASK_RESOURCES)
            continue
        _add_folder(project, project.root / csrc, region, path, runtime)
    if infra is None:
        return
    project.deploys_code = True
    ipath = (*base, "skillInfrastructure")
    if not isinstance(infra, dict):
        out.add("error", "ask-resources.deployer", file, jp(*ipath),
                "skillInfrastructure is not an object.",
                f'Use {{"type": "{C.LAMBDA_DEPLOYER}", "userConfig": {{...}}}}.',
                C.DOC_ASK_RESOURCES)
        return
    kind = infra.get("type")
    project.deployer = kind if isinstance(kind, str) else None
    if kind is None:
        out.add("error", "ask-resources.deployer", file, jp(*ipath, "type"),
                "skillInfrastructure has no type, so `ask deploy` cannot tell which deployer "
                "to run.", f"Set \"type\" to one of {sorted(C.KNOWN_DEPLOYERS)}.",
                C.DOC_ASK_RESOURCES)
    elif not one_of(kind, C.KNOWN_DEPLOYERS):
        out.add("error", "ask-resources.deployer", file, jp(*ipath, "type"),
                f"Deployer type {shown(kind)} is not one the ASK CLI v2 knows.",
                f"Use one of {sorted(C.KNOWN_DEPLOYERS)}.", C.DOC_ASK_RESOURCES)
    if code is None:
        out.add("error", "ask-resources.code-src", file, jp(*base, "code"),
                "A deployer is configured but the profile has no code folder to deploy.",
                'Add "code": {"default": {"src": "./lambda"}}.', C.DOC_ASK_RESOURCES)
    project.deploys_skill_events = isinstance(user.get("skillEvents"), dict)
    if not one_of(kind, C.AWS_DEPLOYERS):
        return  # hosted skills: Alexa picks runtime and handler; unknown: reported above
    handler = user.get("handler")
    for key, value in (("runtime", user.get("runtime")), ("handler", handler)):
        if not isinstance(value, str) or not value:
            out.add("error", f"ask-resources.{key}-missing", file,
                    jp(*ipath, "userConfig", key),
                    f"userConfig.{key} is {shown(value)}: the deployer cannot create the "
                    "Lambda function without it.",
                    'Set e.g. "runtime": "python3.12", '
                    '"handler": "lambda_function.lambda_handler".', C.DOC_ASK_RESOURCES)
    if isinstance(handler, str) and handler and project.code_folders:
        folder = project.code_folders[0]
        if folder.runtime == "python":
            _check_python_handler(out, file, jp(*ipath, "userConfig", "handler"), handler,
                                  folder.path)
        elif folder.runtime == "nodejs":
            _check_node_handler(out, file, jp(*ipath, "userConfig", "handler"), handler,
                                folder.path)


def _check_builds(project: Project, out: Findings) -> None:
    """Each code folder holds the file the ASK CLI build (or Alexa-hosted) needs."""
    file = project.layout_file or project.root
    for folder in project.code_folders:
        if folder.runtime is None or any((folder.path / f).is_file()
                                         for f in C.CUSTOM_BUILD_FILES):
            continue
        need, tool = C.BUILD_FILES[folder.runtime]
        if (folder.path / need).is_file():
            continue
        rel = out.rel(folder.path)
        shared = "" if folder.regions == ["default"] else \
            f" (the code of regions {', '.join(folder.regions)})"
        if folder.runtime == "java" and any((folder.path / g).is_file()
                                            for g in ("build.gradle", "build.gradle.kts")):
            message = (f"{rel}{shared} builds with Gradle, but the ASK CLI only "
                       "builds Java with Maven (pom.xml): `ask deploy` zips the sources "
                       "unbuilt and the Lambda cannot start.")
            fix = ("Add a pom.xml, or a build.sh / build.ps1 in the folder that runs Gradle "
                   "and leaves the packaged code for the CLI to zip.")
        else:
            message = (f"{rel}{shared} holds no {need}: the ASK CLI {tool} build "
                       "only runs when it exists, so `ask deploy` ships the folder without "
                       "its dependencies and the Lambda fails on import.")
            fix = f"Add {rel}/{need} listing the runtime dependencies (the ASK SDK, ...)."
        code = {"python": "requirements-missing", "nodejs": "package-json-missing",
                "java": "pom-xml-missing"}[folder.runtime]
        out.add("error", f"ask-resources.{code}", file, folder.json_path, message, fix,
                C.DOC_ASK_BUILD)


def _check_python_handler(out: Findings, file: Path, path: str, handler: str,
                          folder: Path) -> None:
    """The handler ``module.function`` exists in the code folder (parsed, never run)."""
    module, _, func = handler.rpartition(".")
    rel = module.replace(".", "/")
    candidates = [folder / f"{rel}.py", folder / rel / "__init__.py"]
    modfile = next((c for c in candidates if module and c.is_file()), None)
    if modfile is None:
        out.add("error", "ask-resources.handler-module", file, path,
                f"Handler {handler!r}: module {module or '(none)'!r} is not a file in "
                f"{folder.name}/.", "Name the module file and function as "
                "<module>.<function>, e.g. lambda_function.lambda_handler.",
                C.DOC_ASK_RESOURCES)
        return
    try:
        tree = ast.parse(modfile.read_text(encoding="utf-8"), filename=str(modfile))
    except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
        out.add("error", "ask-resources.handler-module", file, path,
                f"Handler module {modfile.name} does not parse: {exc}.",
                "Fix the syntax error.", C.DOC_ASK_RESOURCES)
        return
    if func not in _top_level_names(tree):
        out.add("error", "ask-resources.handler-function", file, path,
                f"Handler {handler!r}: {modfile.name} defines no top-level {func!r}.",
                f"Define {func} (e.g. `{func} = sb.lambda_handler()`) or fix the handler "
                "name.", C.DOC_ASK_RESOURCES)


def _check_node_handler(out: Findings, file: Path, path: str, handler: str,
                        folder: Path) -> None:
    """The handler ``file.export`` names a JavaScript file of the code folder."""
    module, _, export = handler.rpartition(".")
    files = [folder / f"{module}{ext}" for ext in (".js", ".mjs", ".cjs")]
    found = next((f for f in files if module and f.is_file()), None)
    if found is None:
        out.add("error", "ask-resources.handler-module", file, path,
                f"Handler {handler!r}: no {module or '(none)'}.js/.mjs/.cjs in "
                f"{folder.name}/.", "Name the file and export as <file>.<export>, e.g. "
                "index.handler.", C.DOC_ASK_RESOURCES)
        return
    try:
        text = found.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if export not in text:
        out.add("error", "ask-resources.handler-function", file, path,
                f"Handler {handler!r}: {found.name} never mentions {export!r}.",
                f"Export it (`exports.{export} = ...`) or fix the handler name.",
                C.DOC_ASK_RESOURCES)


def _top_level_names(tree: ast.Module) -> set[str]:
    """Names bound at module level: functions, classes, assignments, imports."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names
