-- Withdrawals as the daily limit sees them: pending and completed ones count, failed ones free
-- the limit again. The UTC day of requested_at is the day a withdrawal counts towards.

CREATE TABLE withdrawals (
    withdrawal_id text          PRIMARY KEY CHECK (length(withdrawal_id) BETWEEN 1 AND 200),
    user_id       text          NOT NULL REFERENCES users (user_id),
    asset         text          NOT NULL REFERENCES assets (symbol),
    amount        numeric(78,0) NOT NULL CHECK (amount > 0),
    chain         text          NOT NULL,
    address       text          NOT NULL,
    status        text          NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
    requested_at  timestamptz   NOT NULL,
    updated_at    timestamptz   NOT NULL
);

CREATE INDEX withdrawals_user_asset_day ON withdrawals (user_id, asset, requested_at);
