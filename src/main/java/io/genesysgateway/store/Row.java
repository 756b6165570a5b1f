package io.genesysgateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** The current row of a query, its columns by position (from 1) or by name; timestamps as {@link Instant}. */
public final class Row {

    private final ResultSet rs;
    private final Timestamps times;

    Row(ResultSet rs, Timestamps times) {
        this.rs = rs;
        this.times = times;
    }

    public String text(int column) throws SQLException {
        return rs.getString(column);
    }

    public String text(String column) throws SQLException {
        return rs.getString(column);
    }

    public int integer(int column) throws SQLException {
        return rs.getInt(column);
    }

    public int integer(String column) throws SQLException {
        return rs.getInt(column);
    }

    public long number(int column) throws SQLException {
        return rs.getLong(column);
    }

    /** A timestamp column, or null. */
    public Instant instant(int column) throws SQLException {
        return times.read(rs, column);
    }

    public Instant instant(String column) throws SQLException {
        return times.read(rs, column);
    }
}
