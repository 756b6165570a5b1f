package io.genesysgateway.channel;

import java.time.Duration;
import java.util.List;

/**
 * A channel was without a socket (Genesys dropped what it published meanwhile) and is not any more: it has a socket
 * again, or Genesys removed it ({@code channelGone}: its conversations must be subscribed again elsewhere).
 */
public record SocketGap(GapWindow window, List<String> conversationIds, boolean channelGone) {

    public String channelId() {
        return window.channelId();
    }

    public long millis() {
        return Duration.between(window.from(), window.to()).toMillis();
    }

    public String why() {
        return window.why();
    }
}
