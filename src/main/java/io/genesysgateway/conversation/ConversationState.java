package io.genesysgateway.conversation;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of a tracked conversation: its states (lower-case names in the store and on the status endpoint), the
 * events that move it, and which event moves it from which state to which. These rules are the only place that
 * says so: the store writes its state column from them (see {@link StateSql}).
 * <p>
 * An event moves a conversation out of the states it names; in any other state it stays where it is (a late or
 * repeated event is not an error: Genesys and history answer in any order).
 */
public enum ConversationState {
    /** Tracked, its topic not yet on a channel (Genesys unreachable: retried in the background). */
    PENDING,
    /** Its ACW topic is on a channel with an open socket. */
    SUBSCRIBED,
    /** Subscribing failed for a reason retrying cannot fix (e.g. a missing permission); a new trigger retries. */
    FAILED,
    /** A wrap-up is in the outbox, not yet accepted by Communication History. */
    ACW_RECEIVED,
    /** Every wrap-up so far was accepted; the topic lingers in case another agent (a transfer) wraps up too. */
    DELIVERED,
    /** A history record gave up; it sits in the dead-letter state until replayed. */
    DEAD_LETTER,
    /** Closed: Genesys says the conversation ended, and every wrap-up reached history. */
    COMPLETED,
    /** Closed: the conversation ended without a wrap-up (skipped by the agent, or it never reached one). */
    NO_WRAPUP,
    /** Closed: Genesys reported no end within {@code reconcile.expire-after-hours}; tracking stopped. */
    EXPIRED;

    /** What happens to a tracked conversation. */
    public enum Event {
        /** The same trigger again: a subscription that failed is tried again. */
        TRIGGERED_AGAIN,
        /** Its topic is on a channel. */
        SUBSCRIBED,
        /** Its topic must go on a channel (again): Genesys was unreachable, or the gateway restarted. */
        RESUBSCRIBE,
        /** Genesys refused the subscription for a reason retrying cannot fix. */
        SUBSCRIBE_REFUSED,
        /** A wrap-up of it is in the outbox: live, found by reconciliation, or late (after a transfer, after it closed). */
        WRAPUP_STORED,
        /** History accepted its last undelivered record while the conversation is open. */
        ALL_DELIVERED,
        /** History accepted its last undelivered record after the conversation was closed. */
        ALL_DELIVERED_AFTER_CLOSE,
        /** One of its records gave up (a dead letter). */
        RECORD_GAVE_UP,
        /** Genesys' analytics: it ended, and every agent wrapped up or skipped. */
        ENDED,
        /** No end reported within the expiry time: tracking stops. */
        TIMED_OUT
    }

    /** A conversation starts here when it is tracked. */
    public static final ConversationState INITIAL = PENDING;

    /** No wrap-up yet: what happens to it is its subscription (its problem, if any, is about that). */
    public static final Set<ConversationState> BEFORE_WRAPUP =
            Collections.unmodifiableSet(EnumSet.of(PENDING, SUBSCRIBED, FAILED));

    private static final Map<Event, Map<ConversationState, ConversationState>> MOVES = new EnumMap<>(Event.class);

    static {
        move(Event.TRIGGERED_AGAIN, PENDING, FAILED);
        move(Event.SUBSCRIBED, SUBSCRIBED, PENDING, FAILED);
        move(Event.RESUBSCRIBE, PENDING, SUBSCRIBED, FAILED);
        move(Event.SUBSCRIBE_REFUSED, FAILED, PENDING, SUBSCRIBED);
        // from every state: a late wrap-up (another agent's, after reconciliation closed it) is a real one
        move(Event.WRAPUP_STORED, ACW_RECEIVED, EnumSet.complementOf(EnumSet.of(ACW_RECEIVED)).toArray(ConversationState[]::new));
        move(Event.ALL_DELIVERED, DELIVERED, ACW_RECEIVED, DEAD_LETTER);
        move(Event.ALL_DELIVERED_AFTER_CLOSE, COMPLETED, ACW_RECEIVED, DEAD_LETTER, DELIVERED);
        move(Event.RECORD_GAVE_UP, DEAD_LETTER, ACW_RECEIVED);
        // a record still undelivered keeps its state: the conversation completes when it is delivered
        move(Event.ENDED, COMPLETED, DELIVERED);
        move(Event.ENDED, NO_WRAPUP, PENDING, SUBSCRIBED, FAILED);
        move(Event.TIMED_OUT, EXPIRED, PENDING, SUBSCRIBED, FAILED);
    }

    private static void move(Event event, ConversationState to, ConversationState... from) {
        Map<ConversationState, ConversationState> moves = MOVES.computeIfAbsent(event, e -> new EnumMap<>(ConversationState.class));
        for (ConversationState source : from) {
            if (source != to && moves.putIfAbsent(source, to) != null) {
                throw new IllegalStateException(event + " moves " + source + " twice");
            }
        }
    }

    /** The state after the event: where the rules move it, or this state when the event does not move it. */
    public ConversationState next(Event event) {
        return MOVES.getOrDefault(event, Map.of()).getOrDefault(this, this);
    }

    /** True when some event moves a conversation from this state to {@code target} (staying is not a move). */
    public boolean canMoveTo(ConversationState target) {
        return MOVES.values().stream().anyMatch(moves -> moves.get(this) == target);
    }

    /** The states the event moves out of, each with where it goes. */
    public static Map<ConversationState, ConversationState> moves(Event event) {
        return Collections.unmodifiableMap(MOVES.getOrDefault(event, Map.of()));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
