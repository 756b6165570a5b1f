package io.genesysgateway.simulator;

import java.util.Map;
import java.util.Set;

/**
 * What the simulator enforces. {@link #defaults()} are Genesys Cloud's documented values; tests shorten the
 * lifetimes and intervals with the {@code with*} methods.
 */
public record SimulatorSettings(
        String host,
        int port,
        Map<String, String> clients,
        Set<String> permissions,
        long tokenLifetimeSeconds,
        long heartbeatIntervalMillis,
        int maxChannels,
        int maxTopicsPerChannel,
        long channelLifetimeMillis,
        int requestsPerMinute,
        String greetingFrame) {

    public static final String CLIENT_ID = "sandbox-client";
    public static final String CLIENT_SECRET = "sandbox-secret";

    public static SimulatorSettings defaults() {
        return new SimulatorSettings("127.0.0.1", 0, Map.of(CLIENT_ID, CLIENT_SECRET),
                Set.of(GenesysSimulator.ACW_PERMISSION), 86_399, 30_000, 20, 1_000, 24 * 3600_000L, 300, null);
    }

    public SimulatorSettings withPort(int value) {
        return new SimulatorSettings(host, value, clients, permissions, tokenLifetimeSeconds, heartbeatIntervalMillis,
                maxChannels, maxTopicsPerChannel, channelLifetimeMillis, requestsPerMinute, greetingFrame);
    }

    public SimulatorSettings withPermissions(Set<String> value) {
        return new SimulatorSettings(host, port, clients, value, tokenLifetimeSeconds, heartbeatIntervalMillis,
                maxChannels, maxTopicsPerChannel, channelLifetimeMillis, requestsPerMinute, greetingFrame);
    }

    public SimulatorSettings withTokenLifetimeSeconds(long value) {
        return new SimulatorSettings(host, port, clients, permissions, value, heartbeatIntervalMillis,
                maxChannels, maxTopicsPerChannel, channelLifetimeMillis, requestsPerMinute, greetingFrame);
    }

    public SimulatorSettings withHeartbeatIntervalMillis(long value) {
        return new SimulatorSettings(host, port, clients, permissions, tokenLifetimeSeconds, value,
                maxChannels, maxTopicsPerChannel, channelLifetimeMillis, requestsPerMinute, greetingFrame);
    }

    public SimulatorSettings withRequestsPerMinute(int value) {
        return new SimulatorSettings(host, port, clients, permissions, tokenLifetimeSeconds, heartbeatIntervalMillis,
                maxChannels, maxTopicsPerChannel, channelLifetimeMillis, value, greetingFrame);
    }

    public SimulatorSettings withChannelLifetimeMillis(long value) {
        return new SimulatorSettings(host, port, clients, permissions, tokenLifetimeSeconds, heartbeatIntervalMillis,
                maxChannels, maxTopicsPerChannel, value, requestsPerMinute, greetingFrame);
    }

    public SimulatorSettings withMaxChannels(int value) {
        return new SimulatorSettings(host, port, clients, permissions, tokenLifetimeSeconds, heartbeatIntervalMillis,
                value, maxTopicsPerChannel, channelLifetimeMillis, requestsPerMinute, greetingFrame);
    }

    public SimulatorSettings withMaxTopicsPerChannel(int value) {
        return new SimulatorSettings(host, port, clients, permissions, tokenLifetimeSeconds, heartbeatIntervalMillis,
                maxChannels, value, channelLifetimeMillis, requestsPerMinute, greetingFrame);
    }

    /** The OAuth clients it accepts, id to secret (each has its own channels and limits). */
    public SimulatorSettings withClients(Map<String, String> value) {
        return new SimulatorSettings(host, port, Map.copyOf(value), permissions, tokenLifetimeSeconds, heartbeatIntervalMillis,
                maxChannels, maxTopicsPerChannel, channelLifetimeMillis, requestsPerMinute, greetingFrame);
    }

    /** A frame written the instant a socket is accepted (to test that clients do not lose it). */
    public SimulatorSettings withGreetingFrame(String value) {
        return new SimulatorSettings(host, port, clients, permissions, tokenLifetimeSeconds, heartbeatIntervalMillis,
                maxChannels, maxTopicsPerChannel, channelLifetimeMillis, requestsPerMinute, value);
    }
}
