package io.genesysgateway.channel;

import java.util.List;

import io.genesysgateway.genesys.GenesysApi;
import io.genesysgateway.genesys.GenesysApiException;
import io.genesysgateway.socket.ChannelSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a new channel with its socket open, and only when that evicts nothing live: a 21st channel makes Genesys
 * evict the least recently used one, unconnected first, so a channel is created only when the OAuth client has fewer
 * than {@code maxChannels}, or when one of them is a channel the gateway retired (no socket: it goes first).
 * Otherwise the eviction could hit a live channel, the gateway's own or another application's, and the gateway would
 * be evicting itself in a cascade.
 */
public class ChannelOpener {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelOpener.class);

    private GenesysApi api;
    private ChannelSockets sockets;
    private ChannelRegistry registry;
    private int maxChannels = 20;

    /** A new channel with its socket open; the caller puts it in the registry. */
    Channel open() {
        ensureRoomForAChannel();
        GenesysApi.Channel created = api.createChannel();
        Channel channel = new Channel(created.id(), created.connectUri(),
                created.expires() != null ? created.expires() : registry.extendedExpiry(), created.tokenGeneration());
        if (!sockets.open(created.id(), created.connectUri())) {
            registry.retired().add(created.id()); // at Genesys without a socket: the first a 21st evicts
            throw new GenesysApiException("open socket", "the socket to new channel " + created.id() + " did not open", null);
        }
        LOG.info("Channel {} created", created.id());
        return channel;
    }

    private void ensureRoomForAChannel() {
        int atGenesys = api.clientChannelCount();
        if (atGenesys < maxChannels || retiredChannelStillAtGenesys()) {
            return;
        }
        int ours = registry.channelCount();
        throw new GenesysApiException("create channel", "the OAuth client already has " + atGenesys + " channels ("
                + Math.max(0, atGenesys - ours) + " not this gateway's): another would evict a live one", null);
    }

    private boolean retiredChannelStillAtGenesys() {
        List<String> candidates = registry.retired().candidates();
        for (String id : candidates) {
            if (api.channelExists(id)) {
                return true;
            }
            registry.retired().forget(id);
        }
        return false;
    }

    public void setApi(GenesysApi api) {
        this.api = api;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }

    public void setRegistry(ChannelRegistry registry) {
        this.registry = registry;
    }

    public void setMaxChannels(int maxChannels) {
        this.maxChannels = Math.min(20, maxChannels);
    }
}
