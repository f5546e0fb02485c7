#!/usr/bin/env bash
# Creates the Secrets the manifests only refer to, with fresh random values, in namespace $1.
# Existing Secrets are left alone (rotation: see README.md). Nothing is written to disk or printed.
# In production prefer an external secret store (External Secrets, Vault, sealed secrets) that
# produces the same names and keys:
#   executor-db-<role>      kubernetes.io/basic-auth (username, password), role in
#                           catalog policy secrets invoker ledger keycloak; label cnpg.io/reload=true
#   keycloak-bootstrap-admin (username, password): Keycloak's temporary first admin
#   keycloak-realm-secrets  <CLIENT_ID>_CLIENT_SECRET for each confidential realm client
#   secrets-proxy-stored-keys  k1: base64 AES-256 key for stored:// secrets
# Not created here: executor-credentials, the files file:// SecretRefs point at (yours to fill).
set -euo pipefail
ns="${1:?usage: create-secrets.sh <namespace>}"
command -v kubectl >/dev/null || { echo "kubectl not found" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 1; }

random() { openssl rand -base64 36 | tr -d '/+=\n' | cut -c1-32; }
exists() { kubectl -n "$ns" get secret "$1" >/dev/null 2>&1; }

for role in catalog policy secrets invoker ledger keycloak; do
  name="executor-db-$role"
  if exists "$name"; then echo "kept    $name"; continue; fi
  kubectl -n "$ns" create secret generic "$name" --type=kubernetes.io/basic-auth \
    --from-literal=username="$role" --from-literal=password="$(random)" >/dev/null
  kubectl -n "$ns" label secret "$name" cnpg.io/reload=true >/dev/null
  echo "created $name"
done

if exists keycloak-bootstrap-admin; then echo "kept    keycloak-bootstrap-admin"; else
  kubectl -n "$ns" create secret generic keycloak-bootstrap-admin \
    --from-literal=username=bootstrap-admin --from-literal=password="$(random)" >/dev/null
  echo "created keycloak-bootstrap-admin (read it with kubectl; replace it by a real admin after first login)"
fi

if exists secrets-proxy-stored-keys; then echo "kept    secrets-proxy-stored-keys"; else
  # AES-256 key k1 for stored:// secrets (SECRETS_PROXY_STORED_KEYS in base/secrets-proxy/secrets-proxy.env).
  kubectl -n "$ns" create secret generic secrets-proxy-stored-keys \
    --from-literal=k1="$(openssl rand -base64 32)" >/dev/null
  echo "created secrets-proxy-stored-keys"
fi

if exists keycloak-realm-secrets; then echo "kept    keycloak-realm-secrets"; else
  args=()
  for client in EXECUTOR_AGENT CATALOG_SERVICE POLICY_SERVICE SECRETS_PROXY INVOKER_SERVICE RUN_LEDGER MCP_GATEWAY; do
    args+=("--from-literal=${client}_CLIENT_SECRET=$(random)")
  done
  kubectl -n "$ns" create secret generic keycloak-realm-secrets "${args[@]}" >/dev/null
  echo "created keycloak-realm-secrets"
fi
