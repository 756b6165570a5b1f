package io.genesysgateway.channel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One notification channel as the gateway knows it: its topics, whether it has a socket, when it expires, and what
 * is due for it. {@link ChannelRegistry} holds the channels and places the topics; this class keeps one channel's
 * state consistent (every method is atomic).
 */
final class Channel {

    /** Changes when the channel moves: the topics and their bookkeeping stay, the Genesys channel is new. */
    private String id;
    private String connectUri;
    private Instant expires;
    private long tokenGeneration;
    private final Set<String> topics = new LinkedHashSet<>();
    /** Topics unsubscribed here whose unsubscribe frame is not yet sent. */
    private final Set<String> leaving = new LinkedHashSet<>();
    /** Topics of a subscribe call in flight: they count against the room. */
    private int reserved;
    /** Set while the channel has no socket: since when, and why. */
    private Instant lostAt;
    private String lostWhy;
    private int failedReconnects;
    private Instant nextReconnectAt = Instant.EPOCH;
    /** Genesys announced maintenance: a new socket is due while the old one still delivers. */
    private boolean closing;
    /** After a failed move, the next is not tried before this (each try costs Genesys calls). */
    private Instant nextMoveAt = Instant.EPOCH;

    Channel(String id, String connectUri, Instant expires, long tokenGeneration) {
        this.id = id;
        this.connectUri = connectUri;
        this.expires = expires;
        this.tokenGeneration = tokenGeneration;
    }

    synchronized String id() {
        return id;
    }

    synchronized String connectUri() {
        return connectUri;
    }

    synchronized Instant expires() {
        return expires;
    }

    synchronized long tokenGeneration() {
        return tokenGeneration;
    }

    synchronized List<String> topics() {
        return List.copyOf(topics);
    }

    synchronized int topicCount() {
        return topics.size();
    }

    // ------------------------------------------------------------------ topics

    synchronized boolean hasRoom(int maxTopics) {
        return lostAt == null && topics.size() + reserved < maxTopics;
    }

    /** Holds room for as many of the topics as fit; returns those. */
    synchronized List<String> reserve(int maxTopics, List<String> wanted) {
        int room = Math.max(0, maxTopics - topics.size() - reserved);
        List<String> part = List.copyOf(wanted.subList(0, Math.min(room, wanted.size())));
        reserved += part.size();
        return part;
    }

    synchronized void release(int count) {
        reserved -= count;
    }

    synchronized void carry(String topic) {
        topics.add(topic);
    }

    synchronized void leave(String topic) {
        topics.remove(topic);
        leaving.add(topic);
    }

    synchronized List<String> takeLeaving() {
        List<String> out = new ArrayList<>(leaving);
        leaving.clear();
        return out;
    }

    /** Nothing to carry and no call in flight. */
    synchronized boolean isEmpty() {
        return topics.isEmpty() && reserved == 0;
    }

    // ------------------------------------------------------------------ socket

    /** True when this is news: the channel had a socket until now. */
    synchronized boolean markLost(String why, Instant now) {
        if (lostAt != null) {
            return false;
        }
        lostAt = now;
        lostWhy = why;
        nextReconnectAt = now;
        return true;
    }

    synchronized boolean isLost() {
        return lostAt != null;
    }

    /** Why it has no socket, for readiness; null while it has one. */
    synchronized String loss() {
        return lostAt == null ? null : "channel " + id + " since " + lostAt + ": " + lostWhy;
    }

    synchronized Instant lostAt() {
        return lostAt;
    }

    synchronized boolean reconnectDue(Instant now) {
        return lostAt != null && !now.isBefore(nextReconnectAt);
    }

    /** One more failed reconnect; returns how many in a row. */
    synchronized int reconnectFailed() {
        return ++failedReconnects;
    }

    synchronized void nextReconnectAt(Instant at) {
        nextReconnectAt = at;
    }

    /** The window without a socket, ending now. */
    synchronized GapWindow gapUntil(Instant now) {
        return new GapWindow(id, lostAt, now, lostWhy);
    }

    /** Has a socket and its topics again: the gap is over. */
    synchronized GapWindow reconnected(Instant newExpiry, Instant now) {
        GapWindow gap = gapUntil(now);
        expires = newExpiry;
        lostAt = null;
        failedReconnects = 0;
        return gap;
    }

    synchronized void markClosing() {
        closing = true;
    }

    /** True once after {@link #markClosing()}. */
    synchronized boolean takeClosing() {
        boolean was = closing;
        closing = false;
        return was;
    }

    // ------------------------------------------------------------------ renewal and moves

    synchronized boolean expiresBefore(Instant due) {
        return lostAt == null && !topics.isEmpty() && expires.isBefore(due);
    }

    synchronized void renewed(Instant newExpiry) {
        expires = newExpiry;
    }

    /** Made with a token older than {@code generation}, with a socket, no call in flight, no failed move waiting. */
    synchronized boolean mayMoveFrom(long generation, Instant now) {
        return tokenGeneration < generation && lostAt == null && reserved == 0 && !now.isBefore(nextMoveAt);
    }

    synchronized void moveFailed(Instant retryAt) {
        nextMoveAt = retryAt;
    }

    /** Becomes {@code fresh} (a new channel, not shared yet) with the same topics; returns the old id. */
    synchronized String moveTo(Channel fresh) {
        String oldId = id;
        id = fresh.id();
        connectUri = fresh.connectUri();
        expires = fresh.expires();
        tokenGeneration = fresh.tokenGeneration();
        nextMoveAt = Instant.EPOCH;
        return oldId;
    }
}
