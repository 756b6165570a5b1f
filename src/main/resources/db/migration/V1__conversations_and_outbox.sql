-- The gateway's durable state. Portable SQL: the same script runs on the embedded SQLite file and on
-- PostgreSQL (SQLite keeps the timestamps as fixed-width UTC text, see Database.ts).

-- One row per conversation the gateway was told about (the trigger), kept after it closes for the retention period.
create table tracked_conversation (
    conversation_id  varchar(36)    primary key,
    context          varchar(65536) not null,          -- the trigger's other fields, JSON
    state            varchar(24)    not null,          -- ConversationState, lower case
    channel_id       varchar(200),                      -- notification channel holding its topic
    resubscribe      boolean        not null default false, -- its topic must be put on a channel (again)
    problem          varchar(2000),                     -- why it waits, failed or closed without a record
    acw_events       integer        not null default 0, -- distinct wrap-ups recorded (live or reconciled)
    tracked_at       timestamp with time zone not null,
    subscribed_at    timestamp with time zone,
    last_acw_at      timestamp with time zone,
    delivered_at     timestamp with time zone,
    reconcile_at     timestamp with time zone,          -- when to ask Genesys' analytics what happened
    reconcile_reason varchar(40),
    reconciled_at    timestamp with time zone,
    closed_at        timestamp with time zone           -- Genesys is done with it: topic unsubscribed for good
);
create index tracked_conversation_reconcile on tracked_conversation (reconcile_at);
create index tracked_conversation_state on tracked_conversation (state);

-- The outbox: one row per wrap-up, written before the event counts as received, keyed by its Idempotency-Key.
-- The notification itself is in history_envelope: written once, it stays out of the rows updated per attempt.
create table history_delivery (
    idempotency_key varchar(200)     primary key,
    conversation_id varchar(36)      not null,
    source          varchar(12)      not null,         -- live | reconciled
    state           varchar(12)      not null,         -- pending | delivered | dead_letter
    attempts        integer          not null default 0,
    next_attempt_at timestamp with time zone not null, -- also the lease of an attempt in flight
    received_at     timestamp with time zone not null,
    queued_at       timestamp with time zone not null, -- received, or replayed: the age limit counts from here
    delivered_at    timestamp with time zone,
    last_error      varchar(2000),
    failure_kind    varchar(12)                         -- unavailable (replayed on recovery) | rejected
);
create index history_delivery_due on history_delivery (state, next_attempt_at);
create index history_delivery_conversation on history_delivery (conversation_id);

create table history_envelope (
    idempotency_key varchar(200)     primary key,
    envelope        varchar(1000000) not null          -- the ACW notification (live, or rebuilt by reconciliation)
);
