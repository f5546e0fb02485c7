-- Sources registered in the catalog. Manifests and tools arrive with the catalog import work.
CREATE TABLE source (
    id             UUID PRIMARY KEY,
    name           TEXT        NOT NULL,
    kind           TEXT        NOT NULL CHECK (kind IN ('openapi', 'graphql', 'mcp', 'cli')),
    scope          TEXT        NOT NULL,
    status         TEXT        NOT NULL CHECK (status IN ('draft', 'probing', 'auth_required', 'connected', 'error')),
    status_message TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (scope, name)
);
