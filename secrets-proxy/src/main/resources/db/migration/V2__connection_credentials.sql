-- Issue #5: auth template fill, source id, explicit egress rules and status per connection;
-- secret values written through the API (stored://), sealed with AES-256-GCM; cached OAuth2 tokens,
-- sealed the same way. No column ever holds a secret value in clear.
ALTER TABLE connection
    ADD COLUMN source_id  TEXT,
    ADD COLUMN auth       JSONB       NOT NULL DEFAULT '{"kind":"none"}'::jsonb,
    ADD COLUMN egress     JSONB       NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN status     TEXT        NOT NULL DEFAULT 'ACTIVE',
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- One sealed value per row; key_id names the key it is sealed under, so keys can rotate.
CREATE TABLE stored_secret (
    id            UUID PRIMARY KEY,
    connection_id UUID        NOT NULL REFERENCES connection (id) ON DELETE CASCADE,
    key_id        TEXT        NOT NULL,
    nonce         BYTEA       NOT NULL,
    ciphertext    BYTEA       NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stored_secret_connection ON stored_secret (connection_id);
CREATE INDEX stored_secret_key ON stored_secret (key_id);

-- The current OAuth2 token of a connection (access token, and the latest refresh token), sealed.
-- Shared by the replicas: a refresh holds an advisory lock on the connection and bumps generation.
CREATE TABLE oauth_token (
    connection_id UUID PRIMARY KEY REFERENCES connection (id) ON DELETE CASCADE,
    key_id        TEXT        NOT NULL,
    nonce         BYTEA       NOT NULL,
    ciphertext    BYTEA       NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    generation    BIGINT      NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
