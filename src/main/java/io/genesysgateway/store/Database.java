package io.genesysgateway.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.Service;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's relational store: an embedded SQLite file under {@code store.data-dir} unless {@code store.url}
 * names another database (PostgreSQL). Connections are pooled; the schema is created and migrated by Flyway
 * ({@code db/migration}) before anything reads it.
 */
public class Database implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** SQLState of a unique-key violation (PostgreSQL); SQLite reports its own result code instead. */
    private static final String DUPLICATE_KEY = "23505";
    /** SQLite keeps timestamps as text: one fixed width, so that text order is time order. */
    private static final java.time.format.DateTimeFormatter SQLITE_TIME =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /** Work done on one connection; may throw SQLException. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private String url = "";
    private String user = "";
    private String password = "";
    private String dataDir = "data";
    private int poolSize = 10;
    private String migrations = "classpath:db/migration";
    private volatile HikariDataSource dataSource;
    private final java.util.concurrent.LinkedBlockingQueue<Pending<?>> writes = new java.util.concurrent.LinkedBlockingQueue<>();
    private volatile Thread writer;
    private volatile boolean sqlite;

    @Override
    public synchronized void start() {
        if (dataSource == null) {
            String jdbc = jdbcUrl();
            sqlite = jdbc.startsWith("jdbc:sqlite:");
            if (url.isBlank()) {
                StoreLock.acquire(dataDirectory());
            }
            dataSource = open(jdbc);
        }
    }

    private HikariDataSource open(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("gateway-store");
        config.setJdbcUrl(jdbcUrl);
        // named, not looked up through DriverManager: under Camel JBang the drivers live in another class loader
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            config.setDriverClassName("org.sqlite.JDBC");
        } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            config.setDriverClassName("org.postgresql.Driver");
        }
        if (!user.isBlank()) {
            config.setUsername(user);
        }
        if (!password.isBlank()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        // a store that stops answering fails calls (and readiness) within seconds, not Hikari's 30 s default
        config.setConnectionTimeout(5_000);
        // an unreachable database stops start-up with its own message, not a pool time-out at the first trigger
        config.setInitializationFailTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the store " + describe() + ": " + rootMessage(e));
        }
        try {
            var result = Flyway.configure().dataSource(ds).locations(migrations).load().migrate();
            LOG.info("Store ready: {} (schema version {}, {} migration(s) applied now)", describe(),
                    result.targetSchemaVersion == null ? "current" : result.targetSchemaVersion, result.migrationsExecuted);
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreException("cannot migrate the store " + describe() + ": " + rootMessage(e));
        }
        return ds;
    }

    @Override
    public synchronized void stop() {
        Thread w = writer;
        if (w != null) {
            // the writes already asked for are committed first
            long deadline = System.currentTimeMillis() + 10_000;
            while (!writes.isEmpty() && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            w.interrupt();
            writer = null;
        }
        if (dataSource != null) {
            dataSource.close();
            dataSource = null;
            LOG.info("Store closed");
        }
    }

    public DataSource dataSource() {
        HikariDataSource ds = dataSource;
        if (ds == null) {
            start();
            ds = dataSource;
        }
        return ds;
    }

    /**
     * Runs work in a transaction: committed when it returns, undone when it throws. Every write goes through one
     * writer thread that commits the work of concurrent callers together (group commit; each caller's work behind
     * its own savepoint), so a burst of wrap-ups costs a few commits, not one each. The caller returns once its work
     * is committed.
     */
    public <T> T inTransaction(Work<T> work) {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("a transaction inside a transaction");
        }
        Pending<T> pending = new Pending<>(work);
        if (writer == null) {
            startWriter(); // once: every write after that skips the lock
        }
        writes.add(pending);
        try {
            return pending.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw new StoreException(sql);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StoreException(cause.toString());
        }
    }

    private static final class Pending<T> {
        final Work<T> work;
        final java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();

        Pending(Work<T> work) {
            this.work = work;
        }

        @SuppressWarnings("unchecked")
        void complete(Object result) {
            done.complete((T) result);
        }
    }

    private synchronized void startWriter() {
        if (writer == null) {
            writer = new Thread(this::writeLoop, "store-writer");
            writer.setDaemon(true);
            writer.start();
        }
    }

    private void writeLoop() {
        List<Pending<?>> batch = new ArrayList<>();
        while (true) {
            try {
                Pending<?> first = writes.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                if (first == null) {
                    if (dataSource == null) {
                        return;
                    }
                    continue;
                }
                batch.clear();
                batch.add(first);
                writes.drainTo(batch, 255);
                commit(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                batch.forEach(p -> p.done.completeExceptionally(e));
            }
        }
    }

    private void commit(List<Pending<?>> batch) {
        Object[] results = new Object[batch.size()];
        Throwable[] failures = new Throwable[batch.size()];
        try (Connection c = dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < batch.size(); i++) {
                    java.sql.Savepoint savepoint = batch.size() > 1 ? c.setSavepoint() : null;
                    try {
                        results[i] = batch.get(i).work.run(c);
                        if (savepoint != null) {
                            // released at once: a savepoint left open is kept up to date by every later write of
                            // the batch, so a large batch would cost more per caller than a small one
                            c.releaseSavepoint(savepoint);
                        }
                    } catch (SQLException | RuntimeException e) {
                        if (savepoint != null) {
                            c.rollback(savepoint);
                        } else {
                            c.rollback();
                        }
                        failures[i] = e;
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            batch.forEach(p -> p.done.completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (failures[i] != null) {
                batch.get(i).done.completeExceptionally(failures[i]);
            } else {
                batch.get(i).complete(results[i]);
            }
        }
    }

    /** Runs work on a connection in auto-commit mode (single statements, reads). */
    public <T> T withConnection(Work<T> work) {
        try (Connection c = dataSource().getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Null while the store answers, else why not (for readiness). */
    public String problem() {
        try (Connection c = dataSource().getConnection()) {
            return c.isValid(2) ? null : "the store does not answer";
        } catch (SQLException | RuntimeException e) {
            return "store unreachable: " + rootMessage(e);
        }
    }

    /** Runs one statement with its parameters in order; the number of rows it changed. */
    public static int exec(Connection c, String sql, Object... args) throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    /**
     * A timestamp parameter. Columns are {@code timestamp with time zone}: PostgreSQL takes the value as such, SQLite
     * (no time type) as fixed-width UTC text, which compares and sorts as time does.
     */
    public Object ts(java.time.Instant at) {
        return sqlite ? SQLITE_TIME.format(at) : java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC);
    }

    /** A timestamp column read back, or null. */
    public java.time.Instant instant(java.sql.ResultSet rs, int column) throws SQLException {
        return sqlite ? parse(rs.getString(column)) : toInstant(rs.getObject(column, java.time.OffsetDateTime.class));
    }

    /** A timestamp column read back by name, or null. */
    public java.time.Instant instant(java.sql.ResultSet rs, String column) throws SQLException {
        return sqlite ? parse(rs.getString(column)) : toInstant(rs.getObject(column, java.time.OffsetDateTime.class));
    }

    private static java.time.Instant parse(String text) {
        return text == null ? null : java.time.Instant.parse(text);
    }

    private static java.time.Instant toInstant(java.time.OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Takes up to {@code limit} rows that are due and holds them until {@code until}, in one transaction, so each is
     * handed out once: {@code dueSql} selects the ids (its one parameter is now), {@code leaseSql} sets the new time
     * (parameters: the time, the id).
     */
    public List<String> claim(String dueSql, String leaseSql, java.time.Instant now, java.time.Instant until, int limit) {
        return inTransaction(c -> {
            List<String> due = new ArrayList<>();
            try (java.sql.PreparedStatement ps = c.prepareStatement(dueSql)) {
                ps.setObject(1, ts(now));
                ps.setMaxRows(limit);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(rs.getString(1));
                    }
                }
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement(leaseSql)) {
                for (String id : due) {
                    ps.setObject(1, ts(until));
                    ps.setString(2, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return due;
        });
    }

    public static boolean isDuplicateKey(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return DUPLICATE_KEY.equals(e.getSQLState())
                || message.contains("SQLITE_CONSTRAINT_PRIMARYKEY") || message.contains("SQLITE_CONSTRAINT_UNIQUE");
    }

    /** Where the data lives, for logs and /status; never the password. */
    public String describe() {
        String jdbc = jdbcUrl();
        int params = jdbc.indexOf(';');
        int query = jdbc.indexOf('?');
        int cut = params > 0 ? params : query > 0 ? query : jdbc.length();
        return jdbc.substring(0, cut);
    }

    String jdbcUrl() {
        if (!url.isBlank()) {
            return url.trim();
        }
        Path dir = dataDirectory();
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the data directory " + dir + ": " + e.getMessage());
        }
        // WAL with synchronous=FULL: a commit is in the file (fsync'd) before its caller goes on, so a kill -9 or a
        // power loss keeps it; readers do not wait for the writer. IMMEDIATE: a transaction takes the write lock when
        // it begins (no lock upgrade to fail); busy_timeout: a second writer (a pre-read bean, a tool) waits.
        return "jdbc:sqlite:" + dir.resolve("gateway.db")
                + "?journal_mode=WAL&synchronous=FULL&transaction_mode=IMMEDIATE&busy_timeout=10000";
    }

    private Path dataDirectory() {
        return Path.of(dataDir).toAbsolutePath().normalize();
    }

    public void setUrl(String url) {
        this.url = url == null ? "" : url;
    }

    public void setUser(String user) {
        this.user = user == null ? "" : user;
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    public void setDataDir(String dataDir) {
        this.dataDir = dataDir;
    }

    public void setMigrations(String migrations) {
        this.migrations = migrations;
    }

    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }
}
