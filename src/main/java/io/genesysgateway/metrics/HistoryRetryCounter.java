package io.genesysgateway.metrics;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Runs before each redelivery of a history record (route history-delivery): counts it as retried. */
public class HistoryRetryCounter implements Processor {

    private GatewayMetrics metrics;

    @Override
    public void process(Exchange exchange) {
        metrics.delivery("retried");
    }

    public void setMetrics(GatewayMetrics metrics) {
        this.metrics = metrics;
    }
}
