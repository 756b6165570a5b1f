package io.genesysgateway;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Keeps a copy of everything written to standard output and error (the log goes to standard output) while still
 * printing it, so a test can assert what a user would read in the log.
 */
public final class LogCapture {

    private static final ByteArrayOutputStream COPY = new ByteArrayOutputStream();
    private static boolean installed;

    private LogCapture() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        System.setErr(tee(System.err));
        System.setOut(tee(System.out));
        installed = true;
    }

    private static PrintStream tee(PrintStream original) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (COPY) {
                    COPY.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (COPY) {
                    COPY.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }

    public static List<String> lines() {
        synchronized (COPY) {
            return COPY.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** Lines logged at ERROR (text format: "time [thread] ERROR logger - message"). */
    public static List<String> errors() {
        return lines().stream().filter(l -> l.contains("] ERROR ")).toList();
    }
}
