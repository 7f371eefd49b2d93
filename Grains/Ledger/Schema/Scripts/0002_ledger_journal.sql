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

-- Second line of defence behind the code's own check: at commit, each operation touched must
-- balance per asset.
CREATE FUNCTION ledger_entries_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT sum(amount) FROM ledger_entries
        WHERE operation_id = NEW.operation_id AND asset = NEW.asset) <> 0 THEN
        RAISE EXCEPTION 'ledger operation % does not balance for asset %', NEW.operation_id, NEW.asset
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER ledger_entries_balanced
    AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_check_balanced();

-- An audit journal is corrected by new entries, never edited.
CREATE FUNCTION ledger_entries_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_reject_change();
