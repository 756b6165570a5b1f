package io.genesysgateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The statements of one unit of work, on one connection (see {@link Database#write} and {@link Database#read}):
 * parameters are bound in order, an {@link Instant} as the store keeps timestamps, and rows are read as {@link Row}.
 */
public final class Sql {

    /** Work done with the statements of one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Sql sql) throws SQLException;
    }

    /** Work done with the statements of one connection, for its effect. */
    @FunctionalInterface
    public interface Step {
        void run(Sql sql) throws SQLException;
    }

    /** Turns the current row into a value. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Row row) throws SQLException;
    }

    private final Connection connection;
    private final Timestamps times;

    Sql(Connection connection, Timestamps times) {
        this.connection = connection;
        this.times = times;
    }

    /** Runs one statement; the number of rows it changed. */
    public int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, 0, args);
            return ps.executeUpdate();
        }
    }

    /** Runs one statement per key (its last parameter), the other parameters first, as one batch. */
    public void updateEach(String sql, Collection<String> keys, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (String key : keys) {
                bind(ps, 0, args);
                ps.setString(args.length + 1, key);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Runs the statement once per row of parameters, as one batch (one round trip to PostgreSQL); returns how many rows
     * each run changed.
     */
    public int[] batch(String sql, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return new int[0];
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (Object[] args : rows) {
                bind(ps, 0, args);
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    /** The rows of a query, at most {@code maxRows} of them (0: all). */
    public <T> List<T> list(String sql, int maxRows, Reader<T> reader, Object... args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, 0, args);
            if (maxRows > 0) {
                ps.setMaxRows(maxRows);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                Row row = new Row(rs, times);
                while (rs.next()) {
                    out.add(reader.read(row));
                }
                return out;
            }
        }
    }

    /** The first row of a query, or null when there is none. */
    public <T> T first(String sql, Reader<T> reader, Object... args) throws SQLException {
        List<T> rows = list(sql, 1, reader, args);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The number a {@code select count(*)} gives. */
    public long count(String sql, Object... args) throws SQLException {
        Long n = first(sql, row -> row.number(1), args);
        return n == null ? 0 : n;
    }

    /**
     * Takes up to {@code limit} rows that are due and holds them until {@code until}, so each is handed out once:
     * {@code dueSql} selects the keys (its parameters: now, then {@code more}), {@code leaseSql} sets the new time
     * (parameters: the time, the key). Inside a {@link Database#write}.
     */
    public List<String> claim(String dueSql, String leaseSql, Instant now, Instant until, int limit, Object... more)
            throws SQLException {
        Object[] dueArgs = new Object[more.length + 1];
        dueArgs[0] = now;
        System.arraycopy(more, 0, dueArgs, 1, more.length);
        // PostgreSQL, shared by the instances of a cluster: a row another transaction is claiming is skipped, not
        // handed out twice (SQLite has one writer at a time, so its select-then-lease is already atomic)
        List<String> due = list(times.isSqlite() ? dueSql : dueSql + " for update skip locked", limit, row -> row.text(1),
                dueArgs);
        if (!due.isEmpty()) {
            updateEach(leaseSql, due, until);
        }
        return due;
    }

    private void bind(PreparedStatement ps, int offset, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            ps.setObject(offset + i + 1, arg instanceof Instant at ? times.parameter(at) : arg);
        }
    }
}
