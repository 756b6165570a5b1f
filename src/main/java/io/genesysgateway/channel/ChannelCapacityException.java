package io.genesysgateway.channel;

/** Every channel the OAuth client (in a cluster: every client) may have is full: the trigger is answered 503 and nothing is evicted. */
public class ChannelCapacityException extends RuntimeException {

    public ChannelCapacityException(int channels, int topicsPerChannel) {
        super("all " + channels + " channels carry " + topicsPerChannel + " topics; no room for another conversation");
    }

    /** Said for the cluster's clients as a whole (each instance drives one; every one is full). */
    public ChannelCapacityException(String message) {
        super(message);
    }
}
