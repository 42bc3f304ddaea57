-- The web console (docs/console.md). Idempotent.
--
-- licensing_console_sessions: one row per signed-in browser. The cookie holds a random 256-bit
-- token; only its SHA-256 is stored here, so a copy of the database signs nobody in. A vendor
-- session names the API key it signed in with by the key's hash (never the key), and every request
-- checks that key again (revoked, expired, scopes, suspended account). An operator session stores
-- the hash of the operator token it signed in with; changing the token ends it.
-- Times are Unix milliseconds (UTC). Any silo reads any session: the table is the shared state.
CREATE TABLE IF NOT EXISTS licensing_console_sessions (
    token_hash     text    NOT NULL PRIMARY KEY,  -- lowercase hex SHA-256 of the cookie's token
    kind           text    NOT NULL,              -- 'vendor' or 'operator'
    account_id     text    NULL,                  -- vendor: the account
    credential     text    NOT NULL,              -- vendor: hash of the API key; operator: hash of the token
    created_at     bigint  NOT NULL,
    expires_at     bigint  NOT NULL,              -- absolute end
    last_seen_at   bigint  NOT NULL               -- idle expiry counts from here (refreshed at most once a minute)
);

CREATE INDEX IF NOT EXISTS ix_licensing_console_sessions_expires
    ON licensing_console_sessions (expires_at);

-- ASP.NET Core data-protection keys (they protect the console's anti-forgery tokens), shared by
-- every silo so that a form rendered by one silo is accepted by another. Each key's XML is
-- encrypted under the master key before it is stored.
CREATE TABLE IF NOT EXISTS licensing_data_protection_keys (
    name       text    NOT NULL PRIMARY KEY,
    xml        text    NOT NULL,
    created_at bigint  NOT NULL
);
