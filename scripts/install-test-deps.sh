#!/usr/bin/env bash
# Optional test dependencies: Debian's chromium (the HTML report's browser test), the PyPI
# package openapi-spec-validator (a second opinion on the OpenAPI export) and the official
# Huawei Cloud Python SDKs (their clients are run against the reference server). Tests that need them
# skip with a message when they are missing, so this script never fails the build: each step
# is tolerated to fail (no network, not root, no apt).
set -uo pipefail

if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
        echo "== installing chromium (Debian package) for the HTML report test"
        $SUDO apt-get update -qq >/dev/null 2>&1 || echo "apt-get update failed; continuing"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 \
            || echo "chromium could not be installed; the browser test will be skipped"
    else
        echo "no apt-get: the HTML browser test will be skipped"
    fi
fi

if command -v python3 >/dev/null 2>&1; then
    if ! python3 -c "import openapi_spec_validator" >/dev/null 2>&1; then
        echo "== installing openapi-spec-validator (PyPI) for the OpenAPI cross-check"
        python3 -m pip install -q openapi-spec-validator >/dev/null 2>&1 \
            || echo "openapi-spec-validator could not be installed; that test will be skipped"
    fi
    if ! python3 -c "import huaweicloudsdkges, huaweicloudsdkgaussdbfornosql" >/dev/null 2>&1; then
        echo "== installing the official Huawei Cloud Python SDKs (PyPI) for the SDK interoperability tests"
        python3 -m pip install -q huaweicloudsdkcore huaweicloudsdkges huaweicloudsdkgaussdbfornosql >/dev/null 2>&1 \
            || echo "the Huawei Cloud SDKs could not be installed; the SDK tests will be skipped"
    fi
fi
exit 0
