package io.genesysgateway.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

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
 * ({@code db/migration}) before anything reads it. The repositories work through {@link #write} (one group-committed
 * transaction) and {@link #read}, with {@link Sql}'s statements.
 */
public class Database implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private String url = "";
    private String user = "";
    private String password = "";
    private String dataDir = "data";
    private int poolSize = 10;
    private String migrations = "classpath:db/migration";
    private volatile HikariDataSource dataSource;
    private final GroupCommitWriter writer = new GroupCommitWriter(this::dataSource);
    private volatile Timestamps times;

    @Override
    public synchronized void start() {
        if (dataSource == null) {
            String jdbc = jdbcUrl();
            if (jdbc.toLowerCase(java.util.Locale.ROOT).contains("rewritebatchedinserts=true")) {
                // its batches answer "rows changed: unknown", and a repeated wrap-up is told by its insert's count
                throw new StoreException("store.url (STORE_URL) sets reWriteBatchedInserts=true, which hides the row counts"
                        + " the gateway needs to tell a repeated wrap-up: remove it");
            }
            times = new Timestamps(jdbc.startsWith("jdbc:sqlite:"));
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
        writer.stop(); // the writes already asked for are committed first
        if (dataSource != null) {
            dataSource.close();
            dataSource = null;
            LOG.info("Store closed");
        }
    }

    private Timestamps times() {
        Timestamps t = times;
        if (t == null) {
            start();
            t = times;
        }
        return t;
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
     * Runs work in a transaction: committed when it returns, undone when it throws. Every write goes through the
     * one {@link GroupCommitWriter}, which commits concurrent callers' work together; the caller returns once its
     * work is committed.
     */
    public <T> T write(Sql.Work<T> work) {
        Timestamps t = times();
        return writer.commit(c -> work.run(new Sql(c, t)));
    }

    /** {@link #write} for work done for its effect. */
    public void commit(Sql.Step step) {
        write(sql -> {
            step.run(sql);
            return null;
        });
    }

    /** Runs work on a connection in auto-commit mode (reads). */
    public <T> T read(Sql.Work<T> work) {
        Timestamps t = times();
        try (Connection c = dataSource().getConnection()) {
            return work.run(new Sql(c, t));
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
