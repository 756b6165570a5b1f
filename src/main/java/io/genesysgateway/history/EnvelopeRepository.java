package io.genesysgateway.history;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import io.genesysgateway.store.Sql;

/**
 * The table {@code history_envelope}: the notification of each record, written once and kept apart from the rows
 * an attempt updates. Read with its record ({@link DeliveryRepository#load}).
 */
public class EnvelopeRepository {

    /** The notifications of new records (rows of key and envelope), in one batch. */
    void insert(Sql sql, List<Object[]> rows) throws SQLException {
        sql.batch("insert into history_envelope (idempotency_key, envelope) values (?, ?)", rows);
    }

    /** Deletes the envelopes of delivered records of conversations closed before the cutoff. */
    int purgeDeliveredOfClosedBefore(Sql sql, Instant cutoff) throws SQLException {
        return sql.update("delete from history_envelope where idempotency_key in (" + DeliveryRepository.DELIVERED_OF_CLOSED
                + ")", cutoff);
    }
}
