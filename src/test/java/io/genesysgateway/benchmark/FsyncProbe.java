package io.genesysgateway.benchmark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fsync and fdatasync calls of a process (all its threads) while it runs, counted and timed by
 * {@code perf trace -s} (kernel tracepoints: the traced process is not slowed down measurably). One per group
 * commit of the SQLite store in WAL mode with synchronous=FULL, plus a few per checkpoint. Nothing when perf is
 * missing or not allowed.
 */
final class FsyncProbe {

    private static final Pattern LINE = Pattern.compile("^\\s*(fsync|fdatasync)\\s+(\\d+)\\s+\\d+\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)",
            Pattern.MULTILINE);

    private final Process perf;
    private final Path out;

    private FsyncProbe(Process perf, Path out) {
        this.perf = perf;
        this.out = out;
    }

    static FsyncProbe start(long pid) {
        try {
            Path out = Files.createTempFile("fsync-probe-", ".txt");
            Process p = new ProcessBuilder("perf", "trace", "-s", "-e", "fsync,fdatasync", "-o", out.toString(),
                    "-p", Long.toString(pid)).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
            Thread.sleep(500); // attached to every thread
            return p.isAlive() ? new FsyncProbe(p, out) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** "calls / ms per call (average) / longest ms", or why not. */
    static String stop(FsyncProbe probe, int[] callsOut) throws Exception {
        if (probe == null) {
            return "n/a (perf trace not available)";
        }
        new ProcessBuilder("kill", "-INT", Long.toString(probe.perf.pid())).start().waitFor();
        probe.perf.waitFor(20, TimeUnit.SECONDS);
        String summary = Files.readString(probe.out);
        Files.deleteIfExists(probe.out);
        Matcher m = LINE.matcher(summary);
        long calls = 0;
        double totalMs = 0;
        double max = 0;
        while (m.find()) {
            calls += Long.parseLong(m.group(2));
            totalMs += Double.parseDouble(m.group(3));
            max = Math.max(max, Double.parseDouble(m.group(6)));
        }
        callsOut[0] = (int) calls;
        return calls + " / " + String.format("%.2f", calls == 0 ? 0 : totalMs / calls) + " ms / " + String.format("%.1f", max) + " ms";
    }
}
