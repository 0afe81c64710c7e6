"""The plugin manager: entry points, registries, collisions, failures."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pretty_framework import PriorProvider, hookimpl
from pretty_framework.errors import PluginError, RegistrationConflictError, UnknownNameError
from pretty_framework.plugin.manager import Plugins

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pretty-plugin-example"


class Echo(PriorProvider):
    name = "echo"

    def priors(self, requests):
        return [None for _ in requests]


class EchoPlugin:
    @hookimpl
    def register_prior_providers(self, register):
        register(Echo)


class ClashPlugin:
    @hookimpl
    def register_prior_providers(self, register):
        register(Echo)


def test_builtin_plugins_come_through_entry_points(plugins):
    assert plugins.providers.plugin_of("oracle") == "basic"
    assert plugins.info["basic"].distribution == "pretty-framework"
    assert plugins.info["basic"].registers == {"providers": ["none", "text", "oracle"]}
    assert plugins.backends.plugin_of("transformers") == "pretty_framework"
    assert "translation" in plugins.tasks


def test_plugin_registered_and_unregistered_inside_a_test(plugins):
    plugins.register(EchoPlugin(), name="echo-plugin")
    assert plugins.providers.get("echo") is Echo
    plugins.unregister("echo-plugin")
    assert "echo" not in plugins.providers


def test_name_collision_names_both_plugins(plugins):
    plugins.register(EchoPlugin(), name="first")
    with pytest.raises(RegistrationConflictError, match="by plugin 'first' and by plugin 'second'"):
        plugins.register(ClashPlugin(), name="second")


def test_unknown_provider_lists_the_known_ones(plugins):
    with pytest.raises(UnknownNameError) as error:
        plugins.providers.get("orcale")
    message = str(error.value)
    assert "unknown prior provider 'orcale'" in message and "did you mean 'oracle'" in message
    assert "known: " + ", ".join(plugins.providers.names()) in message and "none, oracle" in message


def test_a_registration_hook_that_raises_names_its_plugin(plugins):
    class Broken:
        @hookimpl
        def register_tasks(self, register):
            raise RuntimeError("boom")

    with pytest.raises(PluginError, match="plugin 'broken': register_tasks failed: RuntimeError: boom"):
        plugins.register(Broken(), name="broken")


def _install_distribution(site: Path, name: str, module_source: str) -> None:
    """Lay out an installed distribution (dist-info + module) the way pip does."""
    (site / f"{name}.py").write_text(textwrap.dedent(module_source))
    dist_info = site / f"{name}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[pretty_framework]\n{name} = {name}\n")


def test_a_plugin_that_fails_to_import_is_left_out_and_named(tmp_path, monkeypatch):
    _install_distribution(tmp_path, "brokenplugin", "raise ImportError('needs libfoo')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    loaded = Plugins()
    reason = loaded.broken["brokenplugin"]
    assert "failed to load 'brokenplugin'" in reason and "needs libfoo" in reason
    assert "PRETTY_DISABLE_PLUGINS=brokenplugin" in reason
    assert "oracle" in loaded.providers  # every other plugin still works
    with pytest.raises(UnknownNameError, match="left out because they failed: brokenplugin"):
        loaded.providers.get("brokens-provider")
    assert "brokenplugin" not in Plugins(disabled=["brokenplugin"]).info


def test_a_plugin_whose_registration_fails_contributes_nothing(tmp_path, monkeypatch):
    _install_distribution(tmp_path, "halfplugin", """
        from pretty_framework.api import hookimpl, PriorProvider

        class Half(PriorProvider):
            name = "half"
            def priors(self, requests):
                return [None for _ in requests]

        @hookimpl
        def register_prior_providers(register):
            register(Half)
            raise RuntimeError("then it broke")
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    loaded = Plugins()
    assert "then it broke" in loaded.broken["halfplugin"] and "half" not in loaded.providers


@pytest.mark.parametrize("args, expected", [(["--help"], "Usage"), (["--version"], "version"),
                                            (["plugins"], "brokenplugin  (brokenplugin 1.0)  BROKEN")])
def test_a_broken_plugin_blocks_no_command(tmp_path, args, expected):
    _install_distribution(tmp_path, "brokenplugin", "raise ImportError('needs libfoo')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", "from pretty_framework.cli import main; main()", *args],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0 and expected in result.stdout, result.stderr
    assert "Traceback" not in result.stderr and "needs libfoo" in result.stdout + result.stderr


def test_third_party_example_installs_and_registers_through_its_entry_point(tmp_path, monkeypatch):
    """Build and install examples/pretty-plugin-example with pip, then load it like any plugin."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(EXAMPLE)],
        check=True, capture_output=True,
    )
    assert not (target / "pretty_example_plugin").is_symlink()
    monkeypatch.syspath_prepend(str(target))
    loaded = Plugins()
    assert loaded.providers.plugin_of("source-names") == "example"
    assert loaded.info["example"].distribution == "pretty-example-plugin"
    from pretty_framework import PriorRequest

    provider = loaded.providers.get("source-names").from_options({"skip_first": "true"})
    prior = provider.priors([PriorRequest.of("1", "On Monday, scientists from Stanford said", "eng_Latn", "deu_Latn")])[0]
    assert prior.text == "Monday" and prior.provenance.provider == "source-names" and prior.cut is False
    from pretty_framework.testing import assert_provider_contract

    requests = [PriorRequest.of(str(i), text, "eng_Latn", "deu_Latn") for i, text in
                enumerate(["On Monday, scientists from Stanford said", "The JAS 39C Gripen crashed", "no names here"])]
    assert_provider_contract(provider, requests[:2], unservable=requests[2:], min_served=2)
