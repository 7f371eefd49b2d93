-- Reference data: asset registry, users with their KYC tier, daily withdrawal limits, allow-list.
-- Amounts are integers in base units up to 2^256-1 (78 decimal digits).

CREATE TABLE assets (
    symbol           text        PRIMARY KEY CHECK (symbol ~ '^[A-Z0-9]{1,16}$'),
    chain            text        NOT NULL CHECK (chain ~ '^[a-z0-9-]{1,32}$'),
    decimals         integer     NOT NULL CHECK (decimals BETWEEN 0 AND 77),
    contract_address text        NULL,
    enabled          boolean     NOT NULL DEFAULT true,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    user_id    text        PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 128),
    kyc_tier   integer     NOT NULL CHECK (kyc_tier BETWEEN 0 AND 9),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The limit every user of a tier gets for an asset. No row: that tier may not withdraw the asset.
CREATE TABLE tier_limits (
    kyc_tier               integer       NOT NULL CHECK (kyc_tier BETWEEN 0 AND 9),
    asset                  text          NOT NULL REFERENCES assets (symbol),
    daily_withdrawal_limit numeric(78,0) NOT NULL CHECK (daily_withdrawal_limit >= 0),
    PRIMARY KEY (kyc_tier, asset)
);

-- A per-user exception to the tier's limit (raised for a market maker, lowered after a review).
CREATE TABLE user_limit_overrides (
    user_id                text          NOT NULL REFERENCES users (user_id),
    asset                  text          NOT NULL REFERENCES assets (symbol),
    daily_withdrawal_limit numeric(78,0) NOT NULL CHECK (daily_withdrawal_limit >= 0),
    PRIMARY KEY (user_id, asset)
);

-- Addresses are stored normalised (EVM and bech32 lower-case) so equality is plain text equality.
CREATE TABLE withdrawal_allowlist (
    user_id    text        NOT NULL REFERENCES users (user_id),
    chain      text        NOT NULL,
    address    text        NOT NULL CHECK (length(address) BETWEEN 1 AND 128),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT withdrawal_allowlist_unique UNIQUE (user_id, chain, address)
);
