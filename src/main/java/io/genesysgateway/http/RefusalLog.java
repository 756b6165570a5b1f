package io.genesysgateway.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WARN line, without a stack trace, for a request the HTTP API refused before a route ran (malformed, too
 * large, too slow, too many connections): at most one line per cause per interval, the next one saying how many
 * were not logged in between. A client that sends a thousand bad requests writes a line a minute, not a
 * thousand stack traces. What the client sent is cut to a short excerpt; the log layout escapes control
 * characters.
 */
public class RefusalLog {

    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
    private static final int EXCERPT = 200;

    private final long intervalMillis;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public RefusalLog(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** Logs the refusal unless this cause was already logged within the interval; then it is only counted. */
    public void refused(String cause, String detail) {
        long now = System.currentTimeMillis();
        Window window = windows.computeIfAbsent(cause, c -> new Window());
        synchronized (window) {
            if (window.loggedAt != 0 && now - window.loggedAt < intervalMillis) {
                window.suppressed.incrementAndGet();
                return;
            }
            long suppressed = window.suppressed.getAndSet(0);
            window.loggedAt = now;
            LOG.warn("HTTP request refused ({}): {}{}", cause, excerpt(detail),
                    suppressed == 0 ? "" : " (" + suppressed + " more like it not logged since the last line)");
        }
    }

    static String excerpt(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "…";
    }

    private static final class Window {
        long loggedAt;
        final AtomicLong suppressed = new AtomicLong();
    }
}
