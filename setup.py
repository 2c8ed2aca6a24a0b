"""Packaging for agents-lite: a synchronous, dependency-light SDK for LLM agents."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "agents_lite" / "version.py").read_text(), re.M
).group(1)

EXTRAS = {
    "redis": ["redis>=4.5"],
    "voice": ["pyaudio>=0.2.13"],
    "realtime": ["websocket-client>=1.6"],
    "rq": ["rq>=2.0", "redis>=4.5"],
    "celery": ["celery[redis]>=5.3", "redis>=4.5"],
    "test": [
        "pytest>=7.4",
        "pytest-timeout>=2.2",
        "pytest-xdist>=3.5",
        "mcp>=2.3,<3",
        "opentelemetry-proto>=1.20",
        "flask>=2.3",
        "selenium>=4.15",
        "ruff>=0.5",
        "mypy>=1.8",
        "types-requests",
        "numpy",
    ],
}
EXTRAS["all"] = sorted(
    {dep for name, deps in EXTRAS.items() if name != "test" for dep in deps}
)

setup(
    name="agents-lite",
    version=VERSION,
    description="A synchronous, dependency-light SDK for building LLM agents",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    packages=find_packages(include=["agents_lite", "agents_lite.*"]),
    package_data={"agents_lite": ["py.typed"]},
    include_package_data=True,
    install_requires=["requests>=2.28", "jsonschema>=4.17", "sseclient-py>=1.8"],
    extras_require=EXTRAS,
    entry_points={"console_scripts": ["agents-lite=agents_lite.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Typing :: Typed",
    ],
)
