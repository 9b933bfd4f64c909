"""Every command has help and is documented in the README; the generated docs are current."""

import click
import pytest
from click.testing import CliRunner

from graph.settings import PROJECT_ROOT
from influence_graph.cli import main
from influence_graph.docs import stale_pages


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path)


COMMANDS = [path for path, _ in all_commands(main)]


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = dict(all_commands(main))[path]
    assert command.help and len(command.help.strip()) > 10
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    leaf = path[-1]
    assert f"influence {' '.join(path)}" in readme or (f"influence {' '.join(path[:-1])}" in readme and f"`{leaf}`" in readme)


def test_generated_docs_are_up_to_date():
    assert stale_pages() == [], "run `influence docs` and commit the result"
