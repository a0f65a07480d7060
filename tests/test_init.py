"""`outillerie init`: a new library that passes `check`, exports, and whose YAML and CI files are what GitLab, GitHub
and pre-commit read."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from outillerie import __version__
from outillerie.cli import cli
from outillerie.sheets.config import read_config
from outillerie.sheets.fields import Collector
from outillerie.sheets.frontmatter import read_yaml_document
from outillerie.sheets.starter import EXAMPLE_SLUG, STARTER_FILES, create_library

from .htmltree import parse

LAYOUT = [".github/workflows/outillerie.yml", ".gitignore", ".gitlab-ci.yml", ".pre-commit-config.yaml",
          "CONTRIBUTING.md", "README.md", "outillerie.yml", f"resources/{EXAMPLE_SLUG}/index.md"]


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def yaml_file(path: Path) -> dict[str, Any]:
    """A YAML file read by the project's bounded reader (the one of sheets and outillerie.yml), with no problem."""
    out = Collector(path.name)
    read = read_yaml_document(path.read_text(encoding="utf-8"), out)
    assert out.problems == [] and read is not None, [str(p) for p in out.problems]
    return read[0]


@pytest.fixture
def created(tmp_path: Path) -> Path:
    result = run("init", str(tmp_path / "fiches-du-hub"), "--name", "Les fiches « du Hub »")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Bibliothèque créée dans {tmp_path / 'fiches-du-hub'} :"
    return tmp_path / "fiches-du-hub"


def test_init_writes_the_library_and_says_what_to_do_next(created: Path) -> None:
    assert sorted(p.relative_to(created).as_posix() for p in created.rglob("*") if p.is_file()) == LAYOUT
    assert "Prochaines étapes" in run("init", str(created.parent / "autre")).stderr


def test_the_new_library_passes_check_and_exports(created: Path, tmp_path: Path) -> None:
    result = run("--library", str(created), "check", "--strict")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "1 fiche vérifiée : aucun problème.\n")
    result = run("--library", str(created), "export", "--output", str(tmp_path / "site"), "--no-pdf")
    assert result.exit_code == 0, result.output
    home = parse((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert home.find("p", class_="nom-site").text == "Les fiches « du Hub »"
    sheet = json.loads((tmp_path / "site" / "catalogue.json").read_text(encoding="utf-8"))["sheets"][0]
    assert sheet["slug"] == EXAMPLE_SLUG and sheet["status"] == "publiee" and sheet["created"] == dt.date.today().isoformat()


def test_the_configuration_is_a_commented_template_that_reads_as_the_defaults(created: Path) -> None:
    text = (created / "outillerie.yml").read_text(encoding="utf-8")
    assert text.startswith("# La configuration de cette bibliothèque de fiches")
    config, problems = read_config(created)
    assert problems == () and config.name == "Les fiches « du Hub »" and config.license == "CC-BY-SA-4.0"
    commented = [line[2:] for line in text.splitlines() if re.fullmatch(r"# (  )?[a-z_]+:( .*)?", line)]
    assert {line.split(":")[0] for line in commented if not line.startswith(" ")} == {
        "hub", "logo", "colour", "site_url", "counter_url", "repository", "branch", "edit_url", "authors"}
    assert [line.split(":")[0].strip() for line in commented if line.startswith(" ")] == ["name", "url", "email"]
    assert set(yaml_file(created / "outillerie.yml")) == {"name", "description", "license"}  # the rest is explained


def test_the_gitlab_ci_checks_then_publishes_to_pages(created: Path) -> None:
    ci = yaml_file(created / ".gitlab-ci.yml")
    assert ci["stages"] == ["verifier", "publier"]
    assert ci["verifier"]["script"][-1] == "outillerie check"
    pages = ci["pages"]
    assert pages["stage"] == "publier" and pages["script"][-1] == "outillerie export --output public"
    assert pages["artifacts"] == {"paths": ["public"]}
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert ci["variables"]["OUTILLERIE"] == f"outillerie=={__version__}"


def test_the_github_workflow_checks_then_deploys_to_pages(created: Path) -> None:
    workflow = yaml_file(created / ".github" / "workflows" / "outillerie.yml")
    assert set(workflow["on"]) == {"push", "pull_request", "workflow_dispatch"}  # « on », not True
    check, publish = workflow["jobs"]["verifier"], workflow["jobs"]["publier"]
    assert check["steps"][-1] == {"run": "outillerie check"}
    assert publish["needs"] == "verifier" and publish["permissions"] == {"contents": "read", "pages": "write",
                                                                         "id-token": "write"}
    steps = publish["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    assert {"run": "outillerie export --output site"} in steps
    upload = steps.index({"uses": "actions/upload-pages-artifact@v3", "with": {"path": "site"}})
    assert steps[upload + 1] == {"id": "deploiement", "uses": "actions/deploy-pages@v4"}
    assert publish["environment"] == {"name": "github-pages", "url": "${{ steps.deploiement.outputs.page_url }}"}


def test_pre_commit_runs_check_as_the_repository_hook_does(created: Path) -> None:
    hook = yaml_file(created / ".pre-commit-config.yaml")["repos"][0]
    assert hook["repo"] == "local"
    assert hook["hooks"] == [{"id": "outillerie-check", "name": "outillerie check (vérifie les fiches ateliers)",
                              "entry": "outillerie check --strict", "language": "system",
                              "files": "^(resources/|programmes/|outillerie\\.yml$)", "pass_filenames": False}]
    shipped = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: outillerie-check\n" in shipped and "  entry: outillerie check --strict\n" in shipped
    assert (created / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == [
        "index/", "site/", "public/", "*.sqlite3*"]


def test_the_contributors_guide_is_plain_french(created: Path) -> None:
    guide = (created / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for said in ("Proposer une modification", "git switch -c", "outillerie new", "outillerie check", "pre-commit install"):
        assert said in guide, said
    assert "# Les fiches « du Hub »" == (created / "README.md").read_text(encoding="utf-8").splitlines()[0]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "plein").mkdir()
    (tmp_path / "plein" / "notes.txt").write_text("à garder", encoding="utf-8")
    result = run("init", str(tmp_path / "plein"))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"Erreur : le dossier « {tmp_path / 'plein'} » n'est pas vide : outillerie init ne crée une "
                             "bibliothèque que dans un dossier vide ou nouveau, pour ne rien écraser. Pour corriger : "
                             "choisissez un nouveau dossier (outillerie init mes-fiches), ou videz celui-ci.\n")
    assert [p.name for p in (tmp_path / "plein").iterdir()] == ["notes.txt"]
    assert run("init", str(tmp_path / "plein" / "notes.txt")).stderr.startswith(
        f"Erreur : « {tmp_path / 'plein' / 'notes.txt'} » est un fichier, pas un dossier.")
    (tmp_path / "vide").mkdir()
    assert run("init", str(tmp_path / "vide")).exit_code == 0


def test_every_starter_file_is_package_data() -> None:
    setup = (Path(__file__).parent.parent / "setup.cfg").read_text(encoding="utf-8")
    assert "    data/*/*\n" in setup  # data/init/<file>: no starter file is hidden nor in a sub-folder
    assert all("/" not in source and not source.startswith(".") for source, _ in STARTER_FILES)
    assert create_library.__module__ == "outillerie.sheets.starter"
