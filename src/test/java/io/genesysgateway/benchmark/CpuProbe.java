package io.genesysgateway.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the CPU went between two moments, from /proc: the whole machine (both cores), a process, and a process's
 * threads grouped by their Java names (a jcmd thread dump maps Linux thread ids to them). Costs nothing measurable.
 */
final class CpuProbe {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final long pid;
    private final long startNanos = System.nanoTime();
    private final long[] machineStart = machine();
    // whole processes from their stat line, which keeps the time of threads that have ended meanwhile
    private final long selfStart = ticks(Path.of("/proc/self/stat"));
    private final long gatewayStart;
    private final Map<Long, Long> threadsStart;
    private final Map<Long, Long> waitStart;
    private final Map<Long, Long> othersStart = new HashMap<>();
    private final String[] otherComms;

    /** {@code otherComms}: further processes, by their command name (e.g. postgres), summed. */
    CpuProbe(long pid, String... otherComms) {
        this.pid = pid;
        this.threadsStart = threads(pid);
        this.gatewayStart = ticks(Path.of("/proc/" + pid + "/stat"));
        this.waitStart = runQueueWait(pid);
        this.otherComms = otherComms;
        othersStart.putAll(processes(otherComms));
    }

    /** CPU milliseconds per record of the gateway, of the load generator, of the other processes (after report). */
    double gatewayMsPerRecord;
    /**
     * The same without the JIT compiler's threads: a short burst right after start pays for compiling the hot path,
     * which a gateway that has run for a while has done; this is nearer what it costs then.
     */
    double gatewayWithoutJitMsPerRecord;
    double loadGeneratorMsPerRecord;
    double othersMsPerRecord;
    /** Time the gateway's threads were ready to run but waited for a core, in % of one core's time. */
    double gatewayWaitedPercent;

    private static String normalised(String javaThreadName) {
        return javaThreadName.replaceAll("#\\d+|-\\d+$|\\d+", "#");
    }

