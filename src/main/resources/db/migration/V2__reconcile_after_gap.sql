-- After a socket gap or a restart a conversation is asked about more than once: soon (most wrap-ups are in
-- analytics within seconds), then again for what analytics had not settled yet. This counts the passes left.
alter table tracked_conversation add column gap_passes_left integer not null default 0;
