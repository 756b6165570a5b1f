package io.genesysgateway.conversation;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.genesysgateway.conversation.ConversationState.Event;
import org.junit.jupiter.api.Test;

import static io.genesysgateway.conversation.ConversationState.ACW_RECEIVED;
import static io.genesysgateway.conversation.ConversationState.COMPLETED;
import static io.genesysgateway.conversation.ConversationState.DEAD_LETTER;
import static io.genesysgateway.conversation.ConversationState.DELIVERED;
import static io.genesysgateway.conversation.ConversationState.EXPIRED;
import static io.genesysgateway.conversation.ConversationState.FAILED;
import static io.genesysgateway.conversation.ConversationState.NO_WRAPUP;
import static io.genesysgateway.conversation.ConversationState.PENDING;
import static io.genesysgateway.conversation.ConversationState.SUBSCRIBED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle, written out once more by hand: every state under every event ("-" stays where it is). A change of
 * the rules has to change this table too, so it is a decision, not an accident.
 */
class ConversationStateTest {

    private static final List<String> TABLE = List.of(
            "state        | TRIGGERED_AGAIN | SUBSCRIBED | RESUBSCRIBE | SUBSCRIBE_REFUSED | WRAPUP_STORED | ALL_DELIVERED | ALL_DELIVERED_AFTER_CLOSE | RECORD_GAVE_UP | ENDED     | TIMED_OUT",
            "pending      | -               | subscribed | -           | failed            | acw_received  | -             | -                         | -              | no_wrapup | expired",
            "subscribed   | -               | -          | pending     | failed            | acw_received  | -             | -                         | -              | no_wrapup | expired",
            "failed       | pending         | subscribed | pending     | -                 | acw_received  | -             | -                         | -              | no_wrapup | expired",
            "acw_received | -               | -          | -           | -                 | -             | delivered     | completed                 | dead_letter    | -         | -",
            "delivered    | -               | -          | -           | -                 | acw_received  | -             | completed                 | -              | completed | -",
            "dead_letter  | -               | -          | -           | -                 | acw_received  | delivered     | completed                 | -              | -         | -",
            "completed    | -               | -          | -           | -                 | acw_received  | -             | -                         | -              | -         | -",
            "no_wrapup    | -               | -          | -           | -                 | acw_received  | -             | -                         | -              | -         | -",
            "expired      | -               | -          | -           | -                 | acw_received  | -             | -                         | -              | -         | -");

    /** The table as state, event, expected next state. */
    static Map<ConversationState, Map<Event, ConversationState>> expected() {
        List<Event> events = Arrays.stream(cells(TABLE.get(0))).skip(1).map(Event::valueOf).toList();
        assertThat(events).as("the table has a column per event").containsExactlyInAnyOrder(Event.values());
        Map<ConversationState, Map<Event, ConversationState>> out = new EnumMap<>(ConversationState.class);
        for (String row : TABLE.subList(1, TABLE.size())) {
            String[] cells = cells(row);
            ConversationState from = state(cells[0]);
            Map<Event, ConversationState> next = new EnumMap<>(Event.class);
            for (int i = 0; i < events.size(); i++) {
                next.put(events.get(i), "-".equals(cells[i + 1]) ? from : state(cells[i + 1]));
            }
            out.put(from, next);
        }
        assertThat(out.keySet()).as("the table has a row per state").containsExactlyInAnyOrder(ConversationState.values());
        return out;
    }

    @Test
    void everyStateUnderEveryEventGoesWhereTheTableSays() {
        expected().forEach((from, byEvent) -> byEvent.forEach((event, to) ->
                assertThat(from.next(event)).as("%s on %s", from, event).isEqualTo(to)));
    }

    @Test
    void aMoveIsAllowedExactlyWhenSomeEventMakesIt() {
        Map<ConversationState, Map<Event, ConversationState>> table = expected();
        int allowed = 0;
        for (ConversationState from : ConversationState.values()) {
            for (ConversationState to : ConversationState.values()) {
                boolean inTable = from != to && table.get(from).containsValue(to);
                assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(inTable);
                allowed += inTable ? 1 : 0;
            }
        }
        System.out.println("Lifecycle: " + allowed + " allowed moves of " + (9 * 8) + " possible");
    }

    @Test
    void aClosedConversationMovesOnlyForALateWrapup() {
        for (ConversationState closed : List.of(COMPLETED, NO_WRAPUP, EXPIRED)) {
            for (ConversationState other : ConversationState.values()) {
                assertThat(closed.canMoveTo(other)).as("%s -> %s", closed, other).isEqualTo(other == ACW_RECEIVED);
            }
        }
    }

    @Test
    void aSubscriptionNeverUndoesAWrapup() {
        for (Event subscription : List.of(Event.TRIGGERED_AGAIN, Event.SUBSCRIBED, Event.RESUBSCRIBE, Event.SUBSCRIBE_REFUSED)) {
            for (ConversationState state : ConversationState.values()) {
                if (!ConversationState.BEFORE_WRAPUP.contains(state)) {
                    assertThat(state.next(subscription)).as("%s on %s", state, subscription).isEqualTo(state);
                } else {
                    assertThat(ConversationState.BEFORE_WRAPUP).contains(state.next(subscription));
                }
            }
        }
        assertThat(ConversationState.BEFORE_WRAPUP).containsExactlyInAnyOrder(PENDING, SUBSCRIBED, FAILED);
        assertThat(ConversationState.INITIAL).isEqualTo(PENDING);
    }

    @Test
    void aConversationCompletesOnlyOnceItsRecordsAreDelivered() {
        assertThat(ACW_RECEIVED.next(Event.ENDED)).isEqualTo(ACW_RECEIVED);
        assertThat(DEAD_LETTER.next(Event.ENDED)).isEqualTo(DEAD_LETTER);
        assertThat(DELIVERED.next(Event.ENDED)).isEqualTo(COMPLETED);
        assertThat(DEAD_LETTER.next(Event.ALL_DELIVERED_AFTER_CLOSE)).isEqualTo(COMPLETED);
        assertThat(FAILED.next(Event.ALL_DELIVERED)).as("no record, nothing delivered").isEqualTo(FAILED);
    }

    private static String[] cells(String row) {
        return Arrays.stream(row.split("\\|")).map(String::trim).toArray(String[]::new);
    }

    private static ConversationState state(String label) {
        return ConversationState.valueOf(label.toUpperCase(Locale.ROOT));
    }
}
