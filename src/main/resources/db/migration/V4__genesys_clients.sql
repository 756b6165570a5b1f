-- Several OAuth clients in one cluster (each instance drives one, GENESYS_CLIENT_ID): the client whose channels carry
-- each conversation's topic. Null on rows from before: the first leader to start adopts them.
alter table tracked_conversation add column genesys_client varchar(200);
create index tracked_conversation_client on tracked_conversation (genesys_client, closed_at);

-- Each client's leader says every second that it is there and how many conversations its channels can carry; the
-- instances read it to give a new conversation to the client with room.
create table genesys_client (
    client_id       varchar(200)   primary key,
    capacity        integer        not null,          -- (channels - 1 spare) x topics per channel
    leader_instance varchar(200)   not null,
    seen_at         timestamp with time zone not null
);
