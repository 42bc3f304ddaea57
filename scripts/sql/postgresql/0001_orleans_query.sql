-- Orleans ADO.NET query catalogue (PostgreSQL 15).
-- Orleans reads the table name unquoted, so it must be created unquoted (it folds to orleansquery).
-- Idempotent: safe to run any number of times. Later files upsert their query rows into it.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  text NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);
