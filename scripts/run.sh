#!/usr/bin/env bash
# Builds and starts the licensing server on the embedded default storage
# (SQLite under ./data in the repository root).
#
#   scripts/run.sh [server args, e.g. --urls http://0.0.0.0:9000]
#
# Defaults (each only if not already set): ASPNETCORE_URLS=http://localhost:8080
# (skipped when --urls is passed), Licensing__DataDirectory=<repo>/data (dotnet run
# starts the app in the project directory, so a relative path would land there) and
# Licensing__Webhooks__AllowPrivateTargets=true so webhooks can target local
# receivers during development.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}
export Licensing__DataDirectory=${Licensing__DataDirectory:-$root/data}
export Licensing__Webhooks__AllowPrivateTargets=${Licensing__Webhooks__AllowPrivateTargets:-true}

has_urls_arg=false
for arg in "$@"; do
    case "$arg" in
        --urls | --urls=*) has_urls_arg=true ;;
    esac
done
if [ -z "${ASPNETCORE_URLS:-}" ] && [ "$has_urls_arg" = false ]; then
    export ASPNETCORE_URLS=http://localhost:8080
fi

# --no-launch-profile: Properties/launchSettings.json must not override the settings above.
exec dotnet run --project src/OrleansLicensing.Server -c Release --no-launch-profile -- "$@"
