package io.genesysgateway.cluster;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import io.genesysgateway.store.Sql;

/**
 * The table {@code genesys_client}: one row per OAuth client of the cluster, written every second by that client's
 * leader. Each method is one statement inside the caller's unit of work.
 */
public class ClientRepository {

    /** A client as its leader last reported it. */
    public record Reported(String client, int capacity, String leaderInstance, Instant seenAt) {
    }

    /** The leader of {@code client} is there now, with room for {@code capacity} open conversations. */
    public void report(Sql sql, String client, int capacity, String leaderInstance, Instant now) throws SQLException {
        sql.update("insert into genesys_client (client_id, capacity, leader_instance, seen_at) values (?, ?, ?, ?)"
                + " on conflict (client_id) do update set capacity = excluded.capacity,"
                + " leader_instance = excluded.leader_instance, seen_at = excluded.seen_at",
                client, capacity, leaderInstance, now);
    }

    /** The clients whose leader reported since {@code since}, by client id. */
    public List<Reported> reportedSince(Sql sql, Instant since) throws SQLException {
        return sql.list("select client_id, capacity, leader_instance, seen_at from genesys_client where seen_at >= ?"
                + " order by client_id", 0, row -> new Reported(row.text(1), row.integer(2), row.text(3), row.instant(4)), since);
    }
}
