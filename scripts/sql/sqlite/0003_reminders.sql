-- Reminders (Orleans AdoNetReminderTable), SQLite. Single process only.
-- Contract: /work/shared/reference/orleans-adonet.md section 4. Idempotent.
-- start_time is stored as the TEXT Microsoft.Data.Sqlite binds for a DateTime
-- ('yyyy-MM-dd HH:mm:ss.FFFFFFF', UTC); it is only stored and returned, never compared.
-- grain_hash is stored as the signed int Orleans passes; range reads compare signed.
-- period is in milliseconds. version starts at 0 and wraps from int.MaxValue back to 0.

CREATE TABLE IF NOT EXISTS licensing_reminders (
    service_id    TEXT    NOT NULL,
    grain_id      TEXT    NOT NULL,
    reminder_name TEXT    NOT NULL,
    start_time    TEXT    NOT NULL,
    period        INTEGER NOT NULL,
    grain_hash    INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS ix_licensing_reminders_hash
    ON licensing_reminders (service_id, grain_hash);

-- Unconditional upsert (last writer wins): version 0 on insert, + 1 on update. Returns Version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
INSERT INTO licensing_reminders
    (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
   SET start_time = excluded.start_time,
       period = excluded.period,
       grain_hash = excluded.grain_hash,
       version = CASE WHEN version >= 2147483647 THEN 0 ELSE version + 1 END
RETURNING version AS Version;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
SELECT grain_id      AS GrainId,
       reminder_name AS ReminderName,
       start_time    AS StartTime,
       period        AS Period,
       version       AS Version
  FROM licensing_reminders
 WHERE service_id = @ServiceId
   AND grain_id = @GrainId;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
SELECT grain_id      AS GrainId,
       reminder_name AS ReminderName,
       start_time    AS StartTime,
       period        AS Period,
       version       AS Version
  FROM licensing_reminders
 WHERE service_id = @ServiceId
   AND grain_id = @GrainId
   AND reminder_name = @ReminderName;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Non-wrapping range, used when (int)begin < (int)end.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
SELECT grain_id      AS GrainId,
       reminder_name AS ReminderName,
       start_time    AS StartTime,
       period        AS Period,
       version       AS Version
  FROM licensing_reminders
 WHERE service_id = @ServiceId
   AND grain_hash > @BeginHash
   AND grain_hash <= @EndHash;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Wrapping range; also used for begin = end (the full ring), where it returns every row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
SELECT grain_id      AS GrainId,
       reminder_name AS ReminderName,
       start_time    AS StartTime,
       period        AS Period,
       version       AS Version
  FROM licensing_reminders
 WHERE service_id = @ServiceId
   AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Delete if the version matches. The DELETE returns no rows; changes() then yields exactly one
-- row, one column: 1 deleted, 0 not.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
DELETE FROM licensing_reminders
 WHERE service_id = @ServiceId
   AND grain_id = @GrainId
   AND reminder_name = @ReminderName
   AND version = @Version;
SELECT changes() AS Deleted;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
DELETE FROM licensing_reminders WHERE service_id = @ServiceId;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
