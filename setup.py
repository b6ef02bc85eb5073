"""The wheel carries the vocabulary and the shapes: ontology/*.ttl and shapes/*.ttl are copied into
service/bundled/ when the package is built, so the repository keeps them at its top and a checkout (or an
editable install, which reads them there) runs as it is. Everything else is declared in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("ontology", "shapes")


class BuildWithVocabulary(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder in BUNDLED:
            target = Path(self.build_lib) / "service" / "bundled" / folder
            self.mkpath(str(target))
            for path in sorted(Path(folder).glob("*.ttl")):
                self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildWithVocabulary})
