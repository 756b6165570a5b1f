package io.genesysgateway.conversation;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers live wrap-ups for one commit (route acw-commit): each exchange, with the headers route acw-event set
 * ({@code conversationId}, {@code Idempotency-Key}, {@code acwSource}) and the event as JSON text, becomes one
 * {@link AcwRecord} of the batch's body.
 */
public class AcwBatch implements AggregationStrategy {

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange batch, Exchange wrapup) {
        AcwRecord record = new AcwRecord(wrapup.getMessage().getHeader("conversationId", String.class),
                wrapup.getMessage().getHeader("Idempotency-Key", String.class), wrapup.getMessage().getBody(String.class),
                wrapup.getMessage().getHeader("acwSource", String.class));
        if (batch == null) {
            List<AcwRecord> records = new ArrayList<>();
            records.add(record);
            wrapup.getMessage().setBody(records);
            return wrapup;
        }
        batch.getMessage().getBody(List.class).add(record);
        return batch;
    }
}
