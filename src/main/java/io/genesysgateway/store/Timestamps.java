package io.genesysgateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps as the store keeps them. Columns are {@code timestamp with time zone}: PostgreSQL takes the value as
 * such, SQLite (no time type) as fixed-width UTC text, which compares and sorts as time does.
 */
final class Timestamps {

    /** One fixed width, so that text order is time order. */
    private static final DateTimeFormatter SQLITE_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final boolean sqlite;

    Timestamps(boolean sqlite) {
        this.sqlite = sqlite;
    }

    /** A timestamp parameter. */
    Object parameter(Instant at) {
        return sqlite ? SQLITE_TIME.format(at) : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /** A timestamp column read back, or null. */
    Instant read(ResultSet rs, int column) throws SQLException {
        return sqlite ? parse(rs.getString(column)) : toInstant(rs.getObject(column, OffsetDateTime.class));
    }

    Instant read(ResultSet rs, String column) throws SQLException {
        return sqlite ? parse(rs.getString(column)) : toInstant(rs.getObject(column, OffsetDateTime.class));
    }

    private static Instant parse(String text) {
        return text == null ? null : Instant.parse(text);
    }

    private static Instant toInstant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
