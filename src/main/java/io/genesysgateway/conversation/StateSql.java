package io.genesysgateway.conversation;

import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.genesysgateway.conversation.ConversationState.Event;

/**
 * The {@code state} column of {@code tracked_conversation} in SQL, written from {@link ConversationState}'s rules so
 * that a statement changing many rows at once (or a row together with its other columns) moves each by those rules
 * and the SQL holds no second copy of them.
 */
final class StateSql {

    private StateSql() {
    }

    /** The new value of {@code state} after the event: a CASE over the states it moves, or one literal. */
    static String after(Event event) {
        Map<ConversationState, Set<ConversationState>> byTarget = new LinkedHashMap<>();
        ConversationState.moves(event).forEach((from, to) ->
                byTarget.computeIfAbsent(to, t -> EnumSet.noneOf(ConversationState.class)).add(from));
        if (byTarget.isEmpty()) {
            return "state";
        }
        if (byTarget.size() == 1) {
            Map.Entry<ConversationState, Set<ConversationState>> only = byTarget.entrySet().iterator().next();
            if (only.getValue().size() == ConversationState.values().length - 1) {
                return literal(only.getKey()); // every other state moves there (the target stays): no CASE needed
            }
        }
        StringBuilder sql = new StringBuilder("case");
        byTarget.forEach((to, from) -> sql.append(" when state in ").append(in(from)).append(" then ").append(literal(to)));
        return sql.append(" else state end").toString();
    }

    /** The states the event moves to {@code target}, as an SQL list: {@code ('pending','failed')}. */
    static String movedTo(Event event, ConversationState target) {
        return in(ConversationState.moves(event).entrySet().stream().filter(m -> m.getValue() == target)
                .map(Map.Entry::getKey).toList());
    }

    /** The states the event moves out of, as an SQL list. */
    static String movedBy(Event event) {
        return in(ConversationState.moves(event).keySet());
    }

    /** States as an SQL list: {@code ('pending','subscribed','failed')}. */
    static String in(Collection<ConversationState> states) {
        if (states.isEmpty()) {
            throw new IllegalArgumentException("no states");
        }
        return states.stream().map(StateSql::literal).collect(Collectors.joining(",", "(", ")"));
    }

    static String literal(ConversationState state) {
        return "'" + state.label() + "'";
    }
}
