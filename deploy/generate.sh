#!/usr/bin/env bash
# Regenerates the generated, committed parts of deploy/base:
#   - <service>/kubernetes.yml: the Quarkus Kubernetes extension's output for each service, from
#     the "## Kubernetes" section of its application.properties;
#   - keycloak/executor-realm.json: the launcher's dev realm with client secrets turned into
#     ${<CLIENT_ID>_CLIENT_SECRET} placeholders and the dev users removed.
# The same code (deploy/src/test/.../GeneratedManifestsTest) fails the build when they are stale.
# Usage: deploy/generate.sh        (then review and commit `git diff deploy/`)
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA_HOME="$(./executor java-home)"
export JAVA_HOME

services=mcp-gateway,catalog-service,policy-service,secrets-proxy,invoker-service,run-ledger
echo "Building $services (manifests land in <service>/target/kubernetes/)"
./mvnw -B -q -DskipTests package -pl "$services" -am
echo "Copying them into deploy/base/<service>/ and deriving the Keycloak realm"
./mvnw -B -q -f deploy/pom.xml test -Ddeploy.regenerate=true -Dtest=GeneratedManifestsTest
git status --short -- deploy/base 2>/dev/null || true
