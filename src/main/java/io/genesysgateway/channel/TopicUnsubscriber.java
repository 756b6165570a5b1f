package io.genesysgateway.channel;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.genesysgateway.socket.ChannelSockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes conversations' topics off their channels. The registry's topic list is the truth; Genesys is told over the
 * channel's socket ({@code {"message":"unsubscribe"}}, no REST budget), one frame per channel for what left within
 * the batch window (route unsubscribe-conversation gathers it), and the list is written again by REST on renewal and
 * reconnect. A channel left empty is retired after that frame: socket closed, no further calls.
 */
public class TopicUnsubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(TopicUnsubscriber.class);

    private ChannelRegistry registry;
    private ChannelSockets sockets;
    private int maxTopicsPerFrame = 1_000;
    private final AtomicLong frames = new AtomicLong();

    /** The topic leaves its channel at once (the room is free); the frame goes with the next {@link #sendQueued()}. */
    public boolean unsubscribe(String conversationId) {
        return registry.unsubscribe(AcwTopic.of(conversationId));
    }

    /** One unsubscribe frame per channel for the topics that left it; channels left empty are retired. */
    public void sendQueued() {
        Map<String, List<String>> byChannel = registry.takeLeaving();
        byChannel.forEach((channelId, topics) -> {
            for (int from = 0; from < topics.size(); from += maxTopicsPerFrame) {
                List<String> part = topics.subList(from, Math.min(topics.size(), from + maxTopicsPerFrame));
                String frame = "{\"message\":\"unsubscribe\",\"topics\":[\"" + String.join("\",\"", part)
                        + "\"],\"correlationId\":\"unsubscribe-" + frames.incrementAndGet() + "\"}";
                if (!sockets.send(channelId, frame)) {
                    LOG.debug("Unsubscribe for channel {} not sent (no socket): the next REST write corrects it", channelId);
                }
            }
        });
        // a channel whose last topics just left is retired, after Genesys was told
        for (String channelId : registry.retireEmpty(byChannel.keySet())) {
            sockets.close(channelId); // no call to Genesys: without a socket the channel expires by itself
            LOG.info("Channel {} retired: no topics left", channelId);
        }
    }

    public void setRegistry(ChannelRegistry registry) {
        this.registry = registry;
    }

    public void setSockets(ChannelSockets sockets) {
        this.sockets = sockets;
    }

    public void setMaxTopicsPerChannel(int maxTopicsPerChannel) {
        this.maxTopicsPerFrame = Math.min(1_000, maxTopicsPerChannel);
    }
}
