-- The double-entry journal. Append-only; every operation's entries sum to zero per asset.
-- No foreign keys to users/assets on purpose: the journal records what the grains did, and an
-- outbox must never be stuck behind a missing reference row.

CREATE TABLE ledger_entries (
    seq          bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id     text          NOT NULL CHECK (length(entry_id) BETWEEN 1 AND 220),
    operation_id text          NOT NULL CHECK (length(operation_id) BETWEEN 1 AND 200),
    kind         text          NOT NULL CHECK (kind IN ('deposit', 'withdrawal_request', 'withdrawal_complete',
                                   'withdrawal_fail', 'transfer', 'order_hold', 'order_fill', 'order_release')),
    user_id      text          NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
    asset        text          NOT NULL CHECK (length(asset) BETWEEN 1 AND 16),
    bucket       text          NOT NULL CHECK (bucket IN ('available', 'held', 'external')),
    amount       numeric(78,0) NOT NULL CHECK (amount <> 0),
    created_at   timestamptz   NOT NULL,
    CONSTRAINT ledger_entries_entry_id_unique UNIQUE (entry_id)
);

CREATE INDEX ledger_entries_user_seq ON ledger_entries (user_id, seq);
CREATE INDEX ledger_entries_user_asset_seq ON ledger_entries (user_id, asset, seq);
CREATE INDEX ledger_entries_operation ON ledger_entries (operation_id, asset);

-- Second line of defence behind the code's own check: every INSERT statement must leave each
-- operation it touched balanced per asset (the journal writes whole operations per statement).
-- Statement-level with a transition table: one check per batch, not one per row.
CREATE FUNCTION ledger_entries_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced record;
BEGIN
    -- LATERAL per touched (operation, asset): an index lookup each, whatever the journal's size.
    SELECT n.operation_id, n.asset, t.total INTO unbalanced
    FROM (SELECT DISTINCT operation_id, asset FROM new_rows) n
    CROSS JOIN LATERAL (
        SELECT sum(l.amount) AS total FROM ledger_entries l
        WHERE l.operation_id = n.operation_id AND l.asset = n.asset) t
    WHERE t.total <> 0
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger operation % does not balance for asset %: entries sum to %',
            unbalanced.operation_id, unbalanced.asset, unbalanced.total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entries_balanced
    AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_check_balanced();

-- An audit journal is corrected by new entries, never edited.
CREATE FUNCTION ledger_entries_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_reject_change();
