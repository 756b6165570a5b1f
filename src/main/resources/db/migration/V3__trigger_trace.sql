-- Tracing on: the trigger's W3C traceparent, so that the conversation's history deliveries join its trace.
alter table tracked_conversation add column trace_parent varchar(100);
