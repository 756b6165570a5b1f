package io.genesysgateway.history;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * History records whose delivery gave up, kept with the reason so they stay visible and can be sent again.
 * In memory: a restart forgets them (the durability work moves them to the store).
 */
public class DeadLetters {

    /** One record that did not reach Communication History. */
    public record DeadLetter(String idempotencyKey, String conversationId, String record, String reason, Instant at) {
    }

    private final Map<String, DeadLetter> letters = new ConcurrentHashMap<>();

    public void add(String idempotencyKey, String conversationId, String record, String reason) {
        letters.put(idempotencyKey, new DeadLetter(idempotencyKey, conversationId, record, reason, Instant.now()));
    }

    public List<DeadLetter> list() {
        return letters.values().stream().sorted(java.util.Comparator.comparing(DeadLetter::at)).toList();
    }

    /** Takes every dead letter out for a replay; a failed replay puts it back through {@link #add}. */
    public List<DeadLetter> drain() {
        List<DeadLetter> all = list();
        all.forEach(d -> letters.remove(d.idempotencyKey()));
        return all;
    }

    public int size() {
        return letters.size();
    }

    public List<Map<String, Object>> describe() {
        return list().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("idempotencyKey", d.idempotencyKey());
            m.put("conversationId", d.conversationId());
            m.put("reason", d.reason());
            m.put("at", d.at().toString());
            return m;
        }).toList();
    }
}
