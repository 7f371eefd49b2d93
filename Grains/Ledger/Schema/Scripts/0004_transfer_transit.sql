-- Transfers are journaled one leg per wallet: the payer's debit moves its available into its
-- 'transit' bucket, the payee's credit moves it out to the payee's available (or a refund back
-- to the payer). Each wallet thereby journals only what its own state write made, and a
-- transfer's legs can be written in any order by different silos.
ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_bucket_check,
    ADD CONSTRAINT ledger_entries_bucket_check CHECK (bucket IN ('available', 'held', 'external', 'transit'));

ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_kind_check,
    ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('deposit', 'withdrawal_request', 'withdrawal_complete',
        'withdrawal_fail', 'transfer', 'transfer_refund', 'order_hold', 'order_fill', 'order_release'));
