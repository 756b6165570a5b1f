package io.genesysgateway.channel;

import java.time.Instant;

/** A window in which a channel had no open socket, so Genesys dropped its events. */
public record GapWindow(String channelId, Instant from, Instant to, String why) {
}
