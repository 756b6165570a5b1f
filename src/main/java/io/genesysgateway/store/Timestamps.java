package io.genesysgateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Timestamps as the store keeps them. Columns are {@code timestamp with time zone}: PostgreSQL takes the value as
 * such, SQLite (no time type) as fixed-width UTC text, which compares and sorts as time does.
 */
final class Timestamps {

    private final boolean sqlite;

    Timestamps(boolean sqlite) {
        this.sqlite = sqlite;
    }

    boolean isSqlite() {
        return sqlite;
    }

    /** A timestamp parameter. */
    Object parameter(Instant at) {
        return sqlite ? sqliteText(at) : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /**
     * uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z' in UTC: one fixed width, so that text order is time order. Written by hand
     * because the store writer does this for every row and a DateTimeFormatter took a sixth of its time.
     */
    static String sqliteText(Instant at) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(at.getEpochSecond(), at.getNano(), ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(27);
        digits(text, t.getYear(), 4).append('-');
        digits(text, t.getMonthValue(), 2).append('-');
        digits(text, t.getDayOfMonth(), 2).append('T');
        digits(text, t.getHour(), 2).append(':');
        digits(text, t.getMinute(), 2).append(':');
        digits(text, t.getSecond(), 2).append('.');
        return digits(text, t.getNano() / 1000, 6).append('Z').toString();
    }

    private static StringBuilder digits(StringBuilder text, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(s);
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