    /** Nanoseconds each thread of the process spent ready to run, waiting for a core (schedstat, second field). */
    private static Map<Long, Long> runQueueWait(long pid) {
        Map<Long, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            tasks.forEach(t -> {
                try {
                    String[] f = Files.readString(t.resolve("schedstat")).trim().split(" ");
                    out.put(Long.parseLong(t.getFileName().toString()), Long.parseLong(f[1]));
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException e) {
            // the process is gone
        }
        return out;
    }

    /**
     * One line: machine busy, the gateway, the load generator, other processes (each also as CPU per record, which
     * depends far less on the machine's load than a rate does), the gateway's busiest threads.
     */
    String report(int records) {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        long[] machineEnd = machine();
        long busy = (machineEnd[0] - machineEnd[1]) - (machineStart[0] - machineStart[1]);
        long total = machineEnd[0] - machineStart[0];
        Map<Long, Long> threadsEnd = threads(pid);
        Map<Long, String> names = javaThreadNames(pid);
        Map<String, Long> byName = new HashMap<>();
        Map<String, Long> waitByName = new HashMap<>();
        Map<Long, Long> waitEnd = runQueueWait(pid);
        long waited = 0;
        for (Map.Entry<Long, Long> e : waitEnd.entrySet()) {
            long ns = e.getValue() - waitStart.getOrDefault(e.getKey(), 0L);
            waited += ns;
            waitByName.merge(normalised(names.getOrDefault(e.getKey(), "(JVM, unnamed)")), ns, Long::sum);
        }
        long gateway = 0;
        for (Map.Entry<Long, Long> e : threadsEnd.entrySet()) {
            long ticks = e.getValue() - threadsStart.getOrDefault(e.getKey(), 0L);
            gateway += ticks;
            String name = normalised(names.getOrDefault(e.getKey(), "(JVM, unnamed)"));
            byName.merge(name, ticks, Long::sum);
        }
        long loadGenerator = ticks(Path.of("/proc/self/stat"));
        long gatewayEnd = ticks(Path.of("/proc/" + pid + "/stat"));
        if (gatewayEnd >= 0) {
            gateway = gatewayEnd - gatewayStart;
        }
        long others = processes(otherComms).entrySet().stream()
                .mapToLong(e -> e.getValue() - othersStart.getOrDefault(e.getKey(), 0L)).sum();
        gatewayMsPerRecord = gateway * 1000 / TICKS_PER_SECOND / records;
        long jit = byName.entrySet().stream().filter(e -> e.getKey().contains("CompilerThread")).mapToLong(Map.Entry::getValue).sum();
        gatewayWithoutJitMsPerRecord = (gateway - jit) * 1000 / TICKS_PER_SECOND / records;
        loadGeneratorMsPerRecord = (loadGenerator - selfStart) * 1000 / TICKS_PER_SECOND / records;
        othersMsPerRecord = others * 1000 / TICKS_PER_SECOND / records;
        StringBuilder top = new StringBuilder();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .forEach(e -> top.append(top.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(percent(e.getValue(), wall)).append(String.format(" %.2f ms", e.getValue() * 1000 / TICKS_PER_SECOND / records))
                        .append(String.format(" (waited %.0f%% for a core)", 100.0 * waitByName.getOrDefault(e.getKey(), 0L) / 1e9 / wall)));
        gatewayWaitedPercent = 100.0 * waited / 1e9 / wall;
        return String.format("machine %.0f%% of 2 cores busy; gateway %s (%.2f ms per record; its threads waited %.0f%% of a core's time for one), load generator (simulator, sink) %s "
                        + "(%.2f ms)%s; gateway threads: %s",
                total == 0 ? 0.0 : 200.0 * busy / total, percent(gateway, wall), gatewayMsPerRecord, gatewayWaitedPercent,
                percent(loadGenerator - selfStart, wall), loadGeneratorMsPerRecord,
                otherComms.length == 0 ? "" : String.format(", %s %s (%.2f ms)", String.join("+", otherComms), percent(others, wall),
                        othersMsPerRecord), top);
    }

    /** Of one core. */
    private static String percent(long ticks, double wallSeconds) {
        return String.format("%.0f%%", 100.0 * ticks / TICKS_PER_SECOND / wallSeconds);
    }

    /** {all ticks, idle + iowait ticks} of the machine. */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long all = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                all += Long.parseLong(f[i]);
            }
            return new long[] {all, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }

    /** utime + stime of each thread of the process. */
    private static Map<Long, Long> threads(long pid) {
        Map<Long, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            tasks.forEach(t -> {
                long ticks = ticks(t.resolve("stat"));
                if (ticks >= 0) {
                    out.put(Long.parseLong(t.getFileName().toString()), ticks);
                }
            });
        } catch (IOException e) {
            // the process is gone
        }
        return out;
    }

    /** utime + stime (and waited-for children) of every process with one of these command names. */
    private static Map<Long, Long> processes(String... comms) {
        Map<Long, Long> out = new HashMap<>();
        if (comms.length == 0) {
            return out;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                try {
                    String comm = Files.readString(p.resolve("comm")).trim();
                    for (String c : comms) {
                        if (comm.equals(c)) {
                            long ticks = ticks(p.resolve("stat"));
                            if (ticks >= 0) {
                                out.put(Long.parseLong(p.getFileName().toString()), ticks);
                            }
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException e) {
            // no /proc
        }
        return out;
    }

    private static long ticks(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static final Pattern THREAD = Pattern.compile("^\"(.+?)\".*? nid=0x([0-9a-f]+)", Pattern.MULTILINE);

    /** Linux thread id -> Java thread name, from a thread dump. */
    static Map<Long, String> javaThreadNames(long pid) {
        Map<Long, String> out = new LinkedHashMap<>();
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = THREAD.matcher(dump);
            while (m.find()) {
                out.put(Long.parseLong(m.group(2), 16), m.group(1));
            }
        } catch (IOException e) {
            // no jcmd: threads stay unnamed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
